"""The search's SQL (directory.sql) and the ORM selectors the listing pages use list the same people."""

from datetime import date, timedelta

import pytest
from django.db import connection

from certification import services
from certification.models import AgencyKind, AgencyMembership, AssisterKind, MembershipRole
from certification.periods import today
from certification.tests.factories import make_agency, make_assister, staff_checks, staff_user
from directory import selectors, sql
from directory.selectors import Criteria
from directory.services import coverage

from .factories import list_agency, list_assister, office

pytestmark = pytest.mark.django_db


def sql_refs() -> set[str]:
    query = sql.matches(Criteria(), today())
    with connection.cursor() as cursor:
        cursor.execute(query.text, query.params)
        return {row[0] for row in cursor.fetchall()}


def orm_refs() -> set[str]:
    assisters = set(selectors.listed_assisters().values_list("assister_id", flat=True))
    agencies = {str(pk) for pk in selectors.listed_agencies().values_list("public_id", flat=True)}
    return assisters | agencies


def test_the_sql_and_the_orm_agree_on_who_is_listed(time_machine):
    listed = list_assister(**office("55401"))
    list_agency(listed.agency)
    make_assister()  # certified, not opted in
    list_assister(assister=make_assister(state="submitted"))  # opted in, not certified
    suspended = list_assister(AssisterKind.CAC)
    decertified = list_assister(AssisterKind.NAVIGATOR)
    left = list_assister()
    wisconsin = make_agency(zip_code="54016", city="Hudson", state="WI")
    list_agency(wisconsin)
    list_assister(assister=make_assister(agency=wisconsin))  # not placed in Minnesota
    lapsed_agency = make_agency()
    list_agency(lapsed_agency)
    list_assister(assister=make_assister(agency=lapsed_agency))
    empty_navigator_org = make_agency(AgencyKind.NAVIGATOR_ORG)
    list_agency(empty_navigator_org)
    list_assister(AssisterKind.CAC, assister=make_assister(AssisterKind.CAC, agency=empty_navigator_org))
    navigator_org = make_agency(AgencyKind.NAVIGATOR_ORG)
    list_agency(navigator_org)
    list_assister(AssisterKind.NAVIGATOR, assister=make_assister(AssisterKind.NAVIGATOR, agency=navigator_org))

    staff = staff_user()
    services.certification_decide(
        certification=suspended.certifications.get(), action="suspend", actor=staff, reason="Test."
    )
    services.certification_decide(
        certification=decertified.certifications.get(), action="decertify", actor=staff, reason="Test."
    )
    admin = AgencyMembership.objects.get(agency=left.agency, role=MembershipRole.ADMIN).user
    services.membership_end(membership=AgencyMembership.objects.get(user=left.user, ended_at__isnull=True), actor=admin)
    services.certification_decide(
        certification=lapsed_agency.certifications.get(), action="suspend", actor=staff, reason="Test."
    )

    assert sql_refs() == orm_refs()
    assert listed.assister_id in sql_refs()
    assert str(navigator_org.public_id) in sql_refs()
    assert str(empty_navigator_org.public_id) not in sql_refs()
    assert len(sql_refs()) == 5  # the broker and his agency, the navigator and her org, the CAC of the empty org

    valid_until = listed.certifications.get().valid_until
    time_machine.move_to(f"{(valid_until + timedelta(days=1)).isoformat()}T12:00:00-06:00")
    assert sql_refs() == orm_refs() == set()


def test_coverage_is_the_first_unbroken_run_not_yet_ended():
    day = date(2027, 9, 1)
    current = (date(2026, 11, 1), date(2027, 10, 31))
    renewal = (date(2027, 11, 1), date(2028, 10, 31))
    assert coverage([current], day) == current
    assert coverage([renewal, current], day) == (date(2026, 11, 1), date(2028, 10, 31))
    assert coverage([current, (date(2027, 11, 2), date(2028, 10, 31))], day) == current  # a gap: the first run
    assert coverage([renewal], day) == renewal  # starts later
    assert coverage([(date(2025, 11, 1), date(2026, 10, 31))], day) is None  # over
    assert coverage([], day) is None


