"""Reporting a change in circumstance (issue 15): the consumer's web form and the one used on their behalf, what each
event asks, bad input refused with a specific message, the special enrollment period a change opens, staff's
question and the answer, processing it into a new application revision with a new determination, and who may do
what."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from applications import hooks as application_hooks
from applications import services as application_services
from applications.models import ApplicationStatus, Enrollment
from applications.tests.factories import determined, fill, started
from associations import hooks as association_hooks
from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from changes import services
from changes.checks import special_enrollment_events
from changes.client_page import changes_section
from changes.models import ChangeReport, ReportStatus
from clients.tests.factories import make_client
from conftest import sign_in
from notices.models import Notice
from plans.models import Plan
from plans.tests.factories import load_sample_catalog

pytestmark = pytest.mark.django_db
POWERS = ["view_client", "report_change_for_client"]


@pytest.fixture
def reviewer(db):
    return UserFactory(role=Role.STAFF, email="changes@example.org", mfa=True, groups=("Change reviewers",))


@pytest.fixture
def catalog(db):
    return load_sample_catalog(2027)


def _me(application) -> str:
    return application.data["members"][0]["key"]


def _report(client, event, effective=None, actor=None, association=None, **details):
    return services.change_report_submit(
        client=client,
        event=event,
        effective_date=effective or timezone.localdate() - timedelta(days=3),
        details=details,
        actor=actor or client.user,
        association=association,
    )


# --- The form ------------------------------------------------------------------------------------------------


def test_the_consumer_reports_new_income_in_two_steps_and_is_told(client, consumer, catalog):
    application = determined(consumer.client)
    sign_in(client, consumer)
    url = reverse("changes:report")
    page = client.get(url)
    assert "What changed?" in page.content.decode()
    page = client.get(url, {"event": "income_changed"})
    html = page.content.decode()
    assert "does not open a special enrollment period with a premium tax credit from 2026" in html
    assert 'name="amount"' in html and 'name="street"' not in html  # only what this event needs
    response = client.post(
        f"{url}?event=income_changed",
        {
            "effective_date": "",
            "member": _me(application),
            "income_kind": "wages",
            "amount": "lots",
            "frequency": "yearly",
        },
    )
    body = response.content.decode()
    assert "Enter the date." in body and "Enter an amount in dollars, like 2500.00." in body
    assert not ChangeReport.objects.exists()
    day = timezone.localdate() - timedelta(days=2)
    response = client.post(
        f"{url}?event=income_changed",
        {
            "effective_date": day.strftime("%m/%d/%Y"),
            "member": _me(application),
            "income_kind": "wages",
            "amount": "52000",
            "frequency": "yearly",
        },
    )
    report = ChangeReport.objects.get()
    assert response["Location"] == reverse("changes:detail", args=[report.public_id])
    assert (report.kind, report.event, report.status, report.on_behalf) == (
        "income",
        "income_changed",
        "submitted",
        False,
    )
    assert report.details["amount"] == "52000.00" and report.application == application
    assert not report.opens_sep
    assert Notice.objects.filter(client=consumer.client, kind="change_received").count() == 1
    assert AuditEvent.objects.filter(action=Action.CHANGE_REPORTED, client=consumer.client).exists()
    detail = client.get(response["Location"]).content.decode()
    assert "Job (wages, salary, tips)" in detail and "$52,000.00" in detail


def test_support_staff_report_for_a_client_who_allowed_it(client, consumer, broker, support_staff, catalog):
    association = associate(consumer.client, broker.assister, powers=POWERS)
    determined(consumer.client)
    sign_in(client, support_staff)
    page = client.get(reverse("clients:detail", args=[consumer.client.public_id]))
    assert "Report a change" in page.content.decode()
    url = reverse("changes:report_for_client", args=[consumer.client.public_id])
    response = client.post(
        f"{url}?event=other", {"effective_date": timezone.localdate().strftime("%m/%d/%Y"), "description": "New phone."}
    )
    assert response.status_code == 302
    report = ChangeReport.objects.get()
    assert report.on_behalf and report.submitted_by == support_staff and report.association == association
    assert AuditEvent.objects.filter(
        action=Action.CHANGE_REPORTED, actor=support_staff, client=consumer.client
    ).exists()


def test_without_the_power_or_the_client_the_pages_are_404(client, consumer, broker, outsider_assister, catalog):
    associate(consumer.client, broker.assister, powers=["view_client"])  # no report_change_for_client
    determined(consumer.client)
    url = reverse("changes:report_for_client", args=[consumer.client.public_id])
    report = _report(consumer.client, "other", description="x")
    for person in (broker, outsider_assister):
        sign_in(client, person)
        assert client.get(url).status_code == 404
        assert (
            client.post(f"{url}?event=other", {"effective_date": "01/01/2027", "description": "x"}).status_code == 404
        )
        detail = reverse("changes:detail", args=[report.public_id])
        expected = 200 if person == broker else 404  # the broker may view the client; only reporting needs the power
        assert client.get(detail).status_code == expected
        assert "Send the answer" not in client.get(detail).content.decode()
        client.logout()
    assert ChangeReport.objects.count() == 1


# --- Bad input -----------------------------------------------------------------------------------------------


def test_impossible_changes_are_refused_with_a_specific_message(consumer, catalog):
    application = determined(consumer.client)
    me = _me(application)
    with pytest.raises(ValidationError, match="too far ahead"):
        _report(consumer.client, "other", effective=timezone.localdate() + timedelta(days=400), description="x")
    with pytest.raises(ValidationError, match=r"before .* born"):
        _report(consumer.client, "lost_coverage", effective=date(1950, 1, 1), member=me)
    with pytest.raises(ValidationError, match="cannot leave their own application"):
        _report(consumer.client, "moved_out", member=me)
    with pytest.raises(ValidationError, match="Choose someone from the household"):
        _report(consumer.client, "released", member="nobody")
    with pytest.raises(ValidationError, match="once the baby is born"):
        _report(
            consumer.client,
            "birth",
            effective=timezone.localdate() + timedelta(days=5),
            first_name="B",
            last_name="Y",
            relationship="child",
            citizenship="citizen",
        )
    assert not ChangeReport.objects.exists()


def test_a_move_out_of_minnesota_is_recorded_with_a_warning(client, consumer, catalog):
    determined(consumer.client)
    report = _report(consumer.client, "moved", street="1 Elm St", city="Fargo", zip_code="58102")
    assert report.outside_minnesota and not report.opens_sep
    sign_in(client, consumer)
    html = client.get(reverse("changes:detail", args=[report.public_id])).content.decode()
    assert "The new address is outside Minnesota" in html


def test_a_late_report_is_taken_and_says_so(consumer, catalog):
    determined(consumer.client)
    report = _report(consumer.client, "other", effective=timezone.localdate() - timedelta(days=45), description="x")
    assert report.reported_late
    assert Notice.objects.get(kind="change_received").data["body"]["late"] is True


# --- Special enrollment periods ------------------------------------------------------------------------------


def test_a_move_opens_a_special_enrollment_period_only_into_another_rating_area(consumer, catalog):
    application = determined(consumer.client)  # Minneapolis, rating area 8
    same = _report(consumer.client, "moved", street="2 Oak St", city="Saint Paul", zip_code="55102")
    assert not same.opens_sep
    other = _report(consumer.client, "moved", street="3 Lake Ave", city="Duluth", zip_code="55802")
    assert other.opens_sep and other.sep_closes == other.effective_date + timedelta(days=60)
    assert application.rating_area.number == 8


def test_a_processed_birth_lets_the_household_choose_a_plan_from_the_birthday(
    consumer, reviewer, catalog, settings, time_machine
):
    time_machine.move_to(datetime(2027, 3, 10, 12, 0, tzinfo=ZoneInfo("America/Chicago")), tick=False)
    today = date(2027, 3, 10)
    settings.OPEN_ENROLLMENT_PERIODS = {2027: (date(2026, 11, 1), date(2026, 12, 15), date(2027, 1, 15))}
    application = determined(consumer.client, income="70000")  # the parent and the baby on a plan, not MA
    plan = Plan.objects.filter(year=2027, rating_area=application.rating_area).first()
    with pytest.raises(ValidationError, match="Open enrollment for 2027 coverage ended"):
        application_services.enrollment_select(
            application=application, version=application.version, plan_id=plan.plan_id, credit=None, actor=consumer
        )
    born = date(2027, 3, 7)
    report = _report(
        consumer.client,
        "birth",
        effective=born,
        first_name="Baby",
        last_name="Consumer",
        relationship="child",
        citizenship="citizen",
        date_of_birth=born.isoformat(),
    )
    assert (report.sep_opens, report.sep_closes) == (born, born + timedelta(days=60))
    with pytest.raises(ValidationError, match="no special enrollment period"):  # not until staff process it
        application_services.enrollment_select(
            application=application, version=application.version, plan_id=plan.plan_id, credit=None, actor=consumer
        )
    services.change_report_process(report=report, actor=reviewer, note="Birth certificate seen.")
    application.refresh_from_db()
    assert [m["first_name"] for m in application.data["members"]][-1] == "Baby"
    period = application_services.period_for(application, today)
    assert (period.kind, period.coverage_start) == ("special", born)
    enrollment = application_services.enrollment_select(
        application=application, version=application.version, plan_id=plan.plan_id, credit=None, actor=consumer
    )
    assert enrollment.period_kind == "special" and enrollment.coverage_start == born
    assert "Baby" in [m["first_name"] for m in enrollment.members]


# --- Staff: question, answer, processing -----------------------------------------------------------------------


def test_staff_ask_the_household_answers_staff_process_and_the_application_is_redetermined(
    client, consumer, broker, reviewer, catalog
):
    associate(consumer.client, broker.assister, powers=POWERS)
    application = determined(consumer.client, income="36000")
    before = application.determination
    report = _report(
        consumer.client,
        "income_changed",
        actor=broker,
        association=consumer.client.associations.get(),
        member=_me(application),
        income_kind="wages",
        amount="48000.00",
        frequency="yearly",
    )
    services.change_report_review(report=report, actor=reviewer)
    assert Notice.objects.filter(kind="change_in_review", client=consumer.client).count() == 1
    with pytest.raises(ValidationError, match="Write the question"):
        services.change_report_ask(report=report, question="  ", actor=reviewer)
    services.change_report_ask(report=report, question="Which employer?", actor=reviewer)
    assert Notice.objects.filter(kind="change_question", client=consumer.client).count() == 1
    assert Notice.objects.filter(kind="change_question_assister", user=broker).count() == 1
    sign_in(client, consumer)
    page = client.get(reverse("changes:mine"))
    assert "MNsure asked a question" in page.content.decode()
    url = reverse("changes:detail", args=[report.public_id])
    assert "Which employer?" in client.get(url).content.decode()
    assert "Write your answer." in client.post(url, {"answer": ""}).content.decode()
    client.post(url, {"answer": "North Star Foods"})
    report.refresh_from_db()
    assert (report.status, report.answer) == (ReportStatus.SUBMITTED, "North Star Foods")
    answered = Notice.objects.get(kind="change_answered", client=consumer.client)
    assert answered.data["body"]["answer"] == "North Star Foods"

    services.change_report_process(report=report, actor=reviewer, note="Pay stubs seen.")
    report.refresh_from_db()
    application.refresh_from_db()
    assert report.status == ReportStatus.PROCESSED and report.processed_revision == application.version
    assert application.status == ApplicationStatus.DETERMINED
    assert application.data["members"][0]["incomes"][0]["amount"] == "48000.00"
    assert application.revisions.first().what == "change_income"
    assert application.revisions.first().actor == reviewer
    assert application.determination != before
    assert application.determination.max_monthly_credit < before.max_monthly_credit
    assert Notice.objects.filter(kind="application_determination", client=consumer.client).count() == 2
    processed = Notice.objects.get(kind="change_processed", client=consumer.client)
    assert processed.data["body"]["outcome"] == "Pay stubs seen."
    with pytest.raises(ValidationError, match="moved on since this page was opened"):  # a second staff tab
        services.change_report_process(report=report, actor=reviewer)
    assert application.revisions.count() == application.version


def test_only_change_reviewers_process(consumer, exchange_staff, catalog):
    determined(consumer.client)
    report = _report(consumer.client, "other", description="x")
    with pytest.raises(ValidationError, match="change reviewers"):
        services.change_report_process(report=report, actor=exchange_staff)
    with pytest.raises(ValidationError, match="change reviewers"):
        services.change_report_process(report=report, actor=consumer)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_a_report_about_someone_no_longer_on_the_application_is_refused_then_closed_as_recorded(
    consumer, reviewer, catalog
):
    household = [
        {
            "files_taxes": True,
            "filing_status": "single",
            "incomes": [{"key": "i1", "kind": "wages", "amount": "60000", "frequency": "yearly"}],
        },
        {"first_name": "Kid", "last_name": "Consumer", "relationship": "child", "date_of_birth": "2015-06-15"},
    ]
    application = determined(consumer.client, household=household)
    kid = application.data["members"][1]["key"]
    moved_out = _report(consumer.client, "moved_out", member=kid)
    lost = _report(consumer.client, "lost_coverage", member=kid)
    services.change_report_process(report=moved_out, actor=reviewer)
    application.refresh_from_db()
    version = application.version
    with pytest.raises(ValidationError, match="no longer on the application"):
        services.change_report_process(report=lost, actor=reviewer)
    lost.refresh_from_db()
    application.refresh_from_db()
    assert lost.status == ReportStatus.SUBMITTED and application.version == version
    with pytest.raises(ValidationError, match="Say why"):
        services.change_report_close(report=lost, actor=reviewer, note=" ")
    services.change_report_close(report=lost, actor=reviewer, note="Kid moved out first; nothing to change.")
    lost.refresh_from_db()
    application.refresh_from_db()
    assert lost.status == ReportStatus.PROCESSED and lost.processed_revision is None
    assert application.version == version
    assert Notice.objects.filter(kind="change_processed", client=consumer.client).count() == 2


def test_a_divorce_processed_ends_joint_filing_and_is_determined_again(consumer, reviewer, catalog):
    household = [
        {
            "files_taxes": True,
            "filing_status": "married_joint",
            "incomes": [{"key": "i1", "kind": "wages", "amount": "50000", "frequency": "yearly"}],
        },
        {
            "first_name": "Sam",
            "last_name": "Spouse",
            "relationship": "spouse",
            "date_of_birth": "1982-02-02",
            "files_taxes": True,
            "filing_status": "married_joint",
        },
    ]
    application = determined(consumer.client, household=household)
    spouse = application.data["members"][1]["key"]
    report = _report(consumer.client, "divorce", member=spouse)
    services.change_report_process(report=report, actor=reviewer)
    application.refresh_from_db()
    assert [m["first_name"] for m in application.data["members"]] == [consumer.client.first_name]
    assert application.data["members"][0]["filing_status"] == "single"
    assert application.determinations.count() == 2


def test_an_income_change_replaces_only_that_kind_of_income(client, consumer, reviewer, catalog):
    application = fill(started(consumer.client), actor=consumer)
    me = _me(application)

    def both(data):
        data["members"][0]["incomes"] = [
            {"key": "w", "kind": "wages", "amount": "30000", "frequency": "yearly"},
            {"key": "s", "kind": "self_employment", "amount": "10000", "frequency": "yearly"},
        ]

    application = application_services.application_save(
        application=application, version=application.version, what="income", update=both, actor=consumer
    )
    report = _report(
        consumer.client,
        "income_changed",
        member=me,
        income_kind="self_employment",
        amount="12000.00",
        frequency="yearly",
    )
    sign_in(client, consumer)
    assert "$12,000.00" in client.get(reverse("changes:detail", args=[report.public_id])).content.decode()
    services.change_report_process(report=report, actor=reviewer)
    application.refresh_from_db()
    incomes = {i["kind"]: i["amount"] for i in application.data["members"][0]["incomes"]}
    assert incomes == {"wages": "30000", "self_employment": "12000.00"}
    assert application.status == ApplicationStatus.DRAFT  # a draft stays a draft: the household submits it


def test_the_service_checks_who_acts_and_what_they_say_whoever_calls_it(consumer, broker, outsider_assister, catalog):
    application = determined(consumer.client)
    ours = associate(consumer.client, broker.assister, powers=POWERS)
    other = make_client(first_name="Olive", last_name="Other")
    theirs = associate(other, outsider_assister.assister, powers=POWERS)
    for actor, association in ((outsider_assister, ours), (broker, theirs), (broker, None)):
        with pytest.raises(ValidationError, match="Only the client or their assister"):
            _report(consumer.client, "other", actor=actor, association=association, description="x")
    with pytest.raises(ValidationError) as bad:
        _report(
            consumer.client,
            "income_changed",
            member=_me(application),
            income_kind="zz",
            amount="lots",
            frequency="yearly",
        )
    assert set(bad.value.message_dict) == {"income_kind", "amount"}
    with pytest.raises(ValidationError, match="more than \\$10,000,000 a year"):
        _report(
            consumer.client,
            "income_changed",
            member=_me(application),
            income_kind="wages",
            amount="9999999.99",
            frequency="weekly",
        )
    assert not ChangeReport.objects.exists()


def test_an_assister_who_no_longer_acts_for_the_client_is_not_sent_the_question(consumer, broker, reviewer, catalog):
    from associations import services as association_services

    association = associate(consumer.client, broker.assister, powers=POWERS)
    determined(consumer.client)
    report = _report(consumer.client, "other", actor=broker, association=association, description="New phone.")
    association_services.association_end(association=association, actor=consumer, reason="rescinded")
    services.change_report_ask(report=report, question="What is the new number?", actor=reviewer)
    assert Notice.objects.filter(kind="change_question", client=consumer.client).count() == 1
    assert not Notice.objects.filter(kind="change_question_assister").exists()


def test_a_new_status_opens_a_special_enrollment_period_only_when_it_is_gained(consumer, catalog):
    application = determined(consumer.client)
    gained = _report(consumer.client, "status_changed", member=_me(application), citizenship="lawfully_present")
    lost = _report(consumer.client, "status_changed", member=_me(application), citizenship="not_lawfully_present")
    assert gained.opens_sep and not lost.opens_sep


def test_the_admin_queue_and_decision(client, consumer, reviewer, catalog):
    determined(consumer.client)
    report = _report(consumer.client, "other", description="New phone number.")
    sign_in(client, reviewer)
    queue = client.get(reverse("admin:changes_changereport_changelist"))
    assert report.short_id in queue.content.decode()
    url = reverse("admin:changes_changereport_decide", args=[report.pk])
    page = client.get(url)
    assert "New phone number." in page.content.decode()
    assert AuditEvent.objects.filter(action=Action.CLIENT_VIEWED, actor=reviewer, client=consumer.client).exists()
    response = client.post(url, {"action": "ask", "text": ""})
    assert "Write the question" in response.content.decode()
    client.post(url, {"action": "process", "text": "Updated."})
    report.refresh_from_db()
    assert report.status == ReportStatus.PROCESSED and report.outcome == "Updated."


def test_changes_adds_its_section_to_the_client_page_and_its_special_periods_at_start_up():
    assert changes_section in association_hooks.client_page_sections.handlers
    assert services.special_enrollments_of in application_hooks.special_enrollments.handlers


def test_the_dashboard_shows_and_filters_answers_needed_and_open_windows(client, broker, reviewer, catalog):
    waiting = make_client(first_name="Wanda", last_name="Waiting")
    window = make_client(first_name="Will", last_name="Window")
    quiet = make_client(first_name="Quinn", last_name="Quiet")
    for household in (waiting, window, quiet):
        associate(household, broker.assister, powers=POWERS)
        determined(household)
    asked = _report(waiting, "other", description="x")
    services.change_report_ask(report=asked, question="Which day?", actor=reviewer)
    moved = _report(window, "moved", street="3 Lake Ave", city="Duluth", zip_code="55802")
    services.change_report_process(report=moved, actor=reviewer)
    sign_in(client, broker)
    url = reverse("clients:dashboard")
    html = client.get(url).content.decode()
    assert "Reported changes" in html and "Answer needed" in html and "days left" in html
    names = lambda response: {row.client.first_name for row in response.context["rows"]}  # noqa: E731
    assert names(client.get(url, {"changes": "needs_answer"})) == {"Wanda"}
    assert names(client.get(url, {"changes": "open_window"})) == {"Will"}
    assert names(client.get(url, {"changes": "nonsense"})) == {"Wanda", "Will", "Quinn"}


def test_a_processed_income_change_moves_the_plans_credit_from_next_month(consumer, reviewer, catalog, settings):
    today = timezone.localdate()
    settings.OPEN_ENROLLMENT_PERIODS = {
        2027: (today - timedelta(days=5), today + timedelta(days=5), today + timedelta(days=40))
    }
    application = determined(consumer.client, income="36000")
    plan = Plan.objects.filter(year=2027, rating_area=application.rating_area, metal_level="silver").first()
    first = application_services.enrollment_select(
        application=application, version=application.version, plan_id=plan.plan_id, credit=None, actor=consumer
    )
    assert first.credit_applied > 0
    report = _report(
        consumer.client,
        "income_changed",
        member=_me(application),
        income_kind="wages",
        amount="58000.00",
        frequency="yearly",
    )
    services.change_report_process(report=report, actor=reviewer, note="Checked.")
    first.refresh_from_db()
    second = Enrollment.objects.get(replaces=first)
    application.refresh_from_db()
    next_month = date(today.year + 1, 1, 1) if today.month == 12 else date(today.year, today.month + 1, 1)
    assert second.coverage_start == max(next_month, first.coverage_start)
    assert first.coverage_end == second.coverage_start - timedelta(days=1)
    assert second.credit_applied == second.max_credit < first.credit_applied  # took all of it: all of the new one
    assert second.credit_applied == min(application.determination.max_monthly_credit, second.premium)
    assert second.net_premium == second.premium - second.credit_applied
    assert second.plan == first.plan and second.members == first.members
    assert application.revisions.first().what == "credit_changed"
    notice = Notice.objects.get(kind="credit_changed", client=consumer.client)
    assert notice.data["body"]["previous_credit"] == str(first.credit_applied)
    assert application_services.may_dispute(second) == []  # staff's adjustment is not an assister's choice to dispute


def test_an_unknown_special_enrollment_event_in_the_settings_stops_start_up(settings):
    assert special_enrollment_events() == []
    settings.SPECIAL_ENROLLMENT_EVENTS = frozenset({"birth", "lost-coverage"})
    errors = special_enrollment_events()
    assert [e.id for e in errors] == ["changes.E001"] and "lost-coverage" in errors[0].msg
