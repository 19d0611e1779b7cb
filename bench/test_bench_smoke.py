"""The benchmark's build, at a tiny scale in the test database: right counts, the one-per-kind rule, zero drift, listings."""

import random
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.db.models import Count, F
from django.utils import timezone

from accounts.models import User
from applications import answers
from applications import selectors as application_selectors
from applications.eligibility import Determination as Result
from applications.models import Application, ApplicationRevision, ApplicationStatus
from applications.periods import coverage_start
from associations import selectors as book
from associations.models import Association, AssociationStatus
from associations.permissions_sync import permissions_drift
from certification.models import Agency, AgencyMembership, Assister, MembershipRole
from certification.selectors import agency_is_approved, assister_may_act
from clients.models import Client
from core import geo

from .book_applications import COVERAGE_YEAR, STATUS_WEIGHTS, SUBMITTED
from .build import CITIES, EMAIL_DOMAIN, build, guardian_differences, plan_books
from .listings import METRO_COUNTIES, Geography, listed_counts, plan
from .scale import Scale

pytestmark = pytest.mark.django_db


@pytest.fixture
def built():
    scale = Scale.tiny()
    return scale, build(scale)


def test_tiny_build_writes_the_planned_rows(built):
    scale, result = built
    agencies = Agency.objects.filter(legal_name__startswith="Bench Agency")
    assert agencies.count() == scale.agencies
    assert Assister.objects.filter(agency__in=agencies).count() == scale.agencies * scale.assisters_per_agency
    assert User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count() == scale.agencies * (
        scale.assisters_per_agency + 1
    )
    client_ids = list(Client.objects.filter(email__endswith="@example.net").values_list("pk", flat=True))
    assert len(client_ids) == scale.clients == result.counts["clients"]
    active = Association.objects.filter(client_id__in=client_ids, status=AssociationStatus.ACTIVE)
    assert active.count() == scale.associations
    assert active.filter(assister__user__email=result.big_assister_email).count() == scale.big_assister_clients
    assert active.filter(assister__user__email=result.small_assister_email).count() == scale.small_assister_clients
    assert active.filter(assister__agency_id=result.big_agency_id).count() == scale.big_agency_associations


