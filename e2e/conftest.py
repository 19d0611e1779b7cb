"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

No browser is downloaded: Chromium comes from `apt-get install chromium` (.ci/run).
axe-core is injected from node_modules to check WCAG 2.1 AA on every page visited.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# (factories, reading mail) are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_SOURCE = AXE.read_text(encoding="utf-8") if AXE.exists() else ""


@pytest.fixture
def browser(_django_db_helper):
    """A fresh Playwright and Chromium per test, started after the test database is ready.

    Playwright's sync API runs an event loop in this thread, and Django's connections are
    context-local: a session-wide loop would hide the connection that holds the serialized
    reference data, so a transactional test could not restore it (counties, languages).
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (see .ci/run).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
        # Connections opened while Playwright's loop ran belong to that context: close them here.
        from django.db import connections

        connections.close_all()


class Watched:
    """Browser contexts that record JavaScript errors, CSP violations and failed requests on every page.

    The portal's Content-Security-Policy is enforced (no bypass): a violation shows up as a console
    error and fails the test. axe-core is evaluated through the DevTools protocol, which CSP does not
    govern, so checking accessibility needs no exception either.
    """

    def __init__(self, browser, base_url):
        self.browser, self.base_url, self.contexts, self.errors = browser, base_url, [], []

    def new_page(self, expected_statuses=()):
        context = self.browser.new_context(base_url=self.base_url, locale="en-US")
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda msg: self._console(page, msg))
        page.on(
            "response",
            lambda r: (
                self.errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.status not in expected_statuses
                else None
            ),
        )
        return page

    def _console(self, page, msg):
        if msg.type != "error" or msg.text.startswith("Failed to load resource"):
            return  # failed requests are judged by the response listener, with the expected statuses
        if "/admin/" in page.url and "Applying inline style" in msg.text:
            return  # Django's own admin scripts set style attributes; the CSP still blocks them
        self.errors.append(f"{page.url}: {msg.text[:200]}")

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def watched(browser, live_server):
    watched = Watched(browser, live_server.url)
    yield watched
    watched.close()
    assert watched.errors == [], f"JavaScript errors, CSP violations or failed requests: {watched.errors}"


@pytest.fixture
def page(watched):
    return watched.new_page()


def assert_accessible(page, label=""):
    """Run axe-core on the current page; fail with each violation's rule and nodes."""
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]
    assert violations == [], f"axe violations on {label or page.url}:\n" + "\n".join(violations)
