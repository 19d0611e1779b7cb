import re
from urllib.parse import urlparse

import pytest
from django.core import mail

from e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a long and memorable passphrase"


def test_home_page_is_accessible_in_english_and_spanish(page):
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Help with MNsure coverage")
    assert_accessible(page, "home (en)")
    page.select_option("#language-select", "es")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page, "home (es)")


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_consumer_signs_up_by_keyboard_and_verifies_the_email(page):
    page.goto("/accounts/signup/")
    assert_accessible(page, "sign-up")
    page.get_by_label("Email", exact=True).fill("keyboard.person@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/accounts/confirm-email/.*"))
    assert_accessible(page, "verify email")
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    page.get_by_label("Code").fill(code)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    assert "Welcome, keyboard.person@example.org" in page.locator("h1").inner_text()
    assert_accessible(page, "signed-in home")


def test_sign_in_page_shows_errors_accessibly(page):
    page.goto("/accounts/login/")
    assert_accessible(page, "sign-in")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() >= 1
    assert_accessible(page, "sign-in with error")


def test_the_accessibility_check_itself_catches_a_violation(page):
    page.goto("/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/css/portal.css\">')"
    )
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page, "planted violation")
