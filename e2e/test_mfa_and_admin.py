import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from accounts.models import Role
from accounts.tests.factories import UserFactory
from conftest import PASSWORD, totp_code
from e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, email, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def test_assister_must_set_up_mfa_and_the_pages_are_accessible(page):
    user = UserFactory(role=Role.ASSISTER, email="new.assister@example.org")
    sign_in(page, user.email)
    assert page.url.endswith("/accounts/2fa/")
    assert "must use two-step verification" in page.content()
    assert_accessible(page, "MFA overview")
    page.goto("/accounts/2fa/totp/activate/")
    # Adding a factor asks for the password again.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/2fa/totp/activate/$"))
    assert_accessible(page, "MFA set-up")
    secret = re.search(r"[A-Z2-7]{32}", page.content()).group(0)
    page.get_by_label("Authenticator code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state()
    assert_accessible(page, "after MFA set-up")
    page.goto("/")
    assert "Welcome, new.assister@example.org" in page.locator("h1").inner_text()


def test_staff_reach_the_admin_through_the_portal_login_with_mfa(page):
    staff = UserFactory(role=Role.STAFF, email="reviewer@example.org", mfa=True, is_superuser=True)
    page.goto("/admin/")
    assert "/accounts/login/?next=/admin/" in page.url
    assert_accessible(page, "admin login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r".*/2fa/authenticate/$"))
    assert_accessible(page, "MFA code prompt")
    page.get_by_label("Code").fill(totp_code(staff))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r".*/admin/$"))
    assert "Administration" in page.content()


def test_idle_warning_appears_and_stay_signed_in_keeps_the_session(page, settings):
    from datetime import timedelta

    settings.SESSION_IDLE_TIMEOUT_CONSUMER = timedelta(seconds=6)
    settings.SESSION_IDLE_WARNING = timedelta(seconds=5)
    user = UserFactory(role=Role.CONSUMER, email="idle@example.org")
    sign_in(page, user.email)
    dialog = page.locator("#session-timeout")
    dialog.wait_for(state="visible", timeout=5_000)
    assert_accessible(page, "idle warning")
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    page.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden")
    # Without another click, the session runs out and the page says why.
    page.wait_for_url(re.compile(r".*/accounts/login/.*"), timeout=15_000)
    assert "You were signed out because you were inactive" in page.content()