def test_no_client_has_two_active_associations_of_one_kind(built):
    _scale, _result = built
    doubled = (
        Association.objects.filter(status=AssociationStatus.ACTIVE)
        .values("client_id", "kind")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert list(doubled) == []
    assert not Association.objects.exclude(kind=F("assister__kind")).exists()


def test_guardian_rows_equal_what_the_associations_imply(built):
    _scale, _result = built
    client_ids = Client.objects.filter(email__endswith="@example.net").values_list("pk", flat=True)
    assert guardian_differences(client_ids) == []
    assert permissions_drift() == []  # the whole database, group membership included: cheap at this size


def test_measured_people_can_act_and_admins_are_in_their_agency_group(built):
    _scale, result = built
    assert assister_may_act(User.objects.get(email=result.big_assister_email))
    assert assister_may_act(User.objects.get(email=result.small_assister_email))
    assert agency_is_approved(Agency.objects.get(pk=result.big_agency_id))
    admin = User.objects.get(email=result.big_agency_admin_email)
    assert AgencyMembership.objects.get(user=admin).role == MembershipRole.ADMIN
    assert list(admin.groups.values_list("name", flat=True)) == [f"agency:{result.big_agency_id}:admin"]
    assert Group.objects.filter(name=f"agency:{result.big_agency_id}:support").exists()


def test_full_scale_plan_fits_one_association_per_client_per_kind():
    books = plan_books(Scale())
    assert sum(map(sum, books)) == 150_000
    assert books[0][0] == 2_000 and sum(books[0]) == 20_000 and books[1][0] == 10


def test_every_directory_listing_is_listed_where_its_office_is(built):
    scale, result = built
    assert listed_counts() == (
        scale.directory_listings - scale.directory_agencies,
        scale.directory_agencies,
    )
    assert result.directory["listings"] == scale.directory_listings
    for listing in [*Agency.objects.select_related("location_county"), *Assister.objects.select_related("agency")]:
        office = listing.zip_code if isinstance(listing, Agency) else listing.office_zip or listing.agency.zip_code
        place = geo.locate_zip(office)
        assert (listing.location_zip, listing.latitude, listing.longitude) == (
            place.zip_code,
            place.latitude,
            place.longitude,
        )
        assert listing.location_county.fips == place.county_fips
        assert listing.languages.exists()
        assert listing.counties.filter(pk=listing.location_county_id).exists()


def test_full_scale_directory_plan_follows_the_population():
    geography = Geography.load()
    scale = Scale()
    existing = [(CITIES[i % len(CITIES)][1], scale.assisters_per_agency) for i in range(scale.agencies)]
    planned = plan(scale, existing, geography, random.Random(1))  # noqa: S311 - a reproducible plan
    listings = Counter()
    for zip_code, n in existing:
        listings[geo.locate_zip(zip_code).county_fips] += 1 + n
    for agency in planned:
        assert agency.offices  # a navigator organization is listed only with a listed navigator
        listings[agency.zip.county] += 1
        for office in agency.offices:
            listings[(office or agency.zip).county] += 1
    assert len(planned) == scale.directory_agencies - scale.agencies
    assert sum(listings.values()) == scale.directory_listings
    assert set(listings) == set(geography.counties) and min(listings.values()) >= 2
    names = geography.names
    metro = sum(n for fips, n in listings.items() if names[fips] in METRO_COUNTIES)
    assert 0.5 < metro / scale.directory_listings < 0.6
    by_name = {names[fips]: n for fips, n in listings.items()}
    regional = ["Olmsted", "St. Louis", "Stearns", "Blue Earth", "Clay", "Beltrami"]
    assert all(by_name[name] > by_name["Traverse"] for name in regional)


def test_every_client_with_an_assister_has_a_2027_application_with_one_revision(built):
    _scale, result = built
    after_build = timezone.now()
    with_assister = set(Association.objects.values_list("client_id", flat=True))
    applications = list(Application.objects.select_related("determination"))
    assert {a.client_id for a in applications} == with_assister
    assert result.counts["applications"] == len(applications) >= len(with_assister)  # some withdrew one first
    assert {a.coverage_year for a in applications} == {COVERAGE_YEAR}
    assert {a.status for a in applications} <= set(STATUS_WEIGHTS)
    current = Counter(a.client_id for a in applications if a.status != ApplicationStatus.WITHDRAWN)
    assert max(current.values()) == 1
    revisions = {r.application_id: r for r in ApplicationRevision.objects.select_related("association__assister")}
    assert ApplicationRevision.objects.count() == len(applications) == len(revisions)
    start = coverage_start(COVERAGE_YEAR)
    for application in applications:
        revision = revisions[application.pk]
        assert (revision.number, revision.status, revision.data) == (
            application.version,
            application.status,
            application.data,
        )
        # Started by the assister of one of the client's associations, acting through it.
        assert revision.actor_id == application.created_by_id == revision.association.assister.user_id
        assert revision.association.client_id == application.client_id and revision.on_behalf
        started = revision.association.started_at
        assert started < application.created_at <= application.updated_at == revision.at < after_build
        assert application.data["members"][0]["relationship"] == answers.Relationship.SELF
        determination = application.determination
        if application.status in SUBMITTED:
            assert determination is not None and application.submitted_at is not None
        if determination is not None:
            assert answers.problems(application.data, coverage_start=start) == []
            assert determination.application_id == application.pk
            view = Result.from_dict(determination.data)
            assert view.max_monthly_credit == determination.max_monthly_credit
            assert determination.programs == ",".join(
                sorted({str(m.program) for m in view.members if m.program != "not_applying"})
            )
        else:
            assert application.status in (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN)


def test_the_dashboard_rows_carry_the_current_application(built):
    scale, result = built
    user = User.objects.get(email=result.big_assister_email)
    rows = list(application_selectors.with_current_application(book.client_book(user)))
    assert len(rows) == scale.big_assister_clients
    current = {
        a.client_id: a
        for a in Application.objects.exclude(status=ApplicationStatus.WITHDRAWN).select_related("determination")
    }
    for row in rows:
        application = current.get(row.client_id)
        assert row.application_status == (application.status if application else None)
        if application and application.determination:
            assert row.application_programs == application.determination.programs
