"""The assister's pages in a real browser: nothing cut off at 1280 or 375 pixels, contrast that passes axe on the
lists that failed it (issues 9 and 10), and asking to help a client by keyboard up to recording consent."""

import re
from datetime import date

import pytest

from associations import services as association_services
from associations.tests.factories import ask_to_help, associate
from certification.models import AgencyKind, AssisterKind
from certification.tests.factories import make_agency, make_assister
from clients.tests.factories import make_client
from conftest import PASSWORD, totp_code
from e2e.conftest import assert_accessible
from e2e.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (1280, 375)
# Whether the page scrolls sideways, and for each table whether its last column is out of view and cannot be
# reached (outside the viewport with no scrollable container around it).
LAYOUT = """() => {
  const cut = [];
  for (const table of document.querySelectorAll('main table')) {
    const scroller = table.closest('.usa-table-container--scrollable');
    const cells = table.querySelectorAll('tr > :last-child');
    for (const cell of cells) {
      const right = cell.getBoundingClientRect().right;
      const limit = scroller ? Infinity : document.documentElement.clientWidth;
      if (right > limit + 1) { cut.push(table.querySelector('caption')?.innerText || table.outerHTML.slice(0, 80)); break; }
    }
    if (scroller && scroller.scrollWidth > scroller.clientWidth && scroller.tabIndex < 0) {
      cut.push('scrollable table without keyboard focus');
    }
  }
  return {pageWider: document.documentElement.scrollWidth > document.documentElement.clientWidth + 1, cut};
}"""


def assert_fits(page, label: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        layout = page.evaluate(LAYOUT)
        assert layout == {"pageWider": False, "cut": []}, f"{label} at {width} px: {layout}"


def book_with_history():
    """A broker with a client whose consent history has several rows with every power."""
    agency = make_agency()
    broker = make_assister(AssisterKind.BROKER, agency=agency, first_name="Bao", last_name="Vang")
    person = make_client(first_name="Ana María", last_name="García-Hernández")
    association = associate(person, broker)
    association_services.association_change_powers(
        association=association, powers=["view_client", "apply_for_client"], actor=person.user
    )
    association_services.association_change_powers(
        association=association, powers=association_services.DEFAULT_POWERS[broker.kind], actor=person.user
    )
    return agency, broker, person


def test_dashboard_and_client_page_fit_at_1280_and_375_pixels(watched):
    _agency, broker, _person = book_with_history()
    page = watched.new_page()
    sign_in(page, broker.user.email, PASSWORD, totp=lambda: totp_code(broker.user))
    page.goto("/clients/")
    assert_fits(page, "dashboard")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name=re.compile("Ana María García-Hernández")).click()
    page.wait_for_load_state()
    assert_fits(page, "client page")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page, "client page")


def test_the_agency_admins_client_list_and_the_requests_list_pass_the_contrast_check(watched):
    agency, broker, _person = book_with_history()
    waiting = make_client(first_name="Bea", last_name="Waiting", claimed=False)
    ask_to_help(waiting, broker)
    admin = watched.new_page()
    sign_in(admin, agency.admin_user.email, PASSWORD, totp=lambda: totp_code(agency.admin_user))
    admin.goto("/clients/")
    assert "Ana María García-Hernández" in admin.content()
    assert_accessible(admin, "agency admin's client list")
    assert_fits(admin, "agency admin's client list")

    page = watched.new_page()
    sign_in(page, broker.user.email, PASSWORD, totp=lambda: totp_code(broker.user))
    page.goto("/clients/requests/")
    assert "Bea Waiting" in page.content()
    assert_accessible(page, "my requests")
    assert_fits(page, "my requests")


def test_asking_to_help_and_recording_a_call_by_keyboard(watched):
    navigator = make_assister(AssisterKind.NAVIGATOR, agency=make_agency(AgencyKind.NAVIGATOR_ORG))
    make_client(
        first_name="Mai", last_name="Vang", date_of_birth=date(1975, 3, 4), email="mai@example.org", claimed=False
    )
    page = watched.new_page()
    sign_in(page, navigator.user.email, PASSWORD, totp=lambda: totp_code(navigator.user))

    page.goto("/clients/find/")
    assert_accessible(page, "find a client")
    page.get_by_label("Client's first name").fill("Mai")
    page.get_by_label("Client's last name").fill("Vang")
    page.get_by_label("Client's date of birth").fill("03/04/1975")
    page.get_by_label("Client's email address").fill("someone-else@example.org")
    page.get_by_label("Client's email address").press("Enter")
    page.wait_for_load_state()
    assert "We could not match those details to a client." in page.content()
    assert_accessible(page, "find a client, not matched")

    page.get_by_label("Client's email address").fill("mai@example.org")
    page.get_by_label("Client's email address").press("Enter")
    page.wait_for_load_state()
    assert page.url.endswith("/clients/requests/")
    page.get_by_role("link", name=re.compile("Record consent")).click()
    page.wait_for_load_state()
    assert_accessible(page, "record consent")

    page.locator("label", has_text="The client agreed in a recorded telephone call").click()
    page.get_by_label("Call recording reference").fill("none")
    page.get_by_label("Time of the call").fill("12:01 AM")
    page.get_by_label("Who was on the call").fill("Mai Vang (client), me")
    page.locator("label", has_text="I confirm the client gave this consent").click()
    page.get_by_role("button", name="Record the consent").click()
    page.wait_for_load_state()
    assert "6 to 40 letters, digits and hyphens" in page.content()
    assert_accessible(page, "record consent, refused reference")

    page.get_by_label("Call recording reference").fill("CALL-2026-0042")
    if not page.get_by_label(re.compile("I confirm the client gave this consent")).is_checked():
        page.locator("label", has_text="I confirm the client gave this consent").click()
    page.get_by_role("button", name="Record the consent").click()
    page.wait_for_load_state()
    assert "Mai Vang" in page.locator("h1").inner_text()
    assert "/clients/" in page.url and "/consent/" not in page.url
