"""Shared set-up of the end-to-end tests in a real headless Chromium.

Needs Debian's `chromium` (apt-get install chromium) and Playwright for Python (no
`playwright install`: we drive the system browser). Without them the tests that import this
module are skipped, with the reason, never passed.
"""

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
)

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    # live_server empties the database after each test; bring back the migrated gazetteer
    # and vocabularies for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@contextmanager
def chromium_page(**context_options):
    """A page in a fresh browser that refuses, and reports, any request leaving the site."""
    with chromium_pages({"page": context_options}) as pages:
        yield pages["page"]


@contextmanager
def chromium_pages(contexts):
    """One page per entry of ``contexts`` (name → context options, e.g. a viewport), each in
    its own browser context (own cookies) of one browser; any request leaving the site is
    refused and reported."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        blocked = []
        pages = {}
        for name, options in contexts.items():
            context = browser.new_context(locale="zh-CN", **options)
            context.route(
                re.compile(r"^(?!http://(localhost|127\.0\.0\.1)).*"),
                lambda route: (blocked.append(route.request.url), route.abort()),
            )
            pages[name] = context.new_page()
            pages[name].set_default_timeout(15000)
        yield pages
        browser.close()
        assert blocked == []


# The page languages the layout tests run in, as LANGUAGES codes.
LANGUAGES = ("zh-hans", "en")


def open_in(page, base_url, path, language):
    """Open ``path`` (e.g. ``/initiatives/?q=创业``) on the live server in ``language``:
    Chinese at the root, English under ``/en/``."""
    page.goto(base_url + ("/en" if language == "en" else "") + path)
    expected = "en" if language == "en" else "zh-Hans"
    assert page.locator("html").get_attribute("lang") == expected, (path, language)
