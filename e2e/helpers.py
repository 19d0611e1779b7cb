"""Steps the browser tests share: signing in, setting up an authenticator app."""

import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from e2e.conftest import assert_accessible
from notices import services as notice_services
from notices.models import Notice, NoticeStatus


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(page, email, password, *, totp=None):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    if totp is not None and "/2fa/authenticate/" in page.url:
        page.get_by_label("Code").fill(totp())
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()


def set_up_totp(page, password) -> str:
    """From the forced MFA page: re-enter the password, add the authenticator; returns its secret."""
    page.goto("/accounts/2fa/totp/activate/")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/2fa/totp/activate/$"))
    assert_accessible(page, "MFA set-up")
    secret = re.search(r"[A-Z2-7]{32}", page.content()).group(0)
    page.get_by_label("Authenticator code").fill(current_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state()
    return secret


def tab_to(page, selector: str, *, limit: int = 60) -> int:
    """Press Tab until the focused element matches the CSS selector; returns how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement !== null && document.activeElement.matches(s)", selector):
            return presses
    focused = page.evaluate("document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab; focus is on {focused}")


def new_page_without_javascript(watched, expected_statuses=()):
    """A watched page in a context with JavaScript turned off (the pages must work without it).

    axe-core cannot run here (page.evaluate never returns with scripts disabled): check the same
    URL in a page from watched.new_page() instead.
    """
    context = watched.browser.new_context(base_url=watched.base_url, locale="en-US", java_script_enabled=False)
    watched.contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda msg: watched._console(page, msg))
    page.on(
        "response",
        lambda r: (
            watched.errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.status not in expected_statuses
            else None
        ),
    )
    return page


def navigate(page, act) -> None:
    """Do `act` (a click, a key press) and wait for the full page load it causes."""
    with page.expect_navigation():
        act()
    page.wait_for_load_state()


def heading(page) -> str:
    return page.locator("h1").inner_text()


def choose(scope, label) -> None:
    """Tick a USWDS radio or checkbox by its label (the input itself is moved off screen by the style)."""
    scope.locator("label", has_text=re.compile(f"^{re.escape(label)}$")).click()


def rendered(person, kind) -> list:
    """The client's notices of a kind, rendered in-process where no worker did it yet."""
    notices = list(Notice.objects.filter(client=person, kind=kind).order_by("created_at", "id"))
    for notice in notices:
        if notice.status != NoticeStatus.READY:
            notice_services.notice_render(notice_id=notice.pk)
    return notices
