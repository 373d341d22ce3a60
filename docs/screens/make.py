"""Screenshots of the main pages, for review: the first screen of each page at 390 × 844
(a phone) and 1366 × 768 (a laptop), in Chinese and in English, saved here as
``<language>-<width>-<page>.png``.

    .venv/bin/python docs/screens/make.py                 # a fresh site on the sample corpus
    .venv/bin/python docs/screens/make.py --url http://127.0.0.1:8000   # a running site

Without ``--url`` it migrates a temporary SQLite database, ingests ``fixtures/documents/``,
serves it with ``runserver`` on a free local port, takes the pictures and removes it all.
Needs Debian's ``chromium`` and Playwright for Python (as the browser tests).
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM = "/usr/bin/chromium"
SIZES = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 768}}
LANGUAGES = {"zh": "zh-hans", "en": "en"}
# The pages, by name; the initiative page is the first result of the search.
PAGES = {
    "home": "/",
    "search": "/initiatives/?q=创业担保贷款",
    "initiative": None,
    "region": "/regions/511100/",
    "targets": "/targets/",
    "compare": "/compare/?region=130529&region=511100",
    "documents": "/documents/",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def sample_site():
    """A site on a temporary SQLite database holding the sample corpus; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="screens-") as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
            "DJANGO_DEBUG": "true",  # runserver serves the static files
            "DJANGO_REQUEST_LOG": "false",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
        subprocess.run(
            [*manage, "ingest", str(ROOT / "fixtures" / "documents")],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(url + "/", timeout=5)
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                raise SystemExit(f"the site did not answer at {url}")
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


def open_in(page, base_url, path, language):
    """Open ``path`` in ``language``: Chinese at the root, English under ``/en/``."""
    page.goto(base_url + ("/en" if language == "en" else "") + path)


def take(base_url, out):
    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for width, viewport in SIZES.items():
            for short, language in LANGUAGES.items():
                page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
                for name, path in PAGES.items():
                    if path is None:
                        open_in(page, base_url, PAGES["search"], language)
                        path = page.locator(".result h3 a").first.get_attribute("href")
                    open_in(page, base_url, path, language)
                    file = out / f"{short}-{width}-{name}.png"
                    page.screenshot(path=str(file))
                    saved.append(file)
                page.context.close()
        browser.close()
    return saved


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running site (default: start one on the sample corpus)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the PNGs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.url:
        saved = take(args.url.rstrip("/"), args.out)
    else:
        with sample_site() as url:
            saved = take(url, args.out)
    print(f"{len(saved)} screenshots in {args.out}")


if __name__ == "__main__":
    main()
