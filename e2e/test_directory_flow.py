"""The public directory: search by ZIP, filter by language, open a listing from the map by keyboard,
choose the assister, sign in, land on the consent step — and the same search without JavaScript."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from certification.models import AgencyKind, AssisterKind
from certification.tests.factories import make_agency, make_assister
from clients.tests.factories import make_client
from conftest import PASSWORD
from directory.tests.factories import list_assister
from e2e.conftest import assert_accessible
from e2e.helpers import new_page_without_javascript, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def listed():
    """A Spanish-speaking navigator with her own office in Duluth, an English-speaking broker whose
    agency is in Duluth, and a broker in Saint Paul, all certified and listed."""
    navigator = list_assister(
        assister=make_assister(AssisterKind.NAVIGATOR, first_name="Sofía", last_name="Ramírez"),
        languages=["es", "en"],
        counties=["St. Louis"],
        office_street="201 W 1st St",
        office_city="Duluth",
        office_zip="55802",
    )
    duluth_agency = make_agency(AgencyKind.BROKER_AGENCY, city="Duluth", zip_code="55811")
    duluth_broker = list_assister(
        assister=make_assister(AssisterKind.BROKER, agency=duluth_agency, first_name="Erik", last_name="Lind"),
        languages=["en"],
        counties=["Carlton"],
    )
    saint_paul_broker = list_assister(
        assister=make_assister(AssisterKind.BROKER, first_name="Bao", last_name="Vang"),
        languages=["en", "hmn"],
        counties=["Ramsey"],
    )
    return navigator, duluth_broker, saint_paul_broker


def result_names(page) -> list[str]:
    return [name.strip() for name in page.locator(".directory-results h3").all_inner_texts()]


def htmx_search(page, button_name="Search"):
    """Submit the search form; htmx swaps the results in place and pushes the search's URL."""
    with page.expect_response(lambda r: "/directory/?" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_role("button", name=button_name, exact=True).click()
    page.wait_for_load_state()


def test_search_filter_open_from_the_map_by_keyboard_choose_and_sign_in(watched, listed):
    navigator, duluth_broker, _ = listed
    person = make_client(first_name="Lucía", last_name="Flores")
    page = watched.new_page()

    # The bare directory asks for a place (and shows the county map).
    page.goto("/directory/")
    expect(page.get_by_role("heading", name="Find help near you")).to_be_visible()
    expect(page.locator("a.directory-map__county")).to_have_count(87)
    assert_accessible(page, "directory, no search")
    page.evaluate("window.__sameDocument = true")  # a full page load would forget this

    # A ZIP code: htmx updates the results and the address, nearest first; Saint Paul is too far.
    page.get_by_label("ZIP code or city").fill("55802")
    page.get_by_label("Distance").select_option("25")
    htmx_search(page)
    expect(page.locator("#results-summary")).to_have_text("2 listings within 25 miles of 55802 (Duluth)")
    assert parse_qs(urlparse(page.url).query)["place"] == ["55802"]
    assert page.evaluate("window.__sameDocument === true"), "the search reloaded the page instead of using htmx"
    assert result_names(page) == ["Sofía Ramírez", "Erik Lind"]
    assert page.locator(".directory-results").get_by_text("0.0 miles away").count() == 1
    assert_accessible(page, "directory, ZIP search")

    # Spanish: only the navigator speaks it.
    page.get_by_label("Language spoken").select_option("es")
    htmx_search(page)
    expect(page.locator("#results-summary")).to_have_text("1 listing within 25 miles of 55802 (Duluth)")
    query = parse_qs(urlparse(page.url).query)
    assert query["place"] == ["55802"] and query["language"] == ["es"]
    assert result_names(page) == ["Sofía Ramírez"]
    assert "Español (Spanish)" in page.locator(".directory-results").inner_text()
    assert_accessible(page, "directory, ZIP and language")

    # By keyboard: from the listing's last link, Tab reaches the map's marker for it; Enter opens it.
    page.locator(".directory-results").get_by_role("link").last.focus()
    marker = page.locator("a.directory-map__marker")
    expect(marker).to_have_count(1)
    presses = tab_to(page, "a.directory-map__marker")
    assert presses == 1, "the marker should be the next stop after the results"
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Sofía Ramírez: open the listing"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/directory/assisters/{navigator.assister_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sofía Ramírez")
    expect(page.get_by_role("heading", name="Conflict-of-interest disclosures")).to_be_visible()
    assert "Navigator" in page.locator("main").inner_text()
    assert "201 W 1st St, Duluth, MN 55802" in page.locator("main").inner_text()
    assert_accessible(page, "navigator's listing")

    # "Choose this assister" while signed out: the sign-in page, then the consent step for her.
    page.get_by_role("link", name=re.compile("^Choose this assister")).click()
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=.*"))
    assert_accessible(page, "sign-in before choosing")
    page.get_by_label("Email").fill(person.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r".*/my/assisters/choose/\?assister_id=.*"))
    assert parse_qs(urlparse(page.url).query)["assister_id"] == [navigator.assister_id]
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose Sofía Ramírez as your navigator")
    agree = page.get_by_label("I agree to have Sofía Ramírez help me as described above.")
    expect(agree).to_be_attached()
    expect(page.get_by_role("button", name="Agree and choose Sofía Ramírez")).to_be_visible()
    assert_accessible(page, "consent step")

    # Agreeing finishes it: she is the consumer's navigator.
    page.locator("label", has_text="I agree to have Sofía Ramírez help me").click()
    page.get_by_role("button", name="Agree and choose Sofía Ramírez").click()
    page.wait_for_url(re.compile(r".*/my/assisters/$"))
    assert "Sofía Ramírez is now your navigator." in page.locator("main").inner_text()
    assert_accessible(page, "my assisters after choosing")
    assert duluth_broker.assister_id not in page.content()


