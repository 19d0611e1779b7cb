"""Annual renewal (issue 17; 45 CFR 155.335): from the renewal season, each household enrolled to December 31 gets its
next year's application prepared from this year's, with a projected determination on the next year's tables and plans
and a renewal notice; the household confirms it by submitting it; without action it is renewed when open enrollment
ends into the same plan or the issuer's crosswalk plan, or ended when neither is offered. Built through the services, on
the shipped 2026 and 2027 sample catalogs, with explicit `today` dates (the dates are configuration)."""

import logging
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from applications import services, tasks
from applications.models import (
    Application,
    ApplicationStatus,
    Enrollment,
    EnrollmentStatus,
    Renewal,
    RenewalStatus,
)
from applications.tests import factories
from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from clients.tests.factories import make_client
from conftest import sign_in
from notices.models import Notice, NoticeStatus
from notices.rendering import letter_html
from plans import selectors as plan_selectors
from plans.models import Plan
from plans.tests.factories import load_sample_catalog

pytestmark = pytest.mark.django_db

OPEN_2026_ENROLLMENT = date(2025, 12, 1)  # a day in the open enrollment for 2026, before its cut-off
SEASON = date(2026, 10, 1)  # the renewal season's first day (the default APPLICATION_RENEWALS_OPEN)
LAST_DAY = date(2027, 1, 15)  # the last day of the open enrollment for 2027 (configured below)
AFTER = date(2027, 1, 16)

SAME = "90101MN0010004"  # Blue Plus silver 4500, offered again in 2027
CROSSWALKED = "90101MN0010003"  # Blue Plus bronze 5500, not offered in 2027: the issuer maps it to …
CROSSWALK_TARGET = "90101MN0010002"  # … Blue Plus bronze 7500
NOT_OFFERED = "90505MN0010001"  # UCare catastrophic, not offered in 2027 and mapped to nothing


@pytest.fixture(autouse=True)
def renewal_settings(settings):
    """The dates the tests count on, whatever the defaults become."""
    settings.APPLICATION_COVERAGE_YEARS = [2026, 2027]
    settings.APPLICATION_RENEWALS_OPEN = (10, 1)
    settings.OPEN_ENROLLMENT_PERIODS = {
        2026: (date(2025, 11, 1), date(2025, 12, 15), date(2026, 1, 15)),
        2027: (date(2026, 11, 1), date(2026, 12, 15), LAST_DAY),
    }
    return settings


@pytest.fixture(autouse=True)
def catalogs(db):
    return load_sample_catalog(2026), load_sample_catalog(2027)


def enrolled_2026(client, plan_id=SAME, *, income="36000") -> Application:
    """The client's own 2026 application, filled, submitted and enrolled in `plan_id` (coverage all of 2026)."""
    application = factories.submitted(
        factories.fill(factories.started(client, year=2026), actor=client.user, income=income)
    )
    assert application.status == ApplicationStatus.DETERMINED
    application.refresh_from_db()
    enrollment = services.enrollment_select(
        application=application,
        version=application.version,
        plan_id=plan_id,
        credit=None,
        actor=client.user,
        today=OPEN_2026_ENROLLMENT,
    )
    assert (enrollment.coverage_start, enrollment.coverage_end) == (date(2026, 1, 1), date(2026, 12, 31))
    application.refresh_from_db()
    return application


def text(notice) -> str:
    return " ".join(strip_tags(letter_html(notice, "en")).split())


# --- Preparing -----------------------------------------------------------------------------------------------------


