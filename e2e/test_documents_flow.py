"""Documents in the browser (issue 14): a consumer's application waits for a document that proves her income; her
navigator, whom she let upload for her, finds her on the dashboard ("Documents due"), opens the request from her page
and sends a pay stub for her; a member of exchange staff's "Document reviewers" group opens it from the admin's queue,
sees the page picture made from the cleaned file and accepts it; the consumer sees her application determined and the
notices "Your document was accepted" and her new eligibility results. Every page visited is checked with axe-core."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import UserFactory
from applications.models import ApplicationStatus
from associations.tests.factories import associate
from clients.tests.factories import make_client
from conftest import PASSWORD, totp_code
from e2e.conftest import assert_accessible
from e2e.helpers import choose, heading, navigate, rendered, sign_in
from plans.tests.factories import load_sample_catalog
from verifications.models import Decision, RequestStatus
from verifications.tests.factories import with_income_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

YEAR = 2027
POWERS = ["view_client", "upload_for_client"]  # the client lets her navigator see her file and send documents
PAY_STUBS = "Pay stubs (the last four weeks)"
CONFIRM = "The client gave me this document to send to MNsure for them."


def pay_stub(folder) -> str:
    """A photographed pay stub, as the navigator's computer holds it."""
    path = folder / "paystub.png"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (240, 236, 220)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_navigator_sends_a_pay_stub_for_the_client_staff_accept_it_the_consumer_sees_her_results(
    watched, consumer, navigator, private_storage, tmp_path
):
    load_sample_catalog(YEAR)
    person = consumer.client
    associate(person, navigator.assister, powers=POWERS)
    other = make_client(first_name="Olga", last_name="Otherclient", email="olga@example.org")
    associate(other, navigator.assister, powers=POWERS)  # a client with nothing to prove: filtered out below
    application, row = with_income_request(person, attested="20000", source="40000")
    assert application.status == ApplicationStatus.PENDING_VERIFICATION
    reviewer = UserFactory(
        role=Role.STAFF,
        email="documents@example.org",
        first_name="Dee",
        last_name="Reviewer",
        mfa=True,
        groups=("Document reviewers",),
    )
    name = person.full_name
    due = row.due_date.strftime("%b %-d, %Y")
    helper = watched.new_page()
    staff = watched.new_page()
    own = watched.new_page()

    # --- The navigator's dashboard: the "Documents due" column, and the filter that keeps only those clients.
    sign_in(helper, navigator.email, PASSWORD, totp=lambda: totp_code(navigator))
    navigate(helper, lambda: helper.goto("/clients/"))
    table = helper.get_by_role("table", name="My clients")
    assert "Documents due" in table.locator("thead").inner_text()
    connie = table.get_by_role("row", name=re.compile(f"^{name}"))
    assert f"1 request due {due}" in " ".join(connie.inner_text().split()), connie.inner_text()
    assert table.locator("tbody tr").count() == 2
    assert_accessible(helper, "the dashboard")
    helper.get_by_label("Documents due").select_option(label="Documents due")
    helper.get_by_role("button", name="Search").click()  # htmx swaps the results and keeps the URL
    expect(helper).to_have_url(re.compile(r"[?&]documents=due(&|$)"))
    expect(helper.locator("#results tbody tr")).to_have_count(1)
    expect(helper.get_by_role("row", name=re.compile(f"^{name}"))).to_have_count(1)
    assert_accessible(helper, "the dashboard, documents due")
    navigate(helper, lambda: helper.goto("/clients/?documents=due"))  # the same filter, as a link
    expect(helper.locator("#results tbody tr")).to_have_count(1)
    assert "Olga Otherclient" not in helper.locator("main").inner_text()

    # --- The client's page: "Documents MNsure asked for", and the request from there.
    navigate(helper, lambda: helper.get_by_role("link", name=name).click())
    section = helper.locator("section", has=helper.get_by_role("heading", name="Documents MNsure asked for"))
    request_row = section.get_by_role("row", name=re.compile("^Income"))
    assert "Documents needed" in request_row.inner_text() and due in request_row.inner_text()
    assert_accessible(helper, "the client's page")
    upload_link = request_row.get_by_role("link", name=re.compile("^Upload a document: Income of"))
    navigate(helper, lambda: upload_link.click())
    assert helper.url.endswith(f"/documents/requests/{row.public_id}/#upload-heading")
    assert heading(helper).startswith(f"Income of {name}")
    main = helper.locator("main").inner_text()
    assert f"You are acting for {name}." in main
    facts = helper.locator("main dl").text_content()  # (the tag is shown in capitals by the style)
    assert "$20,000 a year" in facts and "$40,000 a year" in facts and "Sample data source" in facts, facts
    assert_accessible(helper, "the request")

    # Pay stubs, one PNG, the confirmation box ticked, sent.
    documents = helper.get_by_role("group", name="Which document is it?")
    choose(documents, PAY_STUBS)
    assert documents.get_by_role("radio", name=PAY_STUBS).is_checked()
    helper.get_by_label("Files").set_input_files(pay_stub(tmp_path))
    choose(helper.locator("form"), CONFIRM)
    assert helper.get_by_role("checkbox", name=CONFIRM).is_checked()
    navigate(helper, lambda: helper.get_by_role("button", name="Send to MNsure").click())
    status = helper.locator("[role=status]").inner_text()
    assert "Sent to MNsure: 1 file. Staff will review it; you will get a notice." in status, status
    assert helper.locator("h1 .usa-tag").text_content() == "Sent: MNsure is reviewing"
    sent = helper.get_by_role("table", name="Files sent for this request, oldest first").inner_text()
    assert "paystub.png" in sent and PAY_STUBS in sent and navigator.get_full_name() in sent, sent
    assert_accessible(helper, "the request, sent")
    row.refresh_from_db()
    document = row.documents.get()
    assert row.status == RequestStatus.SUBMITTED
    assert document.on_behalf and document.uploaded_by == navigator and document.is_servable
    assert any(private_storage.rglob("*.png"))  # stored in the test's own private folder

    # --- A document reviewer: the queue ("Waiting for review"), the request, its Review page.
    sign_in(staff, reviewer.email, PASSWORD, totp=lambda: totp_code(reviewer))
    navigate(staff, lambda: staff.goto("/admin/"))
    module = staff.locator(".app-verifications.module")
    assert module.locator("caption").text_content().strip() == "Verification documents"
    navigate(staff, lambda: module.get_by_role("link", name="Verification requests").click())
    assert staff.url.endswith("/admin/verifications/verificationrequest/")
    selected = staff.locator("#changelist-filter li.selected")
    expect(selected.filter(has_text="Waiting for review")).to_have_count(1)  # the queue's default
    results = staff.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    assert_accessible(staff, "the verification queue")
    navigate(staff, lambda: staff.get_by_role("link", name=row.short_id).click())
    assert_accessible(staff, "the verification request")
    navigate(staff, lambda: staff.get_by_role("link", name="Review").click())
    assert staff.url.endswith(f"/admin/verifications/verificationrequest/{row.pk}/decide/")
    about = staff.locator("#content-main").inner_text()
    assert "$20,000 a year" in about and "$40,000 a year" in about and "sample data source" in about
    picture = staff.get_by_role("img", name="Page 1 of paystub.png")
    picture.scroll_into_view_if_needed()  # loaded lazily
    expect(picture).to_have_js_property("complete", True)
    assert picture.evaluate("(img) => img.naturalWidth") > 0
    assert_accessible(staff, "the review page")
    staff.get_by_label("Accept: the documents prove it").check()
    navigate(staff, lambda: staff.get_by_role("button", name="Save").click())
    assert "Decided; the household is told." in staff.locator(".messagelist").inner_text()
    assert staff.url.endswith(f"/admin/verifications/verificationrequest/{row.pk}/change/")
    assert_accessible(staff, "the verification request, decided")
    row.refresh_from_db()
    document.refresh_from_db()
    application.refresh_from_db()
    assert row.status == RequestStatus.ACCEPTED and row.decided_by == reviewer
    assert document.decision == Decision.ACCEPTED
    assert application.status == ApplicationStatus.DETERMINED

    # --- The consumer: the application is no longer waiting for documents.
    sign_in(own, consumer.email, PASSWORD)
    navigate(own, lambda: own.get_by_role("link", name="My applications").first.click())
    assert heading(own) == "My applications"
    listed = own.get_by_role("row", name=re.compile(f"^{YEAR} application"))
    cells = listed.text_content()  # (the status tag is shown in capitals by the style)
    assert "Eligibility determined" in cells and "Waiting for documents" not in cells, cells
    assert_accessible(own, "my applications")
    navigate(own, lambda: own.get_by_role("link", name=f"{YEAR} application").click())
    assert own.locator("h1 .usa-tag").text_content() == "Eligibility determined"
    assert "Some answers need documents" not in own.locator("main").inner_text()
    assert_accessible(own, "the application")
    navigate(own, lambda: own.goto("/documents/"))
    mine = own.get_by_role("row", name=re.compile("^Income"))
    assert "Accepted" in mine.inner_text(), mine.inner_text()
    assert_accessible(own, "my documents")

    # The notices: "Your document was accepted" and the new eligibility results.
    accepted = rendered(person, "verification_accepted")
    assert len(accepted) == 1
    determinations = rendered(person, "application_determination")
    assert len(determinations) == 2  # on submission, and now
    rendered(person, "documents_needed")
    rendered(person, "document_received")
    navigate(own, lambda: own.get_by_role("link", name="My notices").first.click())
    assert heading(own) == "My notices"
    notices = own.locator("table").inner_text()
    assert "Your document was accepted" in notices and "We received your document" in notices, notices
    assert own.get_by_role("link", name=re.compile("^Your eligibility results")).count() == 2
    assert_accessible(own, "my notices")
    navigate(own, lambda: own.get_by_role("link", name=re.compile("^Your document was accepted")).click())
    letter = own.locator("article").inner_text()
    assert accepted[0].number in letter and row.short_id in letter, letter[:1500]
    assert_accessible(own, "the document accepted notice")
    navigate(own, lambda: own.get_by_role("link", name="Back to My notices").click())
    navigate(own, lambda: own.get_by_role("link", name=re.compile("^Your eligibility results")).first.click())
    letter = own.locator("article").inner_text()
    assert determinations[-1].number in letter, letter[:1500]  # newest first
    assert_accessible(own, "the new eligibility results")