def test_a_renewed_listing_stays_listed_into_the_next_period(time_machine):
    broker = list_assister(**office("55401"))
    agency = broker.agency
    staff = staff_user()
    admin = AgencyMembership.objects.get(agency=agency, role=MembershipRole.ADMIN).user
    current = broker.certifications.get()
    time_machine.move_to(f"{current.valid_until.replace(day=1) - timedelta(days=60):%Y-%m-%d}T12:00:00-05:00")

    agency_renewal = services.agency_renew(agency=agency, actor=admin)
    services.certification_decide(certification=agency_renewal, action="approve", actor=staff, reason="Renewed.")
    renewal = services.certification_renew(assister=broker, actor=broker.user)
    services.certification_sign_agreement(certification=renewal, actor=broker.user, typed_name=broker.full_name)
    services.certification_submit(certification=renewal, actor=broker.user)
    staff_checks(renewal)
    services.certification_decide(certification=renewal, action="approve", actor=staff, reason="Renewed.")
    renewal.refresh_from_db()
    broker.refresh_from_db()
    assert broker.listed_until == renewal.valid_until

    time_machine.move_to(f"{current.valid_until + timedelta(days=3):%Y-%m-%d}T12:00:00-06:00")
    assert broker.assister_id in sql_refs()
    assert sql_refs() == orm_refs()


def test_a_navigator_organization_leaves_with_its_last_listed_navigator():
    org = make_agency(AgencyKind.NAVIGATOR_ORG)
    list_agency(org)
    navigator = list_assister(AssisterKind.NAVIGATOR, assister=make_assister(AssisterKind.NAVIGATOR, agency=org))
    assert str(org.public_id) in sql_refs()
    services.certification_decide(
        certification=navigator.certifications.get(), action="suspend", actor=staff_user(), reason="Test."
    )
    assert str(org.public_id) not in sql_refs()
    assert sql_refs() == orm_refs()
    services.assister_update_profile(assister=navigator, actor=navigator.user, fields={"directory_opt_in": False})
    services.certification_decide(
        certification=navigator.certifications.get(), action="reinstate", actor=staff_user(), reason="Cleared."
    )
    assert str(org.public_id) not in sql_refs()  # reinstated, but not opted in
    assert sql_refs() == orm_refs()


def test_the_daily_sweep_recomputes_every_listing():
    from certification.models import Assister
    from certification.tasks import certification_daily_sweep

    broker = list_assister(**office("55401"))
    Assister.objects.filter(pk=broker.pk).update(listed_until=None)  # as if a change had missed it
    assert broker.assister_id not in sql_refs()
    assert certification_daily_sweep()["listings_changed"] == 1
    assert broker.assister_id in sql_refs()


def test_a_renewal_approved_while_the_current_certification_is_suspended_lists_from_its_first_day(time_machine):
    broker = list_assister(**office("55401"))
    staff = staff_user()
    admin = AgencyMembership.objects.get(agency=broker.agency, role=MembershipRole.ADMIN).user
    current = broker.certifications.get()
    time_machine.move_to(f"{current.valid_until.replace(day=1) - timedelta(days=60):%Y-%m-%d}T12:00:00-05:00")
    agency_renewal = services.agency_renew(agency=broker.agency, actor=admin)
    services.certification_decide(certification=agency_renewal, action="approve", actor=staff, reason="Renewed.")
    renewal = services.certification_renew(assister=broker, actor=broker.user)
    services.certification_sign_agreement(certification=renewal, actor=broker.user, typed_name=broker.full_name)
    services.certification_submit(certification=renewal, actor=broker.user)
    staff_checks(renewal)
    services.certification_decide(certification=current, action="suspend", actor=staff, reason="Complaint.")
    services.certification_decide(certification=renewal, action="approve", actor=staff, reason="Renewed.")
    assert broker.assister_id not in sql_refs()
    assert sql_refs() == orm_refs()

    # Just after midnight on the renewal's first day, before any sweep: listed by both definitions.
    time_machine.move_to(f"{current.valid_until + timedelta(days=1):%Y-%m-%d}T00:30:00-06:00")
    assert broker.assister_id in sql_refs()
    assert sql_refs() == orm_refs()


def test_migrate_recomputes_every_listing():
    from django.core.management import call_command

    from certification.models import Assister

    broker = list_assister(**office("55401"))
    Assister.objects.filter(pk=broker.pk).update(listed_from=None, listed_until=None)
    assert broker.assister_id not in sql_refs()
    call_command("migrate", verbosity=0)
    assert broker.assister_id in sql_refs()