def test_the_renewal_is_prepared_once_as_a_new_draft_linked_to_the_old_with_the_same_answers():
    household = make_client(first_name="Rita", last_name="Renew")
    previous = enrolled_2026(household)
    renewal = services.renewal_prepare(previous=previous, today=SEASON)
    again = services.renewal_prepare(previous=previous, today=SEASON)
    assert again.pk == renewal.pk
    assert Renewal.objects.count() == 1
    assert Application.objects.filter(client=household, coverage_year=2027).count() == 1

    draft = renewal.application
    draft.refresh_from_db()
    assert (draft.coverage_year, draft.status, draft.created_by) == (2027, ApplicationStatus.DRAFT, None)
    assert (renewal.previous, renewal.status, renewal.next_plan.plan_id) == (previous, RenewalStatus.PREPARED, SAME)
    enrollment = Enrollment.objects.get(application=previous)
    assert (renewal.enrollment, renewal.current_plan) == (enrollment, enrollment.plan)
    assert renewal.next_plan.year == 2027 and renewal.next_plan.rating_area_id == previous.rating_area_id
    # The household's answers, without last year's signature: they attest again when they submit.
    assert "attestations" in previous.data and "attestations" not in draft.data
    assert draft.data["members"] == previous.data["members"]
    assert draft.data["address"] == previous.data["address"]
    assert (draft.county, draft.rating_area) == (previous.county, previous.rating_area)
    assert list(draft.revisions.values_list("what", "actor")) == [("renewal_prepared", None)]
    # The client sees it in "Who viewed my information": done by the portal, for them.
    started = AuditEvent.objects.get(action=Action.APPLICATION_STARTED, object_id=str(draft.pk))
    assert (started.client, started.actor, started.details["renewal_of"]) == (household, None, str(previous.public_id))
    assert Notice.objects.filter(client=household, kind="renewal").count() == 1


def test_the_projection_uses_the_2027_poverty_guidelines_percentages_and_benchmark():
    household = make_client()  # born May 17, 1980: 46 on January 1, 2027
    previous = enrolled_2026(household, income="36000")
    renewal = services.renewal_prepare(previous=previous, today=SEASON)
    projected = renewal.projected["determination"]
    assert projected["coverage_year"] == 2027
    assert projected["rules_version"] == "2027 rules, 2026 poverty guidelines"
    [tax_household] = projected["tax_households"]
    # $36,000 ÷ $15,960 (2026 guidelines, one person) = 225%; 2027 band 200–250%: 6.78 + 25/50 × (8.66 − 6.78) = 7.72%.
    assert (tax_household["poverty_line"], tax_household["percent"]) == ("15960", 225)
    assert tax_household["applicable_percentage"] == "7.72"
    assert tax_household["monthly_contribution"] == "231.60"  # 36,000 × 7.72% ÷ 12
    benchmark = plan_selectors.benchmark(year=2027, rating_area_id=previous.rating_area_id, ages=[46])
    assert tax_household["benchmark_premium"] == str(benchmark.premium)
    assert renewal.projected_credit == benchmark.premium - Decimal("231.60") > 0
    # Against the 2026 determination's maximum (2026: 230% → 7.70%, $231.00 a month, the 2026 benchmark).
    assert renewal.previous_credit == previous.determination.max_monthly_credit
    assert previous.determination.data["tax_households"][0]["applicable_percentage"] == "7.70"
    used = renewal.projected["data"]
    assert (used["county"], used["total_income"], used["members"][0]["age"]) == ("Hennepin", "36000.00", 46)
    assert renewal.projected["next_plan"]["plan_id"] == SAME and renewal.projected["next_plan"]["premium"]


def test_the_renewal_notice_shows_the_data_used_the_projected_credit_the_plan_and_the_deadline(
    django_capture_on_commit_callbacks,
):
    household = make_client(first_name="Nora", last_name="Notice")
    previous = enrolled_2026(household)
    with django_capture_on_commit_callbacks(execute=True):
        renewal = services.renewal_prepare(previous=previous, today=SEASON)
    notice = Notice.objects.get(client=household, kind="renewal")
    assert notice.status == NoticeStatus.READY  # rendered after the commit
    assert notice.data["due"] == LAST_DAY.isoformat()
    letter = text(notice)
    assert "Hennepin" in letter and "Nora" in letter and "age 46 on January 1" in letter
    assert "$36,000.00" in letter
    assert f"Projected premium tax credit for 2027: up to ${renewal.projected_credit:,.2f} a month" in letter
    assert f"up to ${renewal.previous_credit:,.2f} a month" in letter
    assert f"you stay in your plan, {renewal.next_plan.name}" in letter
    assert "by January 15, 2027 (by December 15, 2026 for coverage from January 1, 2027)" in letter
    assert "Sample plans and rates." in letter


