import csv
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from accounts.models import Role, User
from associations.models import Association, AssociationStatus
from associations.permissions_sync import permissions_drift
from certification.models import Agency, Assister, AssisterKind, Certification, Status
from conftest import totp_code
from core import geo
from directory import demo as directory_demo
from directory import selectors


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    models = (User, Agency, Assister, Certification, Association)
    return {model.__name__: model.objects.count() for model in models} | {
        "listed assisters": selectors.listed_assisters().count(),
        "listed agencies": selectors.listed_agencies().count(),
    }


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


def assisters_within(place: str, radius: int) -> int:
    where = geo.find_place(place)
    return sum(
        selectors.search(selectors.Criteria(place=where, radius=radius, kind=kind)).total for kind in AssisterKind
    )


@pytest.mark.django_db
def test_seed_demo_lists_assisters_across_minnesota():
    printed = seed()
    listed = selectors.listed_assisters()
    people = directory_demo.people()
    assert len({person.local for _, person in people}) == len(people)
    assert listed.filter(user__email__in=[f"{p.local}@demo.assister.example" for _, p in people]).count() == len(people)
    assert 40 <= listed.count() <= 80 and 15 <= selectors.listed_agencies().count() <= 25
    assert f"+ {listed.count()} assisters and" in printed
    assert "kazoua.her@" not in printed  # the directory's people are not in the login list
    for place in ("55802", "55901", "56560", "56601", "55401"):  # Duluth, Rochester, Moorhead, Bemidji, Minneapolis
        assert assisters_within(place, 25) >= 1, place
    # From every Minnesota ZIP code, a 100-mile search finds an assister.
    positions = list(listed.values_list("latitude", "longitude"))
    with (geo.DATA_DIR / "mn_zip_codes.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            lat, lon = float(row["latitude"]), float(row["longitude"])
            assert min(geo.haversine_miles(lat, lon, *p) for p in positions) <= 100, row["zip"]
    # A varied directory: own offices, languages, services, accessibility, people not taking clients.
    assert listed.exclude(office_zip="").exclude(location_zip=F("agency__zip_code")).count() >= 10
    assert {"es", "hmn", "so", "vi", "om", "kar", "oj", "dak", "ase"} <= set(
        listed.values_list("languages__code", flat=True)
    )
    assert listed.filter(serves_shop=True).exists() and listed.filter(serves_public_programs=True).exists()
    assert listed.filter(asl_available=True).exists() and listed.filter(open_weekends=True).exists()
    assert listed.filter(accepting_new_clients=False).exists() and listed.filter(accepting_new_clients=True).exists()
    # The directory's accounts share the demo password.
    assert User.objects.get(email="kazoua.her@demo.assister.example").check_password("Minnesota-demo-2026")
