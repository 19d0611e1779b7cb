"""The language of a person's notices and emails: chosen at sign-up (default: the page's language) and in
"Language for your notices and emails"; every change audited."""

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import Action, AuditEvent
from conftest import sign_in
from core.models import Language

SIGNUP = "/accounts/signup/"
PASSWORD = "river stone lamp kettle"
PREFERENCES = "/accounts/preferences/"


def lang(code: str) -> Language:
    return Language.objects.get(code=code)


@pytest.mark.django_db
def test_the_sign_up_page_asks_for_the_language_and_offers_the_pages_language(client):
    page = client.get(SIGNUP).content.decode()
    assert "Language for your notices and emails" in page
    assert page.index('name="password2"') < page.index('name="preferred_language"')  # asked last
    assert f'<option value="{lang("en").pk}" selected>' in page
    client.cookies["django_language"] = "es"
    assert f'<option value="{lang("es").pk}" selected>' in client.get(SIGNUP).content.decode()


@pytest.mark.django_db
def test_the_language_chosen_at_sign_up_is_kept(client):
    response = client.post(
        SIGNUP,
        {"email": "so@example.org", "password1": PASSWORD, "password2": PASSWORD, "preferred_language": lang("so").pk},
    )
    assert response.status_code == 302
    assert User.objects.get(email="so@example.org").preferred_language == lang("so")


@pytest.mark.django_db
def test_without_a_choice_sign_up_keeps_the_language_the_page_was_shown_in(client):
    client.cookies["django_language"] = "es"
    client.post(SIGNUP, {"email": "es@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert User.objects.get(email="es@example.org").preferred_language == lang("es")


@pytest.mark.django_db
def test_a_sign_up_naming_a_language_that_does_not_exist_is_refused_and_creates_nothing(client):
    response = client.post(
        SIGNUP, {"email": "x@example.org", "password1": PASSWORD, "password2": PASSWORD, "preferred_language": 999999}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(email="x@example.org").exists()


@pytest.mark.django_db
def test_changing_the_language_is_saved_audited_and_said(client, broker):
    sign_in(client, broker)
    page = client.get(PREFERENCES)
    assert page.status_code == 200 and "Language for your notices and emails" in page.content.decode()
    # The form as the browser sends it: the daily digest's box is ticked by default (issue 17).
    response = client.post(PREFERENCES, {"preferred_language": lang("vi").pk, "daily_digest": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert "Your notices and emails will be in Vietnamese (Tiếng Việt)." in response.content.decode()
    broker.refresh_from_db()
    assert broker.preferred_language == lang("vi")
    event = AuditEvent.objects.get(action=Action.PREFERENCES_CHANGED, actor=broker)
    assert event.details["to"] == "vi"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"), [("", "Choose a language."), ("abc", "Choose a language from the list.")]
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, broker, value, message):
    before = broker.preferred_language_id
    sign_in(client, broker)
    response = client.post(PREFERENCES, {"preferred_language": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    broker.refresh_from_db()
    assert broker.preferred_language_id == before
    assert not AuditEvent.objects.filter(action=Action.PREFERENCES_CHANGED).exists()


@pytest.mark.django_db
def test_the_preferences_page_needs_a_sign_in(client):
    response = client.get(PREFERENCES)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