def test_the_notice_says_when_the_plan_is_crosswalked_or_not_offered():
    moved = services.renewal_prepare(previous=enrolled_2026(make_client(), CROSSWALKED), today=SEASON)
    assert moved.next_plan.plan_id == CROSSWALK_TARGET
    letter = text(Notice.objects.get(client=moved.application.client, kind="renewal"))
    assert f"{moved.current_plan.name}, is not offered in 2027" in letter and moved.next_plan.name in letter

    dropped = services.renewal_prepare(previous=enrolled_2026(make_client(), NOT_OFFERED), today=SEASON)
    assert dropped.next_plan is None
    letter = text(Notice.objects.get(client=dropped.application.client, kind="renewal"))
    assert "named no plan to move you to" in letter and "You must choose a plan by January 15, 2027" in letter


def test_nothing_is_prepared_before_the_configured_day_or_after_open_enrollment(settings):
    previous = enrolled_2026(make_client())
    assert services.renewal_prepare(previous=previous, today=date(2026, 9, 30)) is None
    assert services.renewal_prepare(previous=previous, today=AFTER) is None
    settings.APPLICATION_RENEWALS_OPEN = (11, 15)
    assert services.renewal_prepare(previous=previous, today=date(2026, 11, 14)) is None
    assert services.renewals_daily_sweep(today=date(2026, 11, 14))["prepared"] == 0
    assert not Renewal.objects.exists() and not Notice.objects.filter(kind="renewal").exists()
    assert services.renewal_prepare(previous=previous, today=date(2026, 11, 15)) is not None


def test_a_household_that_already_has_a_2027_application_or_no_coverage_to_december_31_is_not_renewed():
    household = make_client()
    previous = enrolled_2026(household)
    factories.started(household, year=2027)
    assert services.renewal_prepare(previous=previous, today=SEASON) is None
    assert services.renewals_daily_sweep(today=SEASON)["prepared"] == 0

    ended = make_client()
    previous = enrolled_2026(ended)
    enrollment = Enrollment.objects.get(application=previous)
    services.enrollment_terminate(
        enrollment=enrollment, version=previous.version, end=date(2026, 10, 31), actor=ended.user, today=SEASON
    )
    previous.refresh_from_db()
    assert services.renewal_prepare(previous=previous, today=SEASON) is None
    assert not Renewal.objects.exists()


# --- The household acts ------------------------------------------------------------------------------------------


def test_the_household_confirms_by_submitting_the_draft_on_the_application_pages(client):
    household = make_client(first_name="Carla", last_name="Confirm")
    renewal = services.renewal_prepare(previous=enrolled_2026(household), today=SEASON)
    sign_in(client, household.user)
    page = client.get(reverse("applications:detail", args=[renewal.application.public_id])).content.decode()
    assert "Renewal for 2027, prepared from your 2026 application" in page
    assert f"up to ${renewal.projected_credit:,.2f} a month" in page
    assert f"Renews into the same plan: {renewal.next_plan.name}" in page and "Sample plan" in page
    assert "January 15, 2027" in page

    draft = renewal.application
    draft.refresh_from_db()
    response = client.post(
        reverse("applications:review", args=[draft.public_id]),
        {
            "version": draft.version,
            **dict.fromkeys(services.ATTESTATIONS, "on"),
            "signed_name": household.full_name,
        },
    )
    assert response.status_code == 302
    renewal.refresh_from_db()
    draft.refresh_from_db()
    assert renewal.status == RenewalStatus.CONFIRMED and renewal.confirmed_at is not None
    assert draft.status == ApplicationStatus.DETERMINED and draft.data["attestations"]["signed_by"] == "consumer"
    # Confirmed: the portal no longer renews it on its own; the household chooses its plan.
    assert services.renewal_auto_renew(renewal=renewal, today=AFTER).status == RenewalStatus.CONFIRMED
    assert not Enrollment.objects.filter(application=draft).exists()


