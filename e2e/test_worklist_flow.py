"""The worklist in the browser (issue 17): a broker opens "What needs doing" from the navigation, keeps only the
documents due, opens the nearest one, sends the document the client gave him, and the item leaves the list; he ticks
another client's item and sends that client a reminder; from "My clients" he exports the book as a CSV file. Every
page visited is checked with axe-core; the filter, the ticking and the sending are done with the keyboard."""

import csv
import io
import re

import pytest
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from applications import services as application_services
from applications.tests.factories import fill, started
from associations.tests.factories import associate
from clients.tests.factories import make_client
from conftest import PASSWORD, totp_code
from e2e.conftest import assert_accessible
from e2e.helpers import choose, heading, navigate, sign_in, tab_to
from notices.models import Notice
from plans.tests.factories import load_sample_catalog
from verifications.models import RequestStatus
from verifications.tests.factories import with_income_request
from worklist.export import header
from worklist.models import FollowUpReminder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

YEAR = 2027
POWERS = ["view_client", "upload_for_client"]  # the clients let their broker see their file and send documents
SEND_DOCUMENTS = "Send the documents that prove what was attested"
PAY_STUBS = "Pay stubs (the last four weeks)"
CONFIRM = "The client gave me this document to send to MNsure for them."
NAV_WORKLIST = ".usa-nav__primary a[href='/worklist/']"


def pay_stub(folder) -> str:
    """A photographed pay stub, as the broker's computer holds it."""
    path = folder / "paystub.png"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (240, 236, 220)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _rows(page):
    return page.locator("table tbody tr")


def _cells(row) -> list[str]:
    """The row's cells as shown, a cell's lines joined by spaces; the urgency tag's text as written (the style shows
    it in capitals)."""
    cells = [" ".join(cell.split()) for cell in row.locator("td").all_inner_texts()]
    cells[1] = row.locator(".usa-tag").text_content().strip()
    return cells


