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
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", **context_options)
        blocked = []
        context.route(
            re.compile(r"^(?!http://(localhost|127\.0\.0\.1)).*"),
            lambda route: (blocked.append(route.request.url), route.abort()),
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()
        assert blocked == []
