"""What the browser tests of the built book share: where the book is, how a page is opened.

* `BOOK_HTML` (default `_build/html`): the built book to test, e.g. one built with a private
  table of contents (`jupyter-book build . --toc FILE --path-output DIR`; set `BOOK_TOC=FILE`
  too). Screenshots go to `screenshots/` beside it (`_build/screenshots/` by default).
* `require_built_book()` skips the calling test module when the book, Playwright or Chromium
  is missing, and fails it instead under REQUIRE_BUILT_BOOK=1 (scripts/test.sh);
  `require_browser()` does the same for Playwright and Chromium alone.
* `new_page()` opens a page in a fresh browser context that lets only the book's own URLs
  through and records console errors, uncaught exceptions and failed requests (`PageLog`).
* `MEASUREMENT`: a test records a line it measured (timings) with
  `record_property(MEASUREMENT, line)`; tests/browser/conftest.py prints them at the end of the
  pytest run, also under `-q`.
"""

from __future__ import annotations

import os
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
HTML = pathlib.Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
SHOTS = HTML.parent / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("BOOK_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
REQUIRED = os.environ.get("REQUIRE_BUILT_BOOK") == "1"
# the table of contents the book was built with (BOOK_TOC: a private copy, for `--toc`)
TOC = pathlib.Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))
MEASUREMENT = "browser-measurement"


def require_built_book() -> None:
    """Call at module level: skip (or, with REQUIRE_BUILT_BOOK=1, fail) without the built book,
    Playwright or Chromium."""
    if not (HTML / "index.html").exists():
        if REQUIRED:
            pytest.fail(f"REQUIRE_BUILT_BOOK=1 but {HTML / 'index.html'} does not exist",
                        pytrace=False)
        pytest.skip(f"the book is not built ({HTML}; run scripts/build_book.sh)",
                    allow_module_level=True)
    require_browser()


def require_browser() -> None:
    """Call at module level: skip (or, with REQUIRE_BUILT_BOOK=1, fail) without Playwright or
    Chromium."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover
        if REQUIRED:
            raise
        pytest.skip("playwright is not installed", allow_module_level=True)
    if not pathlib.Path(CHROMIUM).exists():
        if REQUIRED:
            pytest.fail(f"no Chromium at {CHROMIUM} (scripts/setup_env.sh installs Debian's "
                        "`chromium`)", pytrace=False)
        pytest.skip("chromium is not installed", allow_module_level=True)


class PageLog:
    """What went wrong while a page loaded: console errors, exceptions, failed requests.
    `requests` lists every URL the page asked for."""

    def __init__(self, page, local_prefixes):
        self.errors, self.failed, self.blocked, self.requests = [], [], [], []
        page.on("console", lambda m: m.type == "error" and self.errors.append(
            f"console.error: {m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: self.failed.append(
            f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(
            f"{r.url} (HTTP {r.status})"))
        page.on("request", lambda r: self.requests.append(r.url))
        self.local_prefixes = local_prefixes

    def route(self, route):
        """Let local requests through; refuse everything else (the network is 'blocked')."""
        url = route.request.url
        if url.startswith(self.local_prefixes) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")


def new_page(browser, local_prefixes, offline=False):
    """(context, page, log): a fresh context (no cache) where only `local_prefixes` load."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    if offline:
        context.set_offline(True)
    page = context.new_page()
    log = PageLog(page, local_prefixes)
    context.route("**/*", log.route)
    return context, page, log