def test_the_assister_sees_the_renewal_banner_and_a_withdrawn_renewal_ends(client, broker):
    household = make_client()
    associate(household, broker.assister)
    renewal = services.renewal_prepare(previous=enrolled_2026(household, NOT_OFFERED), today=SEASON)
    sign_in(client, broker)
    page = client.get(reverse("applications:detail", args=[renewal.application.public_id])).content.decode()
    assert "Renewal for 2027, prepared from the client’s 2026 application" in page
    assert "is not offered in 2027 where this household lives: a plan must be chosen." in page

    draft = renewal.application
    draft.refresh_from_db()
    services.application_withdraw(application=draft, version=draft.version, actor=household.user)
    renewal.refresh_from_db()
    assert (renewal.status, renewal.end_reason) == (RenewalStatus.ENDED, "withdrawn")


# --- Renewed by the portal when open enrollment ends -----------------------------------------------------------------


def test_without_action_it_is_renewed_into_the_same_plan_from_january_1_when_open_enrollment_ends():
    household = make_client(first_name="Sam", last_name="Same")
    previous = enrolled_2026(household)
    renewal = services.renewal_prepare(previous=previous, today=SEASON)
    assert services.renewal_auto_renew(renewal=renewal, today=LAST_DAY).status == RenewalStatus.PREPARED
    assert services.renewals_daily_sweep(today=LAST_DAY) == {
        "prepared": 0,
        "renewed": 0,
        "ended": 0,
        "failed": 0,
        "more": False,
    }

    renewal = services.renewal_auto_renew(renewal=renewal, today=AFTER)
    assert renewal.status == RenewalStatus.RENEWED and renewal.renewed_at is not None
    draft = Application.objects.get(pk=renewal.application_id)
    assert draft.status == ApplicationStatus.ENROLLED
    assert draft.data["attestations"]["signed_by"] == "portal"
    assert draft.determination.data["coverage_year"] == 2027
    enrollment = Enrollment.objects.get(application=draft)
    assert (enrollment.hios_plan_id, enrollment.coverage_year, enrollment.status) == (SAME, 2027, "active")
    assert (enrollment.coverage_start, enrollment.coverage_end) == (date(2027, 1, 1), date(2027, 12, 31))
    assert enrollment.credit_applied == min(draft.determination.max_monthly_credit, enrollment.premium)
    assert enrollment.on_behalf and enrollment.association is None and enrollment.period_kind == "open"
    # Done by nobody but the portal, every step in the client's trail.
    trail = AuditEvent.objects.filter(client=household, actor=None)
    assert trail.filter(action=Action.APPLICATION_STATUS, details__to="submitted").exists()
    assert trail.filter(action=Action.ENROLLMENT_SELECTED, object_id=str(enrollment.pk)).exists()
    assert trail.filter(action=Action.CLIENT_ACTION, details__renewal="renewed").exists()
    renewed = text(Notice.objects.get(client=household, kind="renewal_renewed"))
    assert f"renewed your coverage in the same plan, {enrollment.plan_name}" in renewed
    assert "January 1, 2027 to December 31, 2027" in renewed
    assert Notice.objects.filter(client=household, kind="application_determination").count() == 2
    # Done once.
    assert services.renewal_auto_renew(renewal=renewal, today=AFTER).status == RenewalStatus.RENEWED
    assert Enrollment.objects.filter(application=draft).count() == 1


def test_a_plan_not_offered_again_is_renewed_into_the_issuers_crosswalk_plan():
    renewal = services.renewal_prepare(previous=enrolled_2026(make_client(), CROSSWALKED), today=SEASON)
    renewal = services.renewal_auto_renew(renewal=renewal, today=AFTER)
    assert renewal.status == RenewalStatus.RENEWED
    enrollment = Enrollment.objects.get(application=renewal.application, status=EnrollmentStatus.ACTIVE)
    assert enrollment.hios_plan_id == CROSSWALK_TARGET == renewal.next_plan.plan_id
    assert enrollment.plan == Plan.objects.get(
        year=2027, plan_id=CROSSWALK_TARGET, rating_area=enrollment.plan.rating_area
    )
    renewed = text(Notice.objects.get(client=renewal.application.client, kind="renewal_renewed"))
    assert f"you are now in {enrollment.plan_name}" in renewed


