"""A consumer has one language for their notices: their account's and their client record's are the same,
whether they change it in their settings, give it with their details, or claim an account made for them."""

import pytest

from accounts.hooks import preferred_language_changed
from accounts.services import user_set_preferred_language
from clients import services
from clients.tests.factories import make_client
from core.models import Language


def test_clients_follow_the_hook_once_django_has_started():
    assert preferred_language_changed.handlers == (services.client_follow_user_language,)


@pytest.mark.django_db
def test_a_consumer_changing_their_language_changes_their_client_records_too(consumer):
    other = make_client()  # someone else's record is left alone
    user_set_preferred_language(user=consumer, language=Language.objects.get(code="hmn"))
    consumer.client.refresh_from_db()
    other.refresh_from_db()
    assert consumer.client.preferred_language.code == "hmn"
    assert other.preferred_language.code == "en"


@pytest.mark.django_db
def test_a_claimed_account_takes_the_language_of_the_client_record(django_capture_on_commit_callbacks):
    client = make_client(claimed=False, email="lao@example.org", language="lo")
    token = services.claim_invitation_send(client=client, helpers=[])
    user = services.client_claim(
        token=token, date_of_birth=client.date_of_birth, ssn_last4=client.ssn_last4 or "", password="river stone lamp 9"
    )
    assert user.preferred_language.code == "lo"
