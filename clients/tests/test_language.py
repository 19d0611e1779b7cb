"""A consumer has one language for their notices: their account's and their client record's are the same,
whether they change it in their settings, give it with their details, or claim an account made for them."""

import importlib

import pytest

from accounts.hooks import preferred_language_changed
from accounts.models import User
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


@pytest.mark.django_db
def test_a_consumers_own_details_set_their_accounts_language(new_consumer):
    client = services.client_create_for_self(
        user=new_consumer,
        fields={
            "first_name": "Nhia",
            "last_name": "Vang",
            "date_of_birth": make_client().date_of_birth.replace(year=1991),
            "email": new_consumer.email,
            "county": make_client().county,
            "preferred_language": Language.objects.get(code="hmn"),
            "city": "Saint Paul",
            "zip_code": "55102",
        },
    )
    new_consumer.refresh_from_db()
    assert client.preferred_language.code == new_consumer.preferred_language.code == "hmn"


@pytest.mark.django_db
def test_the_migration_gives_existing_accounts_their_client_records_language():
    from django.apps import apps

    migration = importlib.import_module("clients.migrations.0003_account_language_from_client")
    somali, spanish = make_client(language="so"), make_client(language="es")
    chose_already = make_client(language="vi")
    User.objects.filter(pk__in=[somali.user_id, spanish.user_id]).update(preferred_language=None)
    User.objects.filter(pk=chose_already.user_id).update(preferred_language=Language.objects.get(code="en"))
    migration.copy_language(apps, None)
    languages = dict(User.objects.filter(client__isnull=False).values_list("pk", "preferred_language__code"))
    assert languages[somali.user_id] == "so" and languages[spanish.user_id] == "es"
    assert languages[chose_already.user_id] == "en"  # a choice already made is kept
