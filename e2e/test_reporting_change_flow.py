"""Reporting a change in the browser (issue 15): support staff of the client's broker agency report the client's new
job income from the client's page; exchange staff (the "Change reviewers" group) process it in the admin; the
consumer sees the change in the application's history and reads the new eligibility results, with the lower premium
tax credit, and the notice that the change is processed. Every portal page is checked with axe-core; the report is
sent with the keyboard."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import UserFactory
from applications.models import ApplicationStatus
from applications.tests.factories import determined
from associations.tests.factories import associate
from changes.models import ChangeReport, ReportStatus
from conftest import PASSWORD, totp_code
from e2e.conftest import assert_accessible
from e2e.helpers import choose, heading, navigate, rendered, sign_in
from plans.tests.factories import load_sample_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

YEAR = 2027
POWERS = ["view_client", "report_change_for_client"]  # the client lets the agency report changes for them
NOTE = "Pay stubs from the new job seen."


def test_support_staff_report_new_income_staff_process_it_consumer_sees_history_and_new_credit(
    watched, consumer, broker, support_staff
):
    load_sample_catalog(YEAR)
    person = consumer.client
    associate(person, broker.assister, powers=POWERS)
    application = determined(person, income="36000")
    assert application.status == ApplicationStatus.DETERMINED
    before = application.determination.max_monthly_credit
    assert before > 0, before
    reviewer = UserFactory(
        role=Role.STAFF,
        email="changes@example.org",
        first_name="Rita",
        last_name="Reviewer",
        mfa=True,
        groups=("Change reviewers",),
    )
    name = person.full_name
    day = timezone.localdate() - timedelta(days=3)
    support = watched.new_page()
    staff = watched.new_page()
    own = watched.new_page()

    # --- Support staff open the client's page: no change reported yet, and "Report a change" offered.
    sign_in(support, support_staff.email, PASSWORD, totp=lambda: totp_code(support_staff))
    support.goto(f"/clients/{person.public_id}/")
    section = support.locator("section", has=support.get_by_role("heading", name="Reported changes"))
    assert "No changes reported." in section.inner_text()
    navigate(support, lambda: section.get_by_role("link", name="Report a change").click())
    assert heading(support) == "Report a change"
    assert f"You are acting for {name}." in support.locator("main").inner_text()
    assert_accessible(support, "report a change: what changed")

    # What changed: "Income changed" (a USWDS radio: the label is what is clicked).
    events = support.get_by_role("group", name="What changed?")
    choose(events, "Income changed")
    assert events.get_by_role("radio", name="Income changed").is_checked()
    navigate(support, lambda: support.get_by_role("button", name="Continue").click())
    assert heading(support) == "Report a change: Income changed"
    main = support.locator("main").inner_text()
    assert "does not open a special enrollment period with a premium tax credit from 2026" in main
    assert support.get_by_label("Street address").count() == 0  # only what this event needs
    assert_accessible(support, "report a change: income")

    # The details, then sent with the keyboard (Enter in the amount field).
    support.get_by_label("The day it happened").fill(day.strftime("%m/%d/%Y"))
    choose(support.get_by_role("group", name="Who"), name)
    support.get_by_label("Kind of income").select_option(label="Job (wages, salary, tips)")
    support.get_by_label("How often").select_option(label="Once a year (the whole year)")
    amount = support.get_by_label("Amount before taxes ($)")
    amount.fill("48000")
    navigate(support, lambda: amount.press("Enter"))
    report = ChangeReport.objects.get()
    assert (report.event, report.status, report.on_behalf) == ("income_changed", ReportStatus.SUBMITTED, True)
    assert report.submitted_by == support_staff and report.details["amount"] == "48000.00"
    assert support.url.endswith(f"/changes/{report.public_id}/")
    status = support.locator("[role=status]").inner_text()
    assert f"Your report is sent to MNsure (reference {report.short_id})." in status, status
    assert heading(support).startswith("Income changed")
    assert support.locator("h1 .usa-tag").text_content() == "Sent to MNsure"  # (shown in capitals by the style)
    facts = support.locator("main dl").inner_text()
    assert "Income went up or down — Income changed" in facts, facts
    assert day.strftime("%B %-d, %Y") in facts and name in facts, facts
    assert "Job (wages, salary, tips)" in facts and "Once a year (the whole year)" in facts, facts
    assert "$48,000.00" in facts and "Sam Support" in facts, facts
    assert_accessible(support, "the change report")

    # The client's page lists it.
    navigate(support, lambda: support.get_by_role("link", name=f"{name}’s page").click())
    section = support.locator("section", has=support.get_by_role("heading", name="Reported changes"))
    row = section.get_by_role("row", name=re.compile("^Income changed"))
    assert "Sent to MNsure" in row.text_content(), row.text_content()
    assert_accessible(support, "the client's page, with the report")

    # --- The reviewer processes it in the admin.
    sign_in(staff, reviewer.email, PASSWORD, totp=lambda: totp_code(reviewer))
    staff.goto("/admin/")
    module = staff.locator(".app-changes.module")
    assert module.locator("caption").text_content().strip() == "Changes in circumstance"
    navigate(staff, lambda: module.get_by_role("link", name="Change reports").click())
    navigate(staff, lambda: staff.get_by_role("link", name=report.short_id).click())
    navigate(staff, lambda: staff.get_by_role("link", name="Decide").click())
    assert "48000.00" in staff.locator("#content-main").inner_text()
    staff.get_by_label("Process it: apply it to the application and determine eligibility again").check()
    staff.get_by_label("The question, or a note on what you did").fill(NOTE)
    navigate(staff, lambda: staff.get_by_role("button", name="Save").click())
    assert "Done; the household is told." in staff.locator(".messagelist").inner_text()
    assert staff.url.endswith(f"/admin/changes/changereport/{report.pk}/change/")
    report.refresh_from_db()
    application.refresh_from_db()
    assert report.status == ReportStatus.PROCESSED and report.outcome == NOTE
    assert report.processed_by == reviewer and report.processed_revision == application.version
    assert application.status == ApplicationStatus.DETERMINED
    after = application.determination.max_monthly_credit
    assert 0 < after < before, (before, after)
    expect(staff.get_by_role("link", name="Decide")).to_have_count(0)  # processed: nothing left to decide

    # --- The consumer: the application's history shows the change.
    sign_in(own, consumer.email, PASSWORD)
    navigate(own, lambda: own.get_by_role("link", name="My applications").first.click())
    navigate(own, lambda: own.get_by_role("link", name=f"{YEAR} application").click())
    assert heading(own).startswith(f"{YEAR} application")
    assert f"Premium tax credit: up to ${after:,.2f} a month" in own.locator("main").inner_text()
    navigate(own, lambda: own.get_by_role("link", name=re.compile("^History of this application")).click())
    assert heading(own) == "History of the application"
    versions = own.get_by_role("table", name="Versions of the application, newest first")
    newest = versions.locator("tbody tr").first
    cells = newest.inner_text()
    assert newest.locator("th").inner_text() == str(application.version), cells
    assert "A reported change processed: income" in cells and "Rita Reviewer" in cells, cells
    assert_accessible(own, "the application's history")

    # The notices: the new eligibility results, with the lower credit, and "Your reported change is processed".
    determinations = rendered(person, "application_determination")
    assert len(determinations) == 2
    rendered(person, "change_received")
    rendered(person, "change_processed")
    navigate(own, lambda: own.get_by_role("link", name="My notices").first.click())
    assert heading(own) == "My notices"
    listed = own.locator("table").inner_text()
    assert "Your reported change is processed" in listed and "We received your report of a change" in listed
    assert_accessible(own, "my notices")
    results = own.get_by_role("link", name=re.compile("^Your eligibility results"))
    assert results.count() == 2
    navigate(own, lambda: results.first.click())  # newest first
    letter = own.locator("article").inner_text()
    assert determinations[-1].number in letter, letter[:1500]
    assert f"Premium tax credit: up to ${after:,.2f} a month." in letter, letter[:1500]
    assert f"${before:,.2f}" not in letter
    assert_accessible(own, "the new eligibility results")

    navigate(own, lambda: own.get_by_role("link", name="Back to My notices").click())
    navigate(own, lambda: own.get_by_role("link", name=re.compile("^Your reported change is processed")).click())
    letter = own.locator("article").inner_text()
    assert f"MNsure processed the change you reported (reference {report.short_id})." in letter, letter[:1500]
    assert f"What MNsure did: {NOTE}" in letter and "Sam Support" in letter, letter[:1500]
    assert day.strftime("%B %-d, %Y") in letter, letter[:1500]
    assert_accessible(own, "the change processed notice")
