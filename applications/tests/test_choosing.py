"""Choosing a plan, by the consumer or on their behalf (issue 13): the priced plan list, filters and sorts in the
URL, comparing, taking less than the full credit, selecting (the enrollment, the writing agent, coverage dates),
changing plans, ending coverage, "I did not ask for this", and the agency's enrollments."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import (
    ApplicationStatus,
    DisputeStatus,
    Enrollment,
    EnrollmentDispute,
    EnrollmentEvent,
    EnrollmentStatus,
)
from applications.periods import termination_dates
from applications.tests import factories
from applications.tests.factories import born
from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from clients.tests.factories import make_client
from conftest import sign_in
from notices.models import Notice
from plans.models import Plan
from plans.tests.factories import make_catalog, plan_row

pytestmark = pytest.mark.django_db
SELECT = "select_plan_for_client"


def determined(client, *, income="36000", household=None):
    """The client's own 2027 application, filled and submitted by them: determined (single adult by default)."""
    application = factories.determined(client, income=income, household=household)
    assert application.status == ApplicationStatus.DETERMINED
    return application


def _select(application, actor, association=None, plan=None, credit=None):
    application.refresh_from_db()
    plan = plan or Plan.objects.filter(year=2027, rating_area=application.rating_area).order_by("plan_id").first()
    return services.enrollment_select(
        application=application,
        version=application.version,
        plan_id=plan.plan_id,
        credit=credit,
        actor=actor,
        association=association,
    )


# --- The plan list -------------------------------------------------------------------------------------------


def test_the_consumer_sees_every_plan_of_their_area_priced_with_their_credit(client, consumer, catalog_2027):
    application = determined(consumer.client)
    sign_in(client, consumer)
    response = client.get(reverse("applications:plans", args=[application.public_id]))
    assert response.status_code == 200
    options = response.context["options"]
    in_area = Plan.objects.filter(year=2027, rating_area=application.rating_area).count()
    assert len(options) == in_area > 10
    credit = application.determination.max_monthly_credit
    assert credit > 0
    for o in options:
        assert o.credit == min(credit, o.premium)
        assert o.net == o.premium - o.credit
    nets = [o.net for o in options]
    assert nets == sorted(nets)
    html = response.content.decode()
    assert "Sample plans and rates." in html
    assert "You pay each month" in html and "Estimated yearly cost (worst case)" in html


