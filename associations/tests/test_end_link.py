"""The one-click "end this" link emailed when an assister records consent given on paper or by phone."""

import pytest
from django.test import Client as BrowserClient
from django.urls import reverse

from associations import services
from associations.models import AssociationStatus, EndReason
from associations.permissions_sync import permissions_drift
from associations.tests.factories import ask_and_record_call, associate
from audit.models import Action, AuditEvent
from certification.models import AssisterKind
from certification.tests.factories import make_assister
from clients.tests.factories import make_client


def _offline(person, assister):
    return ask_and_record_call(person, assister, attestation="The client agreed on a recorded call.")


def _link(association) -> str:
    return reverse("associations:end_by_link", args=[services.end_link_token(association)])


@pytest.mark.django_db
def test_the_link_ends_it_without_signing_in(client):
    person = make_client(claimed=False)  # consent recorded offline is only for a client with no account
    navigator = make_assister(AssisterKind.NAVIGATOR)
    association = _offline(person, navigator)
    url = _link(association)
    page = client.get(url)
    assert page.status_code == 200
    assert navigator.full_name in page.text and "End this" in page.text
    association.refresh_from_db()
    assert association.status == AssociationStatus.ACTIVE  # a GET (a mail scanner) changes nothing
    done = client.post(url)
    assert done.status_code == 200
    assert f"{navigator.full_name} can no longer see your information" in done.text
    association.refresh_from_db()
    assert (association.status, association.end_reason) == (AssociationStatus.ENDED, EndReason.RESCINDED)
    assert not navigator.user.has_perm("clients.view_client", person)
    ended = AuditEvent.objects.get(action=Action.ASSOCIATION_ENDED, client=person)
    assert ended.actor is None  # whoever held the emailed link; nobody was signed in
    assert permissions_drift() == []
    # Used once: the same link now says it is not valid.
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.django_db
def test_the_link_works_for_a_client_who_has_not_claimed_their_account(client):
    person = make_client(claimed=False)
    cac = make_assister(AssisterKind.CAC)
    association = _offline(person, cac)
    assert client.post(_link(association)).status_code == 200
    association.refresh_from_db()
    assert association.status == AssociationStatus.ENDED
    assert AuditEvent.objects.get(action=Action.ASSOCIATION_ENDED, client=person).actor is None


@pytest.mark.django_db
def test_a_tampered_or_made_up_token_is_404(client):
    association = associate(make_client(), make_assister(AssisterKind.BROKER))
    token = services.end_link_token(association)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "nonsense", "a" * 500):
        url = reverse("associations:end_by_link", args=[bad])
        assert client.get(url).status_code == 404
        response = client.post(url)
        assert response.status_code == 404
        assert "This link is not valid" in response.text
    association.refresh_from_db()
    assert association.status == AssociationStatus.ACTIVE


@pytest.mark.django_db
def test_the_end_button_is_csrf_protected():
    association = associate(make_client(), make_assister(AssisterKind.NAVIGATOR))
    browser = BrowserClient(enforce_csrf_checks=True)
    assert browser.post(_link(association)).status_code == 403
    association.refresh_from_db()
    assert association.status == AssociationStatus.ACTIVE
