"""The benchmark's build, at a tiny scale in the test database: right counts, the one-per-kind rule, zero drift, listings."""

import random
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db.models import Count, F
from django.utils import timezone

from accounts.models import User
from applications import answers, eligibility
from applications import selectors as application_selectors
from applications import shopping as shopping_rules
from applications.eligibility import Determination as Result
from applications.models import Application, ApplicationRevision, ApplicationStatus, Enrollment
from applications.periods import coverage_start
from associations import selectors as book
from associations.models import Association, AssociationStatus
from associations.permissions_sync import permissions_drift
from certification.models import Agency, AgencyMembership, Assister, MembershipRole
from certification.selectors import agency_is_approved, assister_may_act
from clients.models import Client
from core import geo
from plans.models import Catalog, Market, MetalLevel, Plan

from .book_applications import (
    CATALOG_PLANS,
    COVERAGE_YEAR,
    SHOP_AREA,
    SHOPPER_EMAIL,
    STATUS_WEIGHTS,
    SUBMITTED,
)
from .build import CITIES, EMAIL_DOMAIN, build, guardian_differences, plan_books
from .listings import METRO_COUNTIES, Geography, listed_counts, plan
from .measure import PageResult, _request, breakdown, open_enrollment_around, plan_list_groups, shopping_pages
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
    # The household of four that shops for a plan (issue 13) is built through the services: its own test below.
    with_assister = set(Association.objects.exclude(client__email=SHOPPER_EMAIL).values_list("client_id", flat=True))
    applications = list(Application.objects.exclude(client__email=SHOPPER_EMAIL).select_related("determination"))
    assert {a.client_id for a in applications} == with_assister
    assert result.counts["applications"] == len(applications) >= len(with_assister)  # some withdrew one first
    assert {a.coverage_year for a in applications} == {COVERAGE_YEAR}
    assert {a.status for a in applications} <= set(STATUS_WEIGHTS)
    current = Counter(a.client_id for a in applications if a.status != ApplicationStatus.WITHDRAWN)
    assert max(current.values()) == 1
    revisions = {
        r.application_id: r
        for r in ApplicationRevision.objects.exclude(application__client__email=SHOPPER_EMAIL).select_related(
            "association__assister"
        )
    }
    assert len(revisions) == len(applications)
    assert ApplicationRevision.objects.exclude(application__client__email=SHOPPER_EMAIL).count() == len(applications)
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


def test_a_200_plan_catalog_in_area_8_and_a_determined_household_of_four_that_shops_in_it(built):
    _scale, result = built
    shopping = result.shopping
    catalog = Catalog.objects.get(year=COVERAGE_YEAR, market=Market.INDIVIDUAL)
    assert catalog.is_sample and "made up" in catalog.source  # labelled sample data
    in_area = Plan.objects.filter(catalog=catalog, rating_area__number=SHOP_AREA)
    assert in_area.count() == shopping["plans_in_area"] == CATALOG_PLANS
    assert in_area.values("plan_id").distinct().count() == CATALOG_PLANS
    assert Plan.objects.filter(catalog=catalog).count() == shopping["catalog_rows"] == 9 * CATALOG_PLANS
    assert set(in_area.values_list("metal_level", flat=True)) == set(MetalLevel.values)
    assert in_area.filter(plan_id=shopping["choose_plan_id"], metal_level=MetalLevel.SILVER).exists()

    application = Application.objects.select_related("client", "rating_area", "determination").get(
        public_id=shopping["application"]
    )
    assert application.client.email == SHOPPER_EMAIL and application.coverage_year == COVERAGE_YEAR
    assert application.status == ApplicationStatus.DETERMINED and application.rating_area.number == SHOP_AREA
    assert not application.enrollments.exists()
    start = coverage_start(COVERAGE_YEAR)
    ages = sorted(
        eligibility.age_on(date.fromisoformat(m["date_of_birth"]), start) for m in application.data["members"]
    )
    assert ages == [8, 12, 40, 42]
    # All four may enroll with the credit (worked out from the catalog's benchmark plan), above the $100 the
    # harness's filtered list takes.
    who = shopping_rules.household(application.data, Result.from_dict(application.determination.data))
    assert len(who.members) == 4 and all(m.credit for m in who.members)
    assert who.max_credit == application.determination.max_monthly_credit > 100
    # Through the services: started, saved, reviewed with the household, submitted by the broker of record.
    association = Association.objects.get(client=application.client, status=AssociationStatus.ACTIVE)
    assert association.assister.user.email == shopping["broker_email"] and association.kind == "broker"
    assert association.can_select_plan
    assert ApplicationRevision.objects.filter(application=application).count() >= 3
    assert guardian_differences([application.client_id]) == []


def test_the_broker_sees_the_200_plans_and_the_selection_can_be_rolled_back(built, client, settings):
    """What the harness measures, once, in the test database: the list reads plans in one query, and a selection
    made inside a transaction that is rolled back leaves the household as it was."""
    _scale, result = built
    shopping = result.shopping
    today = timezone.localdate()
    settings.OPEN_ENROLLMENT_PERIODS = {COVERAGE_YEAR: open_enrollment_around(today)}
    client.force_login(User.objects.get(email=shopping["broker_email"]))
    pages = {page.key: page for page in shopping_pages(result.shopping)}
    response = client.get(pages["plans"].url)
    assert response.status_code == 200 and len(response.context["options"]) == CATALOG_PLANS
    response = client.get(pages["plans_filtered"].url)
    options = response.context["options"]
    assert options and {o.plan.metal_level for o in options} == {MetalLevel.SILVER}
    assert all(o.credit == Decimal("100.00") for o in options)
    listed = PageResult(pages["plans"])
    _request(listed, client, record=True)
    assert listed.error is None and listed.plan_queries == [1]
    kinds = dict(breakdown(listed.usual_sql))
    assert sum(kinds.values()) == listed.queries[0] and kinds["SELECT plans_plan"] == 1
    groups = plan_list_groups(listed.usual_sql)  # the catalog, and whether a dispute suspends this broker
    assert groups["the list's own reads"] == 2 and sum(groups.values()) == listed.queries[0]
    assert groups["session, user, MFA"] == 3 and groups["audit row"] >= 1

    chosen = PageResult(pages["choose"])
    for _ in range(2):  # the same household chooses again: the first choice was rolled back
        _request(chosen, client, record=True)
        assert chosen.error is None, chosen.error
    assert len(chosen.times_ms) == 2 and chosen.plan_queries == [3, 3]  # the area's list, the plan, its FK check
    assert any('INSERT INTO "applications_enrollment"' in sql for sql in chosen.usual_sql)
    # (the build's other enrollments, bench/book_followups.py, are the enrolled applications')
    assert not Enrollment.objects.filter(application__public_id=shopping["application"]).exists()
    application = Application.objects.get(public_id=shopping["application"])
    assert application.status == ApplicationStatus.DETERMINED
