"""Choosing a plan in the browser (issue 13): the broker compares three plans for a determined client, takes part of
the premium tax credit and chooses one; the consumer sees it under "My coverage" and in the notice, says "I did not
ask for this", and the broker's next attempt to choose for that client is refused. Every page is checked with
axe-core; the credit is typed and sent with Enter, and the filters update the results with htmx."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import ApplicationStatus, DisputeStatus, Enrollment, EnrollmentDispute
from applications.tests.factories import determined
from associations.tests.factories import associate
from conftest import PASSWORD, totp_code
from e2e.conftest import assert_accessible
from e2e.helpers import heading, navigate, sign_in
from notices import services as notice_services
from notices.models import Notice, NoticeStatus
from plans.tests.factories import load_sample_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

YEAR = 2027
SUSPENDED = "You may not choose or end plans for this client for now"
CLIENT_ASKED = "The client asked me to choose this plan for them, with this credit."


@pytest.fixture
def open_enrollment(settings):
    """Open enrollment for 2027 coverage is on today, before the cut-off (coverage starts January 1). The live
    server runs in a thread of this process, so it reads the same settings."""
    today = timezone.localdate()
    settings.OPEN_ENROLLMENT_PERIODS = {
        YEAR: (today - timedelta(days=5), today + timedelta(days=5), today + timedelta(days=40))
    }


def settled(page) -> None:
    """Wait until htmx has no request in flight (a `change delay:300ms` trigger may still be pending)."""
    page.wait_for_timeout(400)
    expect(page.locator(".htmx-request")).to_have_count(0)  # polls without eval, which the CSP forbids


def plan_rows(page):
    return page.get_by_role("table", name=re.compile(f"^Plans for {YEAR}, priced")).locator("tbody tr")


def net_of(page, plan_id: str) -> str:
    """The "You pay each month" cell of one plan's row in the plan list."""
    row = plan_rows(page).filter(has=page.locator(f'input[name="plan"][value="{plan_id}"]'))
    return row.locator("td.text-bold").inner_text()


def tick_to_compare(page, plan_id: str) -> None:
    """Tick a plan's "Compare" box by its visible label, as a mouse user does (the input is drawn by the style)."""
    page.locator(f'label[for="compare-{plan_id}"]').click()


