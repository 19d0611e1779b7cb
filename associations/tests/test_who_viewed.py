"""“Who viewed my information”: every read or action by someone else, with who, role, agency and when."""

from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from associations.permissions import access_client
from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from audit.services import audit_record
from certification.models import AssisterKind
from certification.tests.factories import make_assister
from clients.tests.factories import make_client
from conftest import sign_in

WHO_VIEWED = reverse("associations:who_viewed")


def _chicago(moment) -> str:
    return dateformat.format(timezone.localtime(moment, ZoneInfo("America/Chicago")), "M j, Y g:i a")


@pytest.mark.django_db
def test_an_assisters_view_is_listed_with_name_role_agency_and_time(client):
    person = make_client()
    broker = make_assister(AssisterKind.BROKER)
    associate(person, broker)
    access_client(broker.user, person.public_id, request=None)
    event = AuditEvent.objects.get(action=Action.CLIENT_VIEWED, client=person)
    sign_in(client, person.user, follow=False)
    page = client.get(WHO_VIEWED)
    assert page.status_code == 200
    text = page.text
    assert broker.user.get_full_name() in text
    assert "Assister" in text
    assert str(broker.agency) in text
    assert "Client information viewed: viewed client page" in text
    assert _chicago(event.at) in text


@pytest.mark.django_db
def test_my_own_actions_are_not_listed(client):
    person = make_client()
    navigator = make_assister(AssisterKind.NAVIGATOR)
    associate(person, navigator)  # the consumer's own action, audited with them as the actor
    assert AuditEvent.objects.filter(client=person, actor=person.user).exists()
    sign_in(client, person.user, follow=False)
    text = client.get(WHO_VIEWED).text
    assert "No one else has viewed your information yet." in text
    assert "Assister of record started" not in text


@pytest.mark.django_db
def test_someone_elses_views_are_not_mine(client):
    mine, theirs = make_client(), make_client()
    broker = make_assister(AssisterKind.BROKER)
    associate(theirs, broker)
    access_client(broker.user, theirs.public_id, request=None)
    sign_in(client, mine.user, follow=False)
    assert broker.user.get_full_name() not in client.get(WHO_VIEWED).text


@pytest.mark.django_db
def test_staff_are_named_as_mnsure_staff(client):
    person = make_client()
    staff = UserFactory(role=Role.STAFF, email="reviewer@example.org", first_name="Rita", last_name="Reviewer")
    audit_record(
        action=Action.CLIENT_VIEWED, actor=staff, target=person, client=person, details={"what": "reviewed documents"}
    )
    sign_in(client, person.user, follow=False)
    text = client.get(WHO_VIEWED).text
    assert "MNsure staff: Rita Reviewer" in text
    assert "Exchange staff" in text
    assert "reviewed documents" in text


@pytest.mark.django_db
def test_it_is_paginated_and_bad_page_numbers_do_not_fail(client):
    person = make_client()
    broker = make_assister(AssisterKind.BROKER)
    associate(person, broker)
    for _ in range(30):
        access_client(broker.user, person.public_id, request=None)
    sign_in(client, person.user, follow=False)
    first = client.get(WHO_VIEWED).text
    assert first.count("viewed client page") == 25
    assert "Page 1 of 2" in first
    second = client.get(WHO_VIEWED, {"page": 2}).text
    assert second.count("viewed client page") == 5
    for bad in ("0", "-1", "999", "abc", "1e9", "%00"):
        response = client.get(WHO_VIEWED, {"page": bad})
        assert response.status_code == 200, bad


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_rows(client):
    person = make_client()
    navigator = make_assister(AssisterKind.NAVIGATOR)
    broker = make_assister(AssisterKind.BROKER)
    associate(person, navigator)
    associate(person, broker)
    sign_in(client, person.user, follow=False)
    access_client(navigator.user, person.public_id, request=None)
    client.get(WHO_VIEWED)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(WHO_VIEWED).status_code == 200
    for viewer in [navigator, broker] * 15:
        access_client(viewer.user, person.public_id, request=None)
    assert AuditEvent.objects.filter(client=person).exclude(actor=person.user).count() == 31
    with CaptureQueriesContext(connection) as thirty:
        assert client.get(WHO_VIEWED).status_code == 200
    assert len(one) == len(thirty), [q["sql"] for q in thirty.captured_queries]
    print(f"who_viewed queries: {len(one)} at 1 event, {len(thirty)} at 31 events")