def test_a_plan_with_no_crosswalk_is_not_renewed_and_the_household_is_told_to_choose():
    household = make_client()
    renewal = services.renewal_prepare(previous=enrolled_2026(household, NOT_OFFERED), today=SEASON)
    renewal = services.renewal_auto_renew(renewal=renewal, today=AFTER)
    assert (renewal.status, renewal.end_reason, renewal.next_plan) == (RenewalStatus.ENDED, "not_offered", None)
    draft = Application.objects.get(pk=renewal.application_id)
    assert draft.status == ApplicationStatus.DRAFT  # left for the household to submit
    assert not Enrollment.objects.filter(application=draft).exists()
    ended = text(Notice.objects.get(client=household, kind="renewal_ended"))
    assert "was not renewed for 2027" in ended and "named no plan to move you to" in ended
    assert "choose a plan" in ended
    assert AuditEvent.objects.filter(client=household, actor=None, details__renewal="ended:not_offered").exists()


# --- The daily sweep ------------------------------------------------------------------------------------------------


def test_the_sweep_prepares_and_renews_every_household_and_goes_on_past_one_that_fails(caplog):
    households = [make_client() for _ in range(3)]
    previous = [enrolled_2026(household) for household in households]
    Application.objects.filter(pk=previous[1].pk).update(data={})  # a damaged row: this household fails
    with caplog.at_level(logging.ERROR, logger="applications.services.renewing"):
        done = services.renewals_daily_sweep(today=SEASON)
    assert done == {"prepared": 2, "renewed": 0, "ended": 0, "failed": 1, "more": False}
    assert f"Renewal of application {previous[1].pk} not prepared" in caplog.text
    assert set(Renewal.objects.values_list("previous_id", flat=True)) == {previous[0].pk, previous[2].pk}
    assert services.renewals_daily_sweep(today=SEASON)["prepared"] == 0  # idempotent: nothing twice
    assert Notice.objects.filter(kind="renewal").count() == 2

    done = services.renewals_daily_sweep(today=AFTER)
    assert (done["prepared"], done["renewed"]) == (0, 2)  # after open enrollment: none prepared any more
    assert set(Renewal.objects.values_list("status", flat=True)) == {RenewalStatus.RENEWED}
    assert services.renewals_daily_sweep(today=AFTER)["renewed"] == 0


def test_the_sweep_runs_daily_from_celery_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["applications-renewals-daily-sweep"]
    assert entry["task"] == "applications.tasks.renewals_daily_sweep"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({6}, {30})
    assert tasks.renewals_daily_sweep.delay().get()["failed"] == 0


def test_answers_updated_but_not_submitted_are_used_and_no_one_left_to_enroll_ends_it():
    household = make_client()
    renewal = services.renewal_prepare(previous=enrolled_2026(household), today=SEASON)
    draft = renewal.application
    draft.refresh_from_db()

    def lower_income(data):
        data["members"][0]["incomes"][0]["amount"] = "12000"  # under 133%: screened for Medical Assistance

    services.application_save(
        application=draft, version=draft.version, what="income", update=lower_income, actor=household.user
    )
    renewal = services.renewal_auto_renew(renewal=renewal, today=AFTER)
    assert (renewal.status, renewal.end_reason) == (RenewalStatus.ENDED, "nobody_eligible")
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DETERMINED  # submitted for them on their new answers, and determined
    assert draft.determination.data["members"][0]["program"] == "medical_assistance"
    assert not Enrollment.objects.filter(application=draft).exists()
    ended = text(Notice.objects.get(client=household, kind="renewal_ended"))
    assert "no one in your household can enroll in a plan through MNsure in 2027" in ended
