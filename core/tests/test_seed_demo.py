import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Role, User
from associations.models import Association, AssociationStatus
from associations.permissions_sync import permissions_drift
from certification.models import Agency, Certification, Status
from conftest import totp_code


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in (User, Agency, Certification, Association)}


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_has_every_role_and_case():
    printed = seed()
    first = counts()
    seed()
    assert counts() == first
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    assert "Minnesota-demo-2026" in printed and "staff@demo.assister.example" in printed
    for kind in ("broker", "navigator", "cac"):
        assert Certification.objects.filter(assister__kind=kind, status=Status.APPROVED).exists()
        assert Certification.objects.filter(assister__kind=kind, status=Status.SUBMITTED).exists()
    assert Certification.objects.filter(status=Status.EXPIRED).exists()
    expiring = Certification.objects.get(assister__user__email="expiring-broker@demo.assister.example")
    assert (expiring.valid_until - expiring.valid_from).days > 0 and expiring.status == Status.APPROVED
    statuses = set(Association.objects.values_list("status", flat=True))
    assert {AssociationStatus.ACTIVE, AssociationStatus.PENDING, AssociationStatus.ENDED} <= statuses
    assert (
        Association.objects.filter(client__user__email="all-three@demo.assister.example", status="active").count() == 3
    )
    assert permissions_drift() == []


@pytest.mark.django_db
def test_demo_totp_prints_the_current_code_of_a_demo_account():
    seed()
    out = StringIO()
    call_command("demo_totp", "broker@demo.assister.example", stdout=out)
    code = re.match(r"(\d{6})", out.getvalue()).group(1)
    assert code == totp_code(User.objects.get(email="broker@demo.assister.example"))