def test_broker_sends_the_nearest_documents_from_the_worklist_reminds_a_client_and_exports_the_book(
    watched, broker, settings, private_storage, tmp_path
):
    load_sample_catalog(YEAR)
    dora = make_client(first_name="Dora", last_name="Duesoon", email="dora@example.org")
    lars = make_client(first_name="Lars", last_name="Later", email="lars@example.org")
    mai = make_client(first_name="Mai", last_name="Waiting", email="mai@example.org")
    for person in (dora, lars, mai):
        associate(person, broker.assister, powers=POWERS)
    # Dora's income documents are due in 4 days (the nearest), Lars's in the usual 90.
    settings.VERIFICATION_DAYS = 4
    _application, nearest = with_income_request(dora)
    settings.VERIFICATION_DAYS = 90
    with_income_request(lars)
    # Mai's application, prepared by her broker, waits for her to confirm it: another kind of item.
    association = mai.associations.get()
    application = fill(started(mai, actor=broker, association=association), actor=broker, association=association)
    application_services.application_request_review(application=application, actor=broker, association=association)
    page = watched.new_page()

    # --- "What needs doing", from the navigation, with the keyboard: all five items, the nearest due first (Dora's and
    # Lars's applications wait for documents in open enrollment with no plan chosen: an item each too).
    sign_in(page, broker.email, PASSWORD, totp=lambda: totp_code(broker))
    tab_to(page, NAV_WORKLIST)
    navigate(page, lambda: page.keyboard.press("Enter"))
    assert heading(page) == "What needs doing"
    expect(_rows(page)).to_have_count(5)
    _box, urgency, by, client, what, _to_do = _cells(_rows(page).first)
    assert (urgency, by, client, what) == (
        "Due within 5 days",
        nearest.due_date.strftime("%b %-d, %Y"),
        "Dora Duesoon",
        "Documents due Income",
    )
    assert "Showing 1 to 5 of 5 items." in page.locator("#results-summary").inner_text()
    assert_accessible(page, "the worklist")

    # Keep only the documents due ("What", then "Show").
    what = page.get_by_label("What (optional)", exact=True)
    tab_to(page, "select[name=kind]")
    page.keyboard.press("ArrowDown")  # from "Everything" to the first kind, "Documents due"
    assert what.evaluate("(select) => select.selectedOptions[0].text") == "Documents due"
    tab_to(page, "form[method=get] button[type=submit]")
    navigate(page, lambda: page.keyboard.press("Enter"))
    assert re.search(r"[?&]kind=documents_due(&|$)", page.url), page.url
    expect(_rows(page)).to_have_count(2)
    assert "Dora Duesoon" in _rows(page).nth(0).inner_text() and "Lars Later" in _rows(page).nth(1).inner_text()
    assert "Mai Waiting" not in page.locator("main").inner_text()
    assert what.input_value() == "documents_due"
    assert_accessible(page, "the worklist, documents due")

    # --- The nearest item's "Send the documents…": the request, where the broker sends the pay stub Dora gave him.
    navigate(page, lambda: _rows(page).first.get_by_role("link", name=SEND_DOCUMENTS).click())
    assert page.url.endswith(f"/documents/requests/{nearest.public_id}/")
    assert heading(page).startswith("Income of Dora Duesoon")
    assert "You are acting for Dora Duesoon." in page.locator("main").inner_text()
    assert_accessible(page, "the request")
    choose(page.get_by_role("group", name="Which document is it?"), PAY_STUBS)
    page.get_by_label("Files").set_input_files(pay_stub(tmp_path))
    choose(page.locator("form"), CONFIRM)
    assert page.get_by_role("checkbox", name=CONFIRM).is_checked()
    navigate(page, lambda: page.get_by_role("button", name="Send to MNsure").click())
    status = page.locator("[role=status]").inner_text()
    assert "Sent to MNsure: 1 file." in status, status
    assert_accessible(page, "the request, sent")
    nearest.refresh_from_db()
    assert nearest.status == RequestStatus.SUBMITTED and nearest.documents.get().on_behalf

    # --- Back on the worklist: Dora's item has left it (the document waits for MNsure, not for the broker).
    navigate(page, lambda: page.locator(NAV_WORKLIST).click())
    expect(_rows(page)).to_have_count(4)
    rows = [_rows(page).nth(i).inner_text() for i in range(4)]
    assert not [row for row in rows if "Dora Duesoon" in row and "Documents due" in row], rows
    assert [row for row in rows if "Lars Later" in row and "Documents due" in row], rows
    assert [row for row in rows if "Mai Waiting" in row], rows
    assert_accessible(page, "the worklist after sending")

    # --- Tick Mai's item and send her a reminder, with the keyboard.
    tab_to(page, "input[name=item][value^='confirmation_waiting:']", limit=80)
    page.keyboard.press("Space")
    assert page.get_by_role("checkbox", name="Remind Mai: Waiting for the client's confirmation").is_checked()
    tab_to(page, "#remind button[type=submit]")
    navigate(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_text("Reminder sent for 1 item.")).to_be_visible()
    assert heading(page) == "What needs doing"
    assert_accessible(page, "the worklist, reminder sent")
    reminder = FollowUpReminder.objects.get()
    assert (reminder.client, reminder.kind, reminder.sent_by) == (mai, "confirmation_waiting", broker)
    assert Notice.objects.filter(client=mai, kind="followup_reminder").count() == 1
    assert not Notice.objects.filter(client=lars, kind="followup_reminder").exists()

    # --- "My clients": export the book; the file starts with its header row.
    navigate(page, lambda: page.locator(".usa-nav__primary").get_by_role("link", name="My clients").click())
    assert_accessible(page, "my clients")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export these clients (CSV)").click()
    download = info.value
    assert re.fullmatch(r"clients-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    saved = tmp_path / "clients.csv"
    download.save_as(saved)
    lines = saved.read_bytes().decode("utf-8-sig").splitlines()
    with translation.override("en"):
        assert next(csv.reader(lines[:1])) == header()
    assert len(lines) == 4  # the header, then the three clients
    assert "Lars" in "".join(lines[1:]) and "Dora" in "".join(lines[1:])
