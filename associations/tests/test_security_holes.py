"""Issue 9 §6 and §7: the audit gaps and smaller holes, each written as the requests that found it."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from associations.models import AssociationStatus
from associations.tests.factories import ask_to_help, associate, profile_form
from audit.models import Action, AuditEvent, Outcome
from certification.models import AgencyKind, AssisterKind, CertificationEvent
from certification.tests.factories import make_agency, make_assister
from clients.models import Client
from clients.tests.factories import make_client
from conftest import sign_in

PROFILE = reverse("associations:profile")
DASHBOARD = reverse("clients:dashboard")


def profile_data(**overrides) -> dict:
    return (
        profile_form(first_name="Ana", last_name="García", date_of_birth="1990-02-03", ssn="987-65-4321", phone="")
        | overrides
    )


@pytest.fixture
def real_person():
    """Ana's account, created by her broker; she has not claimed it yet."""
    return make_client(
        first_name="Ana", last_name="García", date_of_birth=date(1990, 2, 3), ssn="987-65-4321", claimed=False
    )


# --- §7: a new consumer saves someone else's identity as their own ----------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stolen",
    [
        {},  # name, date of birth and SSN
        {"ssn": "111-22-3333"},  # name and date of birth
        {"first_name": "Someone", "last_name": "Else", "date_of_birth": "1970-01-01"},  # the SSN alone
    ],
)
def test_a_profile_that_matches_an_existing_client_is_not_saved(client, real_person, stolen):
    impostor = UserFactory(role=Role.CONSUMER, email="impostor@example.org")
    sign_in(client, impostor, follow=False)

    response = client.post(PROFILE, profile_data(**stolen))

    assert response.status_code == 400
    assert "These details match a record we already have" in response.content.decode()
    assert not Client.objects.filter(user=impostor).exists()
    attempt = AuditEvent.objects.get(action=Action.CLIENT_PROFILE_DUPLICATE)
    assert (attempt.actor, attempt.outcome) == (impostor, Outcome.DENIED)  # staff see it in the audit trail
    # The real person can still be found by an assister.
    ask_to_help(real_person, make_assister(AssisterKind.BROKER), email="", ssn_last4="4321")


@pytest.mark.django_db
def test_probing_identities_through_the_profile_is_paused_like_find_a_client(client, real_person):
    prober = UserFactory(role=Role.CONSUMER, email="prober@example.org")
    sign_in(client, prober, follow=False)
    for n in range(5):
        html = client.post(PROFILE, profile_data(first_name=f"Ana{n}", ssn="987-65-4321")).content.decode()
        assert "These details match a record we already have" in html
    html = client.post(PROFILE, profile_data(first_name="Brand", last_name="New", ssn="555-12-3456")).content.decode()
    assert "We cannot save these details now." in html
    assert not Client.objects.filter(user=prober).exists()


# --- §7: the agency book and an assister who may no longer act --------------------------------


@pytest.mark.django_db
def test_the_agency_book_hides_clients_of_an_assister_whose_certification_ended_today(client):
    agency = make_agency(AgencyKind.NAVIGATOR_ORG)
    navigator = make_assister(AssisterKind.NAVIGATOR, agency=agency)
    helped = make_client(first_name="Ana", last_name="Helped")
    associate(helped, navigator)
    sign_in(client, agency.admin_user)
    assert "Ana Helped" in client.get(DASHBOARD).content.decode()
    client.post(reverse("account_logout"))

    certification = navigator.certifications.get()
    # The day after the certification's last day, before the 06:00 sweep suspends anything.
    after = timezone.make_aware(datetime.combine(certification.valid_until + timedelta(days=1), time(1, 0)))
    with time_machine.travel(after, tick=False):
        sign_in(client, agency.admin_user)
        html = client.get(DASHBOARD).content.decode()
        assert "Ana Helped" not in html and helped.short_id not in html
        assert client.get(reverse("clients:detail", args=[helped.public_id])).status_code == 404
    assert helped.associations.get().status == AssociationStatus.ACTIVE  # the sweep has not run: no write needed


# --- §6: pages that show a client's name are audited -----------------------------------------------


@pytest.mark.django_db
def test_opening_the_release_and_consent_pages_is_in_the_clients_trail(client):
    navigator = make_assister(AssisterKind.NAVIGATOR)
    helped = make_client(first_name="Ana", last_name="Helped")
    association = associate(helped, navigator)
    waiting = make_client(first_name="Bea", last_name="Waiting", claimed=False)
    pending = ask_to_help(waiting, navigator)
    sign_in(client, navigator.user)

    assert client.get(reverse("clients:release", args=[association.public_id])).status_code == 200
    assert client.get(reverse("clients:record_consent", args=[pending.public_id])).status_code == 200

    viewed = AuditEvent.objects.filter(action=Action.CLIENT_VIEWED, actor=navigator.user)
    assert set(viewed.values_list("client_id", flat=True)) == {helped.pk, waiting.pk}


# --- §6: certification events are append-only in the database --------------------------------------


@pytest.mark.django_db
def test_a_certification_event_cannot_be_changed_or_deleted_by_anyone():
    event = CertificationEvent.objects.filter(certification__assister=make_assister(AssisterKind.CAC)).first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CertificationEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CertificationEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.reason != "rewritten"