def money(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", ""))


def test_broker_compares_and_chooses_with_part_of_the_credit_consumer_disputes_broker_is_refused(
    watched, consumer, broker, open_enrollment
):
    load_sample_catalog(YEAR)
    person = consumer.client
    associate(person, broker.assister)
    application = determined(person)
    assert application.status == ApplicationStatus.DETERMINED
    maximum = application.determination.max_monthly_credit
    assert maximum > 100, maximum
    credit = Decimal(int(maximum) // 2)  # whole dollars, less than the maximum
    name = person.full_name
    assister = watched.new_page()
    own = watched.new_page()

    # --- The broker goes from the client's page to the application, and to the plans.
    sign_in(assister, broker.email, PASSWORD, totp=lambda: totp_code(broker))
    assister.goto(f"/clients/{person.public_id}/")
    navigate(
        assister, lambda: assister.get_by_role("link", name=re.compile(f"^{re.escape(name)}'s applications")).click()
    )
    navigate(assister, lambda: assister.get_by_role("link", name=f"{YEAR} application").click())
    assert heading(assister).startswith(f"{YEAR} application")
    navigate(assister, lambda: assister.get_by_role("link", name="Compare and choose a plan").click())
    assert heading(assister) == f"Plans for {YEAR}"
    main = assister.locator("main").inner_text()
    assert f"You are acting for {name}." in main
    assert "Open enrollment is on until" in main and "A plan chosen today starts on January 1, 2027." in main
    assert f"Premium tax credit: up to ${maximum:,.2f} a month; taking ${maximum:,.2f}." in main
    everything = int(re.search(r"of (\d+) plans match", assister.locator("#plans-summary").inner_text()).group(1))
    assert everything > 3
    assert plan_rows(assister).count() == min(everything, 20)  # 20 a page
    if everything > 20:
        assert assister.get_by_role("navigation", name="Pages").get_by_role("link", name="Page 2").count() == 1
    assert_accessible(assister, "the plan list")

    # A filter updates the results with htmx, without a full page load, and the URL says what is shown.
    assister.evaluate("window.stillTheSamePage = true")
    filters = assister.get_by_role("form", name="Filter and sort the plans")
    with assister.expect_response(lambda r: "/plans/?" in r.url and "metal_level=silver" in r.url) as sent:
        filters.get_by_role("group", name=re.compile("^Metal level")).locator("label", has_text="Silver").click()
    assert sent.value.request.headers.get("hx-request") == "true"
    settled(assister)
    silver = plan_rows(assister)
    assert 3 <= silver.count() < everything
    metal_levels = silver.locator("td:nth-of-type(1)").all_inner_texts()
    assert all(level.startswith("Silver") for level in metal_levels), metal_levels
    assert f"{silver.count()} of {everything} plans match." in assister.locator("#plans-summary").inner_text()
    assert "metal_level=silver" in assister.url
    assert assister.evaluate("window.stillTheSamePage === true"), "the filter reloaded the page"
    assert_accessible(assister, "the plan list, silver plans")

    # Part of the credit, typed and sent with Enter: what each plan costs after the credit goes up.
    first = silver.first.locator('input[name="plan"]').get_attribute("value")
    before = net_of(assister, first)
    field = filters.get_by_label("Premium tax credit to take each month")
    field.fill(str(credit))
    with assister.expect_response(lambda r: "/plans/?" in r.url and f"credit={credit}" in r.url):
        field.press("Enter")
    settled(assister)
    after = net_of(assister, first)
    assert after != before, (before, after)
    assert money(after) > money(before)
    assert f"credit={credit}" in assister.url and "metal_level=silver" in assister.url
    assert f"taking ${credit:,.2f}." in assister.locator("#results").inner_text(), "the credit line did not update"
    assert assister.evaluate("window.stillTheSamePage === true"), "sending the credit reloaded the page"
    assert_accessible(assister, "the plan list, part of the credit")

    # Three plans ticked (USWDS checkboxes: the label is what is clicked), compared side by side.
    rows = plan_rows(assister)
    ticked = [rows.nth(i).locator('input[name="plan"]').get_attribute("value") for i in range(3)]
    names = [rows.nth(i).locator("th").inner_text().split("\n")[0].strip() for i in range(3)]
    for plan_id in ticked:
        tick_to_compare(assister, plan_id)
        assert assister.locator(f"#compare-{plan_id}").is_checked()
    navigate(
        assister, lambda: assister.get_by_role("button", name="Compare the plans you ticked (two or three)").click()
    )
    assert heading(assister) == "Compare plans"
    table = assister.get_by_role("table", name=re.compile("^The plans you chose, side by side"))
    assert table.locator("thead th[scope=col]").all_inner_texts() == names
    credit_cells = table.get_by_role("row", name=re.compile("^Credit applied")).locator("td").all_inner_texts()
    assert credit_cells == [f"${credit:,.2f}"] * 3, credit_cells
    assert_accessible(assister, "compare")

    # Choose the second plan, with the credit carried along; the broker says the client asked for it.
    chosen_id, chosen = ticked[1], names[1]
    navigate(assister, lambda: table.get_by_role("link", name=f"Choose {chosen}").click())
    assert heading(assister) == f"Choose {chosen}?"
    assert assister.get_by_label("Premium tax credit to take each month").input_value() == f"{credit:.2f}"
    assert f"{name} will get a notice of this choice with your name" in assister.locator("main").inner_text()
    assert_accessible(assister, "choose")
    assister.locator("label", has_text=CLIENT_ASKED).click()
    assert assister.get_by_label(CLIENT_ASKED).is_checked()
    navigate(assister, lambda: assister.get_by_role("button", name="Choose this plan").click())
    assert f"{chosen} is chosen. Coverage starts on January 1, 2027." in assister.locator("[role=status]").inner_text()
    assert assister.url.endswith(f"/clients/{person.public_id}/")
    enrollment = Enrollment.objects.get()
    assert enrollment.hios_plan_id == chosen_id and enrollment.credit_applied == credit
    assert enrollment.on_behalf and enrollment.writing_agent == broker.assister
    net = f"${enrollment.net_premium:,.2f}"

    # The broker opens another plan to choose (a change of plans), but sends it only after the client's report.
    coverage_section = assister.locator("section", has=assister.get_by_role("heading", name="Coverage", exact=True))
    assert chosen in coverage_section.inner_text()
    navigate(assister, lambda: coverage_section.get_by_role("link", name="Change plans").click())
    assert f"Current plan: {chosen}." in assister.locator("main").inner_text()
    other = next(p for p in ticked if p != chosen_id)
    navigate(
        assister,
        lambda: (
            plan_rows(assister)
            .filter(has=assister.locator(f'input[value="{other}"]'))
            .get_by_role("link", name=re.compile("^Choose"))
            .click()
        ),
    )
    assert f"This replaces {chosen}" in assister.locator("main").inner_text()
    assister.locator("label", has_text=CLIENT_ASKED).click()

    # --- The consumer sees the plan under "My coverage", and the notice.
    sign_in(own, consumer.email, PASSWORD)
    navigate(own, lambda: own.get_by_role("link", name="My coverage").first.click())
    assert heading(own) == "My coverage"
    plan = own.locator("section", has=own.get_by_role("heading", name=f"Your {YEAR} plan")).inner_text()
    assert chosen in plan and net in plan, plan
    assert broker.assister.full_name in plan and "North Star Brokers" in plan, plan
    assert_accessible(own, "my coverage")

    notice = Notice.objects.get(client=person, kind="plan_selected")
    if notice.status != NoticeStatus.READY:  # no worker here: render it in-process, as the worker would
        notice_services.notice_render(notice_id=notice.pk)
    navigate(own, lambda: own.get_by_role("link", name="My notices").first.click())
    assert_accessible(own, "my notices")
    navigate(own, lambda: own.get_by_role("link", name=re.compile("Your health plan")).click())
    letter = own.locator("article").inner_text()
    assert f"chose {chosen} for you for {YEAR}" in letter and broker.assister.full_name in letter, letter[:1500]
    assert "Did you not ask for this?" in letter
    assert_accessible(own, "the plan notice")

    # "I did not ask for this", from My coverage.
    navigate(own, lambda: own.get_by_role("link", name="My coverage").first.click())
    navigate(own, lambda: own.get_by_role("link", name="I did not ask for this").click())
    assert heading(own) == "Tell MNsure you did not ask for this plan"
    assert chosen in own.locator("main").inner_text()
    assert_accessible(own, "dispute")
    own.get_by_label("Anything we should know (optional)").fill("I never spoke with this broker about a plan.")
    navigate(own, lambda: own.get_by_role("button", name="Send to MNsure").click())
    assert heading(own) == "My coverage"
    assert "Thank you. Exchange staff will review it" in own.locator("[role=status]").inner_text()
    plan = own.locator("section", has=own.get_by_role("heading", name=f"Your {YEAR} plan")).inner_text()
    assert "Your report" in plan and "Waiting for exchange staff" in plan, plan
    assert own.get_by_role("link", name="I did not ask for this").count() == 0, "offered again after the report"
    assert_accessible(own, "my coverage, reported")

    # --- The broker's choice, sent after the report, is refused; the plan list offers no choice any more.
    navigate(assister, lambda: assister.get_by_role("button", name="Choose this plan").click())
    assert SUSPENDED in assister.locator("main").inner_text()
    assert assister.get_by_role("button", name="Choose this plan").count() == 0
    assert_accessible(assister, "choose, refused")
    assister.goto(f"/applications/{application.public_id}/plans/?credit={credit}")
    assert heading(assister) == f"Plans for {YEAR}"
    assert SUSPENDED in assister.get_by_role("region", name="Plan choices suspended").inner_text()
    assert plan_rows(assister).count() > 0
    assert assister.get_by_role("link", name=re.compile("^Choose")).count() == 0
    assert_accessible(assister, "the plan list, suspended")

    assert Enrollment.objects.count() == 1
    assert Enrollment.objects.get().hios_plan_id == chosen_id
    dispute = EnrollmentDispute.objects.get()
    assert dispute.status == DisputeStatus.OPEN and dispute.assister_user == broker
    assert dispute.consumer_note == "I never spoke with this broker about a plan."
