"""Staff change accounts in the user admin; every change of role, staff flag or groups is in the audit trail."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent
from conftest import sign_in

pytestmark = pytest.mark.django_db


def change_url(user):
    return f"/admin/accounts/user/{user.pk}/change/"


def form_data(user, **changes):
    """The change form as the admin page sends it: unticked boxes are not sent at all."""
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [],
    }
    data.update(changes)
    return {name: ("on" if value is True else value) for name, value in data.items() if value is not False}


def test_making_a_consumer_exchange_staff_in_the_admin_is_audited_with_who_and_from_to(client, superuser_staff):
    person = UserFactory(role=Role.CONSUMER, email="newhire@example.org")
    reviewers = Group.objects.get(name="Certification reviewers")
    sign_in(client, superuser_staff)
    assert client.get(change_url(person)).status_code == 200
    response = client.post(change_url(person), form_data(person, role=Role.STAFF, is_staff=True, groups=[reviewers.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.role == Role.STAFF and person.is_staff and list(person.groups.all()) == [reviewers]
    event = AuditEvent.objects.get(action=Action.ACCOUNT_ACCESS_CHANGED)
    assert event.actor == superuser_staff and event.object_id == str(person.pk)
    assert event.details["changes"] == {
        "role": {"from": "consumer", "to": "staff"},
        "is_staff": {"from": False, "to": True},
        "groups": {"from": [], "to": ["Certification reviewers"]},
    }
    assert event.ip == "127.0.0.1" and event.request_id


def test_taking_staff_access_away_is_audited_too(client, superuser_staff, exchange_staff):
    sign_in(client, superuser_staff)
    response = client.post(change_url(exchange_staff), form_data(exchange_staff, is_staff=False, groups=[]))
    assert response.status_code == 302
    exchange_staff.refresh_from_db()
    assert not exchange_staff.is_staff and not exchange_staff.groups.exists()
    changes = AuditEvent.objects.get(action=Action.ACCOUNT_ACCESS_CHANGED, actor=superuser_staff).details["changes"]
    assert changes == {
        "is_staff": {"from": True, "to": False},
        "groups": {"from": ["Certification reviewers"], "to": []},
    }


def test_a_name_change_is_audited_as_a_detail_and_saving_nothing_writes_nothing(client, superuser_staff):
    person = UserFactory(role=Role.CONSUMER, first_name="Ana")
    sign_in(client, superuser_staff)
    client.post(change_url(person), form_data(person))
    assert not AuditEvent.objects.filter(action__in=[Action.ACCOUNT_ACCESS_CHANGED, Action.ACCOUNT_UPDATED]).exists()
    client.post(change_url(person), form_data(person, first_name="Ana María"))
    event = AuditEvent.objects.get(action=Action.ACCOUNT_UPDATED)
    assert event.details["changes"] == {"first_name": {"from": "Ana", "to": "Ana María"}}


def test_a_staff_flag_without_the_staff_role_is_refused_and_nothing_is_saved_or_audited(client, superuser_staff):
    person = UserFactory(role=Role.CONSUMER)
    sign_in(client, superuser_staff)
    response = client.post(change_url(person), form_data(person, is_staff=True))
    assert response.status_code == 200 and "errornote" in response.content.decode()
    person.refresh_from_db()
    assert not person.is_staff
    assert not AuditEvent.objects.filter(action=Action.ACCOUNT_ACCESS_CHANGED).exists()


def test_an_account_added_in_the_admin_is_audited_with_its_role(client, superuser_staff):
    sign_in(client, superuser_staff)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "added@example.org",
            "role": Role.AGENCY_SUPPORT,
            "usable_password": "true",
            "password1": "a long enough passphrase 123",
            "password2": "a long enough passphrase 123",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = User.objects.get(email="added@example.org")
    event = AuditEvent.objects.get(action=Action.ACCOUNT_ACCESS_CHANGED, object_id=str(added.pk))
    assert event.actor == superuser_staff and event.details["created"] is True
    assert event.details["changes"]["role"] == {"from": None, "to": "agency_support"}
