"""Applying for coverage in the browser (issue 12): a broker starts an application for a client and fills it, the
consumer confirms it in their account, the broker signs and submits it and sees the determination on the
dashboard; the consumer reads the determination notice. Every page is checked with axe-core; the address, the
status and the signature are entered by keyboard."""

import re

import pytest
from playwright.sync_api import expect

from associations.tests.factories import associate
from conftest import PASSWORD, totp_code
from e2e.conftest import assert_accessible
from e2e.helpers import choose, heading, navigate, sign_in
from notices import services as notice_services
from notices.models import Notice, NoticeStatus
from plans.tests.factories import load_sample_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

YEAR = 2027


def member_group(page, name):
    """The fieldset of one person on a per-person step (its legend is their name)."""
    return page.get_by_role("group", name=name, exact=True)


def test_broker_applies_consumer_confirms_broker_submits_consumer_reads_the_notice(watched, consumer, broker):
    load_sample_catalog(YEAR)
    person = consumer.client
    associate(person, broker.assister)
    name, first = person.full_name, person.first_name
    assister = watched.new_page()
    own = watched.new_page()

    # --- The broker starts a 2027 application from the client's page.
    sign_in(assister, broker.email, PASSWORD, totp=lambda: totp_code(broker))
    assister.goto(f"/clients/{person.public_id}/")
    navigate(
        assister, lambda: assister.get_by_role("link", name=re.compile(f"^{re.escape(name)}'s applications")).click()
    )
    assert heading(assister) == f"{name}’s applications"
    assert_accessible(assister, "the client's applications")
    assister.get_by_label("Coverage year").select_option(str(YEAR))
    navigate(assister, lambda: assister.get_by_role("button", name="Start", exact=True).click())

    # Where you live: typed, and sent with Enter.
    assert heading(assister) == "Where you live"
    assert_accessible(assister, "step: address")
    assister.get_by_label("Street address").fill("100 Main St")
    assister.get_by_label("City").fill("Minneapolis")
    assister.get_by_label("ZIP code").fill("55401")
    navigate(assister, lambda: assister.get_by_label("ZIP code").press("Enter"))

    # Who is in your household: the spouse is added with htmx, without a full page load.
    assert heading(assister) == "Who is in your household"
    assert_accessible(assister, "step: household")
    assister.evaluate("window.stillTheSamePage = true")
    add = assister.locator("form", has=assister.get_by_role("heading", name="Add a person"))
    add.get_by_role("button", name="Add this person").click()  # nothing filled in: the errors, in place
    assister.locator("#members #id_first_name-error").wait_for()
    assert assister.locator("#members li").count() == 1, "the household list went missing with the errors"
    assert add.count() == 1, "the form lost its heading with the errors"
    assert add.get_attribute("hx-post"), "after the errors, the form no longer adds with htmx"
    # Keyboard focus goes to the first field to fix, and the live region outside the list says why.
    # htmx moves the focus when the swap settles; expect() polls without eval, which the CSP forbids.
    expect(assister.locator("#id_first_name")).to_be_focused()
    assert "need fixing" in assister.locator("#step-status").inner_text()
    assert_accessible(assister, "step: household, a person with errors")
    add.get_by_label("First name").fill("Sam")
    add.get_by_label("Last name").fill(person.last_name)
    add.get_by_label("Date of birth").fill("04/02/1985")
    add.get_by_label("Relationship to the person applying").select_option(label="Spouse")
    with assister.expect_response(lambda r: r.url.endswith("/members/add/") and r.request.method == "POST") as sent:
        add.get_by_role("button", name="Add this person").click()
    assert sent.value.request.headers.get("hx-request") == "true"
    members = assister.locator("#members li")
    members.filter(has_text=f"Sam {person.last_name}").wait_for()
    assert members.count() == 2
    assert "Spouse" in members.nth(1).inner_text()
    assert assister.evaluate("window.stillTheSamePage === true"), "adding a person reloaded the page"
    assert f"Sam {person.last_name} is saved." in assister.locator("#members").inner_text()
    assert f"Sam {person.last_name} is saved." in assister.locator("#step-status").inner_text()
    # htmx moves the focus when the swap settles; expect() polls without eval, which the CSP forbids.
    expect(assister.locator("#id_first_name")).to_be_focused()
    assert_accessible(assister, "step: household, after adding the spouse")
    navigate(assister, lambda: assister.get_by_role("button", name="Continue", exact=True).click())

    # Tax filing: both file jointly.
    assert heading(assister) == "Tax filing", assister.locator("main").inner_text()[:1500]
    assert "is saved." not in assister.locator("main").inner_text()  # said once, where the person was added
    assert_accessible(assister, "step: tax filing")
    for who in (name, f"Sam {person.last_name}"):
        group = member_group(assister, who)
        choose(group, "Yes")
        group.get_by_label("Filing status").select_option(label="Married filing jointly")
    navigate(assister, lambda: assister.get_by_role("button", name="Save and continue").click())

    # Citizenship: by keyboard (Space ticks the focused radio button).
    assert heading(assister) == "Citizenship, immigration and other facts", assister.locator("main").inner_text()[:1500]
    assert_accessible(assister, "step: status")
    for who in (name, f"Sam {person.last_name}"):
        radio = member_group(assister, who).get_by_role("radio", name="U.S. citizen or U.S. national")
        radio.focus()
        assister.keyboard.press("Space")
        assert radio.is_checked()
    navigate(assister, lambda: assister.get_by_role("button", name="Save and continue").click())

    # Income: wages for the applicant, added with htmx; then "the income is complete".
    assert heading(assister) == "Income", assister.locator("main").inner_text()[:1500]
    assert_accessible(assister, "step: income")
    add = assister.locator("form", has=assister.get_by_role("heading", name="Add an income"))
    add.get_by_label("Whose income").select_option(label=name)
    add.get_by_label("Kind of income").select_option(label="Job (wages, salary, tips)")
    add.get_by_label("Amount before taxes ($)").fill("4000")
    add.get_by_label("How often").select_option(label="Every month")
    add.get_by_role("button", name="Add this income").click()
    assister.get_by_role("heading", name=re.compile(f"^{re.escape(name)} — \\$48,000")).wait_for()
    assert "The income is saved." in assister.locator("#incomes").inner_text()
    assert_accessible(assister, "step: income, after adding wages")
    navigate(assister, lambda: assister.get_by_role("button", name="The income is complete: continue").click())

    # Other health coverage: none for both.
    assert heading(assister) == "Other health coverage", assister.locator("main").inner_text()[:1500]
    assert_accessible(assister, "step: other coverage")
    for who in (name, f"Sam {person.last_name}"):
        choose(member_group(assister, who), "None")
    navigate(assister, lambda: assister.get_by_role("button", name="Save and continue").click())

    # Check your answers: the consumer must confirm before the broker may submit.
    assert heading(assister) == "Check your answers", assister.locator("main").inner_text()[:1500]
    assert_accessible(assister, "check your answers")
    assert assister.get_by_role("heading", name="Sign and submit").count() == 0
    navigate(assister, lambda: assister.get_by_role("button", name="Ask them to confirm it in their account").click())
    assert "Waiting for the consumer to confirm it in their account." in assister.locator("main").inner_text()
    assert_accessible(assister, "check your answers, waiting")

    # --- The consumer confirms it in their account.
    sign_in(own, consumer.email, PASSWORD)
    navigate(own, lambda: own.get_by_role("link", name="My applications").first.click())
    assert_accessible(own, "my applications, to confirm")
    alert = own.locator(".usa-alert", has=own.get_by_role("heading", name=f"Please confirm your {YEAR} application"))
    navigate(own, lambda: alert.get_by_role("link", name="Review and confirm it").click())
    assert heading(own) == "Confirm your application"
    assert "Bao Broker prepared this application for you" in own.locator("main").inner_text()
    assert_accessible(own, "confirm")
    choose(own, "Yes, it is correct: my assister may submit it")
    navigate(own, lambda: own.get_by_role("button", name="Send my answer").click())
    assert "Your assister can now submit the application." in own.locator("main").inner_text()
    assert_accessible(own, "the application, confirmed")

    # --- The broker signs and submits, by keyboard.
    navigate(assister, lambda: assister.reload())
    assert assister.get_by_role("heading", name="Sign and submit").count() == 1
    assert_accessible(assister, "check your answers, confirmed")
    form = assister.locator("form", has=assister.get_by_role("heading", name="Sign and submit"))
    boxes = form.get_by_role("checkbox")
    assert boxes.count() == 4
    boxes.first.focus()
    for index in range(4):
        assister.keyboard.press("Space")
        assert boxes.nth(index).is_checked()
        assister.keyboard.press("Tab")
    assert assister.evaluate("document.activeElement.name") == "signed_name"
    assister.keyboard.type(broker.get_full_name())
    navigate(assister, lambda: assister.keyboard.press("Enter"))
    assert heading(assister).startswith(f"{YEAR} application"), assister.locator("main").inner_text()[:1500]
    assert assister.get_by_role("heading", name="Eligibility results").count() == 1
    results = assister.get_by_role("table", name="Each person's result").inner_text()
    assert first in results and "Sam" in results
    assert_accessible(assister, "the application, determined")

    # The dashboard shows it.
    assister.goto("/clients/")
    row = assister.get_by_role("row", name=re.compile(re.escape(name)))
    cells = row.inner_text()
    assert str(YEAR) in cells and "Eligibility determined" in cells and "Choose a plan" in cells, cells
    assert_accessible(assister, "dashboard")

    # --- The consumer reads the determination notice.
    notice = Notice.objects.get(client=person, kind="application_determination")
    if notice.status != NoticeStatus.READY:  # no worker here: render it in-process, as the worker would
        notice_services.notice_render(notice_id=notice.pk)
    navigate(own, lambda: own.get_by_role("link", name="My notices").first.click())
    assert_accessible(own, "my notices")
    navigate(own, lambda: own.get_by_role("link", name=re.compile("Your eligibility results")).click())
    assert_accessible(own, "the determination notice")
    letter = own.locator("article").inner_text()
    assert f"results of your {YEAR} application" in letter
    assert first in letter and "Sam" in letter and "Premium tax credit" in letter, letter[:1500]
