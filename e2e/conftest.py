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


@pytest.fixture
def page(browser, live_server):
    # bypass_csp lets the test inject axe-core; the portal's own scripts never need it.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors or blocked resources: {errors}"


def assert_accessible(page, label=""):
    """Run axe-core on the current page; fail with each violation's rule and nodes."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]
    assert violations == [], f"axe violations on {label or page.url}:\n" + "\n".join(violations)