def test_filters_and_sorts_are_in_the_url_and_bad_values_say_how_to_fix_them(client, consumer, catalog_2027):
    application = determined(consumer.client)
    sign_in(client, consumer)
    url = reverse("applications:plans", args=[application.public_id])
    response = client.get(url, {"metal_level": ["silver"], "sort": "deductible"})
    options = response.context["options"]
    assert options and {o.plan.metal_level for o in options} == {"silver"}
    assert [o.plan.deductible for o in options] == sorted(o.plan.deductible for o in options)
    response = client.get(url, {"max_deductible": "1500", "sort": "yearly"})
    options = response.context["options"]
    assert all(o.plan.deductible <= 1500 for o in options)
    assert [o.yearly_estimate for o in options] == sorted(o.yearly_estimate for o in options)
    assert options[0].yearly_estimate == options[0].net * 12 + options[0].plan.deductible
    issuer = options[0].plan.issuer.hios_id
    response = client.get(url, {"issuer": issuer, "network": options[0].plan.network_type})
    assert {o.plan.issuer.hios_id for o in response.context["options"]} == {issuer}

    response = client.get(url, {"max_premium": "lots", "credit": "-4", "issuer": "00000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter an amount in dollars, like 300." in html
    assert "Enter 0 or more." in html
    assert "Select a valid choice" in html
    assert response.context["options"] == []


def test_htmx_gets_only_the_results(client, consumer, catalog_2027):
    application = determined(consumer.client)
    sign_in(client, consumer)
    response = client.get(
        reverse("applications:plans", args=[application.public_id]), {"metal_level": "gold"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert (
        'id="plans-summary"' in html
        and '<form method="get" action="/applications/' not in html.split("plans-summary")[0]
    )
    assert "<h1>" not in html


def test_taking_less_credit_raises_the_premium_after_credit_and_too_much_is_refused(client, consumer, catalog_2027):
    application = determined(consumer.client)
    maximum = application.determination.max_monthly_credit
    sign_in(client, consumer)
    url = reverse("applications:plans", args=[application.public_id])
    full = {o.plan.plan_id: o for o in client.get(url).context["options"]}
    part = {o.plan.plan_id: o for o in client.get(url, {"credit": "50"}).context["options"]}
    for plan_id, o in part.items():
        assert o.credit == min(Decimal("50.00"), full[plan_id].credit)
        assert o.net == o.premium - o.credit
    response = client.get(url, {"credit": str(maximum + 1)})
    assert f"Your credit is at most ${maximum:,.2f} a month" in response.content.decode()


@pytest.mark.parametrize("size", [1, 200])
def test_the_whole_list_is_one_query_whatever_the_catalog_size(client, consumer, size, django_assert_num_queries):
    rows = [
        plan_row(name=f"Plan {n}", base_rate=str(300 + n), metal_level=["bronze", "silver", "gold"][n % 3])
        for n in range(size)
    ]
    rows += [plan_row(name="Other area", rating_area=2)]
    if not any(r["metal_level"] == "silver" for r in rows[:size]):
        rows[0]["metal_level"] = "silver"
    make_catalog(*rows, year=2027)
    application = determined(consumer.client)
    sign_in(client, consumer)
    url = reverse("applications:plans", args=[application.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(response.context["options"]) == size
    plan_queries = [q for q in queries.captured_queries if 'FROM "plans_plan"' in q["sql"]]
    assert len(plan_queries) == 1
    fixed = len(queries.captured_queries)
    make_catalog(*rows, *[plan_row(name=f"More {n}", base_rate="500") for n in range(20)], year=2027)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == fixed


def test_compare_shows_two_or_three_plans_side_by_side(client, consumer, catalog_2027):
    application = determined(consumer.client)
    sign_in(client, consumer)
    plans = list(Plan.objects.filter(year=2027, rating_area=application.rating_area).order_by("plan_id")[:4])
    url = reverse("applications:compare", args=[application.public_id])
    response = client.get(url, {"plan": [p.plan_id for p in plans[:3]], "credit": "20"})
    assert response.status_code == 200
    assert [o.plan.plan_id for o in response.context["options"]] == [p.plan_id for p in plans[:3]]
    assert all(o.credit <= Decimal("20") for o in response.context["options"])
    response = client.get(url, {"plan": [p.plan_id for p in plans]}, follow=True)
    assert "Choose two or three plans to compare (you chose 4)." in response.content.decode()
    response = client.get(url, {"plan": [plans[0].plan_id, "99999MN0000000"]}, follow=True)
    assert "not offered where this household lives" in response.content.decode()


# --- Pricing rules -------------------------------------------------------------------------------------------


def test_the_credit_never_pays_a_tobacco_surcharge(consumer, open_enrollment):
    # The benchmark (second-lowest silver) is the $900 plan, so the credit is more than the $400 plan's premium
    # without the surcharge: the cap shows.
    make_catalog(plan_row(base_rate="400.00", tobacco_factor="1.500"), plan_row(base_rate="900.00"), year=2027)
    household = [
        {
            "date_of_birth": born(40),
            "tobacco": True,
            "files_taxes": True,
            "filing_status": "single",
            "incomes": [{"key": "i1", "kind": "wages", "amount": "32000", "frequency": "yearly"}],
        }
    ]
    application = determined(consumer.client, household=household)
    maximum = application.determination.max_monthly_credit
    plan = Plan.objects.get(year=2027, base_rate=Decimal("400.00"))
    enrollment = _select(application, consumer, plan=plan)
    without_surcharge = (Decimal("400.00") * Decimal("1.278")).quantize(Decimal("0.01"))
    assert enrollment.premium == (without_surcharge * Decimal("1.5")).quantize(Decimal("0.01"))
    assert maximum > without_surcharge
    assert enrollment.credit_applied == without_surcharge
    assert enrollment.net_premium == enrollment.premium - without_surcharge > 0


# --- Selecting --------------------------------------------------------------------------------------------------


def test_the_broker_selects_with_part_of_the_credit_and_the_consumer_is_told(
    client, consumer, broker, catalog_2027, open_enrollment
):
    association = associate(consumer.client, broker.assister)
    application = determined(consumer.client)
    plan = Plan.objects.filter(year=2027, rating_area=application.rating_area, metal_level="silver").first()
    sign_in(client, broker)
    url = reverse("applications:choose", args=[application.public_id, plan.plan_id])
    page = client.get(url, {"credit": "100"})
    assert page.status_code == 200 and "You are acting for" in page.content.decode()
    response = client.post(url, {"version": application.version, "credit": "100"})
    assert "Confirm that the client asked you to choose this plan for them." in response.content.decode()
    assert not Enrollment.objects.exists()
    response = client.post(url, {"version": application.version, "credit": "100", "client_asked": "on"})
    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    assert enrollment.credit_applied == Decimal("100.00")
    assert enrollment.net_premium == enrollment.premium - Decimal("100.00")
    assert enrollment.on_behalf and enrollment.association == association
    assert enrollment.writing_agent == broker.assister and enrollment.writing_agent_npn == broker.assister.npn != ""
    assert enrollment.coverage_start == date(2027, 1, 1) and enrollment.coverage_end == date(2027, 12, 31)
    assert enrollment.hios_plan_id == plan.plan_id and enrollment.sample_catalog
    assert [m["first_name"] for m in enrollment.members] == [consumer.client.first_name]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ENROLLED
    notice = Notice.objects.get(client=consumer.client, kind="plan_selected")
    assert notice.data["body"]["by_client"] is False and notice.data["body"]["net"] == str(enrollment.net_premium)
    assert notice.data["body"]["dispute_until"]
    audit = AuditEvent.objects.get(action=Action.ENROLLMENT_SELECTED)
    assert audit.client == consumer.client and audit.actor == broker
    assert audit.details["writing_agent_npn"] == broker.assister.npn


def test_a_navigator_may_select_when_allowed_and_no_writing_agent_is_recorded(
    consumer, navigator, catalog_2027, open_enrollment
):
    association = associate(consumer.client, navigator.assister, powers=["view_client", SELECT])
    application = determined(consumer.client)
    enrollment = _select(application, navigator, association)
    assert enrollment.on_behalf and enrollment.writing_agent is None and enrollment.writing_agent_npn == ""


def test_the_consumers_own_selection_has_no_writing_agent_and_no_dispute(
    client, consumer, catalog_2027, open_enrollment
):
    application = determined(consumer.client)
    enrollment = _select(application, consumer)
    assert not enrollment.on_behalf and enrollment.writing_agent_npn == ""
    assert services.may_dispute(enrollment) == []
    with pytest.raises(ValidationError, match="Nobody else made that change"):
        services.enrollment_dispute(enrollment=enrollment, action="selected", note="", actor=consumer)


def test_after_the_cut_off_coverage_starts_february_first(consumer, catalog_2027, settings):
    today = timezone.localdate()
    settings.OPEN_ENROLLMENT_PERIODS = {
        2027: (today - timedelta(days=40), today - timedelta(days=1), today + timedelta(days=5))
    }
    enrollment = _select(determined(consumer.client), consumer)
    assert enrollment.coverage_start == date(2027, 2, 1)


def test_a_selection_outside_any_enrollment_period_is_refused_with_the_next_open_enrollment(
    client, consumer, catalog_2027, settings
):
    today = timezone.localdate()
    settings.OPEN_ENROLLMENT_PERIODS = {
        2027: (today - timedelta(days=90), today - timedelta(days=60), today - timedelta(days=30)),
        2028: (today + timedelta(days=30), today + timedelta(days=60), today + timedelta(days=90)),
    }
    application = determined(consumer.client)
    with pytest.raises(ValidationError) as refused:
        _select(application, consumer)
    message = refused.value.messages[0]
    assert "Open enrollment for 2027 coverage ended on" in message
    assert "The next open enrollment, for 2028 coverage, starts on" in message
    assert not Enrollment.objects.exists()
    sign_in(client, consumer)
    page = client.get(reverse("applications:plans", args=[application.public_id]))
    assert "The next open enrollment, for 2028 coverage" in page.content.decode()
    assert f"/plans/{Plan.objects.first().plan_id}/choose/" not in page.content.decode()


def test_a_stale_page_or_a_plan_from_another_area_is_refused(consumer, catalog_2027, open_enrollment):
    application = determined(consumer.client)
    other_area = Plan.objects.filter(year=2027).exclude(rating_area=application.rating_area).first()
    with pytest.raises(ValidationError, match="not offered where this household lives"):
        _select(application, consumer, plan=other_area)
    with pytest.raises(ValidationError, match="changed after you opened this page"):
        services.enrollment_select(
            application=application,
            version=application.version - 1,
            plan_id=other_area.plan_id,
            credit=None,
            actor=consumer,
        )
    assert not Enrollment.objects.exists()


def test_changing_plans_replaces_the_enrollment_and_keeps_the_old_one(consumer, broker, catalog_2027, open_enrollment):
    association = associate(consumer.client, broker.assister)
    application = determined(consumer.client)
    plans = list(Plan.objects.filter(year=2027, rating_area=application.rating_area).order_by("plan_id")[:2])
    first = _select(application, broker, association, plan=plans[0])
    second = _select(application, broker, association, plan=plans[1])
    first.refresh_from_db()
    assert first.status == EnrollmentStatus.REPLACED and second.replaces == first
    assert first.coverage_end == second.coverage_start - timedelta(days=1) and first.never_started
    assert EnrollmentEvent.objects.filter(enrollment=first, to_status="replaced").exists()
    notice = Notice.objects.filter(kind="plan_selected").latest("pk")
    assert notice.data["body"]["replaced"] == first.plan_name


def test_ending_coverage_offers_this_month_or_next_and_says_what_it_means(
    client, consumer, catalog_2027, open_enrollment
):
    application = determined(consumer.client)
    enrollment = _select(application, consumer)
    sign_in(client, consumer)
    url = reverse("applications:terminate", args=[enrollment.public_id])
    page = client.get(url)
    assert "the plan pays for no care" in page.content.decode()
    choices = [value for value, _label in page.context["form"].fields["end"].choices]
    assert len(choices) == 2
    version = page.context["form"]["version"].value()
    response = client.post(url, {"version": version, "end": "2027-06-30", "understood": "on"})
    assert "Choose one of the dates offered." in response.content.decode()
    response = client.post(url, {"version": version, "end": choices[-1]})
    assert "Confirm that you understand" in response.content.decode()
    response = client.post(url, {"version": version - 1, "end": choices[-1], "understood": "on"})
    assert "changed after you opened this page" in response.content.decode()
    response = client.post(url, {"version": version, "end": choices[-1], "understood": "on", "reason": "Job coverage"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    application.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.TERMINATED
    assert enrollment.coverage_end == max(
        date.fromisoformat(choices[-1]), enrollment.coverage_start - timedelta(days=1)
    )
    assert application.status == ApplicationStatus.DETERMINED
    assert Notice.objects.filter(client=consumer.client, kind="coverage_ended").count() == 1


# --- "I did not ask for this" ---------------------------------------------------------------------------------


def test_did_not_ask_for_this_suspends_the_broker_until_staff_dismiss_it(
    client, consumer, broker, catalog_2027, open_enrollment, exchange_staff
):
    association = associate(consumer.client, broker.assister)
    application = determined(consumer.client)
    enrollment = _select(application, broker, association)
    sign_in(client, consumer)
    page = client.get(reverse("applications:coverage"))
    assert "I did not ask for this" in page.content.decode()
    response = client.post(
        reverse("applications:dispute", args=[enrollment.public_id]), {"action": "selected", "note": "Never asked."}
    )
    assert response.status_code == 302
    dispute = EnrollmentDispute.objects.get()
    assert (
        dispute.status == DisputeStatus.OPEN and dispute.assister_user == broker and dispute.association == association
    )
    assert Notice.objects.filter(kind="enrollment_dispute", client=consumer.client).count() == 1
    assert Notice.objects.filter(kind="enrollment_dispute_assister", user=broker).count() == 1
    assert AuditEvent.objects.filter(action=Action.ENROLLMENT_DISPUTED, client=consumer.client).exists()

    with pytest.raises(ValidationError, match="You may not choose or end plans for this client"):
        _select(application, broker, association)
    client.logout()
    sign_in(client, broker)
    plan = Plan.objects.filter(year=2027, rating_area=application.rating_area).last()
    page = client.get(reverse("applications:plans", args=[application.public_id]))
    assert "You may not choose or end plans for this client for now" in page.content.decode()
    response = client.post(
        reverse("applications:choose", args=[application.public_id, plan.plan_id]),
        {"version": application.version + 0, "client_asked": "on"},
    )
    assert "You may not choose or end plans for this client" in response.content.decode()
    assert Enrollment.objects.count() == 1

    services.enrollment_dispute_decide(dispute=dispute, upheld=False, note="Signed form on file.", actor=exchange_staff)
    application.refresh_from_db()
    assert _select(application, broker, association, plan=plan).plan == plan


def test_an_upheld_dispute_keeps_the_broker_out_and_a_second_report_is_refused(
    consumer, broker, catalog_2027, open_enrollment, exchange_staff
):
    association = associate(consumer.client, broker.assister)
    application = determined(consumer.client)
    enrollment = _select(application, broker, association)
    dispute = services.enrollment_dispute(enrollment=enrollment, action="selected", note="", actor=consumer)
    with pytest.raises(ValidationError, match="already told us"):
        services.enrollment_dispute(enrollment=enrollment, action="selected", note="", actor=consumer)
    with pytest.raises(ValidationError, match="Say what you found"):
        services.enrollment_dispute_decide(dispute=dispute, upheld=True, note=" ", actor=exchange_staff)
    with pytest.raises(ValidationError, match="Only exchange staff"):
        services.enrollment_dispute_decide(dispute=dispute, upheld=True, note="x", actor=broker)
    services.enrollment_dispute_decide(
        dispute=dispute, upheld=True, note="No record of the request.", actor=exchange_staff
    )
    application.refresh_from_db()
    with pytest.raises(ValidationError, match="You may not choose or end plans"):
        _select(application, broker, association)
    decided = Notice.objects.filter(kind="enrollment_dispute", client=consumer.client).latest("pk")
    assert (
        decided.data["body"]["status"] == "upheld"
        and decided.data["body"]["decision_note"] == "No record of the request."
    )


def test_a_report_after_the_deadline_is_refused(consumer, broker, catalog_2027, open_enrollment, settings):
    association = associate(consumer.client, broker.assister)
    enrollment = _select(determined(consumer.client), broker, association)
    late = timezone.localdate() + timedelta(days=settings.ENROLLMENT_DISPUTE_DAYS + 1)
    with pytest.raises(ValidationError, match="more than 30 days"):
        services.enrollment_dispute(enrollment=enrollment, action="selected", note="", actor=consumer, today=late)
    assert not EnrollmentDispute.objects.exists()


def test_an_end_of_coverage_made_on_behalf_can_be_disputed_too(consumer, broker, catalog_2027, open_enrollment):
    association = associate(consumer.client, broker.assister)
    application = determined(consumer.client)
    enrollment = _select(application, consumer)
    end = termination_dates(coverage_year=2027)[-1]
    application.refresh_from_db()
    enrollment = services.enrollment_terminate(
        enrollment=enrollment, version=application.version, end=end, actor=broker, association=association
    )
    assert services.may_dispute(enrollment) == ["terminated"]
    dispute = services.enrollment_dispute(enrollment=enrollment, action="terminated", note="", actor=consumer)
    assert dispute.assister_user == broker


# --- Who sees what -------------------------------------------------------------------------------------------


def test_my_coverage_and_the_client_page_show_the_plan(client, consumer, broker, catalog_2027, open_enrollment):
    association = associate(consumer.client, broker.assister)
    enrollment = _select(determined(consumer.client), broker, association)
    sign_in(client, consumer)
    html = client.get(reverse("applications:coverage")).content.decode()
    assert enrollment.plan_name in html and f"${enrollment.net_premium:,.2f}" in html
    assert broker.assister.full_name in html and "Sample plan" in html
    client.logout()
    sign_in(client, broker)
    html = client.get(reverse("clients:detail", args=[consumer.client.public_id])).content.decode()
    assert enrollment.plan_name in html and "Change plans" in html


def test_support_staff_and_outsiders_cannot_reach_the_plans(
    client, consumer, broker, support_staff, outsider_assister, catalog_2027
):
    associate(consumer.client, broker.assister)
    application = determined(consumer.client)
    for person in (support_staff, outsider_assister):
        sign_in(client, person)
        assert client.get(reverse("applications:plans", args=[application.public_id])).status_code == 404
        client.logout()


def test_the_agency_admin_sees_and_exports_the_agencys_enrollments_with_the_writing_agent(
    client, broker, agency_admin, catalog_2027, open_enrollment
):
    household = make_client(first_name="=HYPERLINK(1)", last_name="Ng")
    association = associate(household, broker.assister)
    enrollment = _select(determined(household), broker, association)
    outsider = make_client(first_name="Olive", last_name="Other")
    _select(determined(outsider), outsider.user)
    sign_in(client, agency_admin)
    page = client.get(reverse("applications:agency_enrollments"))
    assert page.status_code == 200
    assert [e.pk for e in page.context["rows"]] == [enrollment.pk]
    response = client.get(reverse("applications:agency_enrollments"), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert rows[0]["writing_agent_npn"] == broker.assister.npn and rows[0]["plan_id"] == enrollment.hios_plan_id
    assert rows[0]["client_name"].startswith("'=")
    assert AuditEvent.objects.filter(client=household, details__what="agency enrollments (CSV)").exists()
    client.logout()
    sign_in(client, broker)
    assert client.get(reverse("applications:agency_enrollments")).status_code == 404


def test_a_page_opened_before_someone_else_chose_a_plan_cannot_replace_it(
    consumer, broker, catalog_2027, open_enrollment
):
    association = associate(consumer.client, broker.assister)
    application = determined(consumer.client)
    opened_at = application.version  # the broker opens the choose page
    plans = list(Plan.objects.filter(year=2027, rating_area=application.rating_area).order_by("plan_id")[:2])
    mine = _select(application, consumer, plan=plans[0])  # the consumer chooses first
    with pytest.raises(ValidationError, match="changed after you opened this page"):
        services.enrollment_select(
            application=application,
            version=opened_at,
            plan_id=plans[1].plan_id,
            credit=None,
            actor=broker,
            association=association,
        )
    mine.refresh_from_db()
    assert mine.status == EnrollmentStatus.ACTIVE and Enrollment.objects.count() == 1
    application.refresh_from_db()
    assert application.revisions.first().what == "plan_chosen"


def test_a_plan_chosen_while_ended_coverage_still_runs_starts_the_day_after_it_ends(
    consumer, catalog_2027, open_enrollment
):
    application = determined(consumer.client)
    plans = list(Plan.objects.filter(year=2027, rating_area=application.rating_area).order_by("plan_id")[:2])
    first = _select(application, consumer, plan=plans[0])
    end = termination_dates(coverage_year=2027)[-1]
    assert end >= first.coverage_start  # it runs a month
    application.refresh_from_db()
    first = services.enrollment_terminate(enrollment=first, version=application.version, end=end, actor=consumer)
    second = _select(application, consumer, plan=plans[1])
    assert second.coverage_start == end + timedelta(days=1) > first.coverage_end
    assert second.coverage_start.day == 1
