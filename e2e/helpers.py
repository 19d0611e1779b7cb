"""Steps the browser tests share: signing in, setting up an authenticator app."""

import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from e2e.conftest import assert_accessible


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