def accessible_with_javascript(watched, url, label):
    """axe-core needs JavaScript: check the same page (htmx changes nothing until a search) in a page that has it."""
    page = watched.new_page()
    page.goto(url)
    assert_accessible(page, label)
    page.close()


def test_search_and_county_map_work_without_javascript(watched, listed):
    navigator, duluth_broker, _ = listed
    page = new_page_without_javascript(watched)
    htmx_requests = []
    page.on("request", lambda r: htmx_requests.append(r.url) if r.headers.get("hx-request") else None)

    page.goto("/directory/")
    page.get_by_label("ZIP code or city").fill("Duluth")
    page.get_by_label("Distance").select_option("25")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r".*/directory/\?.*place=Duluth.*"))
    expect(page.locator("#results-summary")).to_have_text("2 listings within 25 miles of Duluth")
    assert sorted(result_names(page)) == ["Erik Lind", "Sofía Ramírez"]
    accessible_with_javascript(watched, page.url, "directory, city search")

    # St. Louis County on the map: only who serves it (the navigator); the place is kept.
    county = page.get_by_role("link", name="St. Louis County: show who serves it")
    county.click()
    page.wait_for_url(re.compile(r".*county=27137.*"))
    query = parse_qs(urlparse(page.url).query)
    assert query["county"] == ["27137"] and query["place"] == ["Duluth"]
    expect(page.locator("#results-summary")).to_have_text("1 listing within 25 miles of Duluth")
    assert result_names(page) == ["Sofía Ramírez"]
    assert page.get_by_label("County served").input_value() == "27137"
    chosen = page.get_by_role("link", name="St. Louis County (chosen): show every county")
    assert chosen.get_attribute("aria-current") == "true"
    accessible_with_javascript(watched, page.url, "directory, county chosen")

    # The chosen county again: every county.
    chosen.click()
    page.wait_for_load_state()
    assert "county" not in parse_qs(urlparse(page.url).query)
    assert sorted(result_names(page)) == ["Erik Lind", "Sofía Ramírez"]
    assert navigator.assister_id in page.content() and duluth_broker.assister_id in page.content()
    assert htmx_requests == [], "every step should have been a plain page load"
