"""The search's SQL (directory.sql) and the ORM selectors the listing pages use list the same people."""

from datetime import timedelta

import pytest
from django.db import connection

from certification import services
from certification.models import AgencyKind, AgencyMembership, AssisterKind, MembershipRole
from certification.periods import today
from certification.tests.factories import make_agency, make_assister, staff_user
from directory import selectors, sql
from directory.selectors import Criteria

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
