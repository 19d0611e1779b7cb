"""Dates that cannot be right are refused with a message, wherever a date of birth is typed (issue 9, item 7).

One shared field (assister_portal.lib.forms) gives every date of birth the same bounds: not before 1900,
not in the future. Each page here is driven the way a person (or someone probing it) uses it; the
certification application's dates are tested next to it, in certification/tests/test_application_dates.py.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from associations.models import Association
from associations.tests.factories import profile_form
from certification.models import AssisterKind
from certification.tests.factories import make_assister
from clients.models import ClaimInvitation, Client
from clients.services import _claim_token
from clients.tests.factories import make_client
from conftest import sign_in
from core.models import County, Language

TOO_EARLY = "Check the year of birth: it is before 1900."
IN_THE_FUTURE = "The date of birth cannot be in the future."


def impossible_births():
    tomorrow = timezone.localdate() + timedelta(days=1)
    return [
        ("9999-12-31", IN_THE_FUTURE),
        ("12/31/9999", IN_THE_FUTURE),
        (tomorrow.isoformat(), IN_THE_FUTURE),
        ("0001-01-01", TOO_EARLY),
        ("01/01/0001", TOO_EARLY),
        ("1899-12-31", TOO_EARLY),
    ]


def profile_data(date_of_birth):
    return profile_form(date_of_birth=date_of_birth, ssn="", phone="")


@pytest.mark.django_db
def test_a_consumer_cannot_give_an_impossible_date_of_birth(client, new_consumer):
    sign_in(client, new_consumer, follow=False)
    for typed, message in impossible_births():
        response = client.post(reverse("associations:profile"), profile_data(typed))
        assert response.status_code == 400, typed
        assert message in response.content.decode(), typed
    assert not Client.objects.exists()
    response = client.post(reverse("associations:profile"), profile_data("1900-01-01"))
    assert response.status_code == 302
    assert Client.objects.get(user=new_consumer).date_of_birth.isoformat() == "1900-01-01"


@pytest.mark.django_db
def test_an_assister_cannot_create_a_client_with_an_impossible_date_of_birth(client):
    navigator = make_assister(AssisterKind.NAVIGATOR)
    sign_in(client, navigator.user)
    form = {
        "kind": "household",
        "first_name": "Mai",
        "last_name": "Vang",
        "email": "mai.vang@example.org",
        "street": "12 Elm St",
        "city": "Saint Paul",
        "zip_code": "55104",
        "county": County.objects.get(name="Ramsey").pk,
        "preferred_language": Language.objects.get(code="en").pk,
        # Consent that is complete, so the date of birth is the only thing wrong.
        "method": "recorded_call",
        "call_reference": "CALL-2026-0042",
        "call_time": "00:00",
        "call_participants": "Mai Vang (client), me",
        "consent_date": timezone.localdate().isoformat(),
        "attestation": "on",
    }
    for typed, message in impossible_births():
        response = client.post(reverse("clients:create_on_behalf"), form | {"date_of_birth": typed})
        assert response.status_code in (200, 400), typed
        assert message in response.content.decode(), typed
    assert not Client.objects.exists()
    # The same form with a real date of birth creates the account: only the date was wrong above.
    assert client.post(reverse("clients:create_on_behalf"), form | {"date_of_birth": "03/04/1975"}).status_code == 302
    assert Client.objects.get().date_of_birth.isoformat() == "1975-03-04"


@pytest.mark.django_db
def test_find_a_client_refuses_an_impossible_date_of_birth(client):
    broker = make_assister(AssisterKind.BROKER)
    sign_in(client, broker.user)
    for typed, message in impossible_births():
        response = client.post(
            reverse("clients:find"),
            {"first_name": "Ana", "last_name": "García", "date_of_birth": typed, "ssn_last4": "4321"},
        )
        assert message in response.content.decode(), typed
    assert not Association.objects.exists()


@pytest.mark.django_db
def test_the_dashboard_search_explains_an_impossible_date_of_birth(client):
    broker = make_assister(AssisterKind.BROKER)
    sign_in(client, broker.user)
    for typed, message in impossible_births():
        response = client.get(reverse("clients:dashboard"), {"date_of_birth": typed})
        assert response.status_code in (200, 400), typed
        assert message in response.content.decode(), typed


@pytest.mark.django_db
def test_claiming_an_account_refuses_an_impossible_date_of_birth_without_using_up_a_try(client):
    person = make_client(claimed=False)
    token = _claim_token(person, "claimant@example.org")
    for typed, message in impossible_births():
        response = client.post(
            reverse("clients:claim", args=[token]),
            {"date_of_birth": typed, "ssn_last4": "", "password": "a long enough passphrase 42"},
        )
        assert message in response.content.decode(), typed
    invitation = ClaimInvitation.objects.get(client=person)
    assert invitation.failed_attempts == 0 and invitation.claimed_at is None
