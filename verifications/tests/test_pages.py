"""The documents pages (issue 14), for the consumer and on their behalf: My documents, a request's page with the
upload form, the download, the client page's section, the dashboard's "Documents due" column, filter and sort; bad
input refused with a message and nothing stored; the query count at 1 and 50 rows."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from clients.tests.factories import make_client
from conftest import sign_in
from verifications.models import Document, RequestStatus, VerificationRequest

from .factories import png_file, upload, with_income_request

pytestmark = pytest.mark.django_db


def _png(name="stub.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_file().read(), content_type="image/png")


def _count(http, url) -> int:
    http.get(url)  # the session's activity clock may be saved on a first request: not the page's cost
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


def test_the_consumer_sees_what_to_prove_and_uploads_from_the_request_page(client, consumer):
    _application, row = with_income_request(consumer.client)
    sign_in(client, consumer)
    page = client.get(reverse("verifications:mine"))
    assert "Income" in page.content.decode() and row.due_date.strftime("%b") in page.content.decode()
    url = reverse("verifications:detail", args=[row.public_id])
    detail = client.get(url).content.decode()
    assert "$20,000 a year" in detail and "$40,000 a year" in detail and "Sample data source" in detail
    assert "Pay stubs (the last four weeks)" in detail
    assert 'name="confirm"' not in detail  # the client sends their own documents: nothing to confirm
    response = client.post(url, {"document_type": "pay_stubs", "files": [_png("a.png"), _png("b.png")]}, follow=True)
    assert "Sent to MNsure: 2 files" in response.content.decode()
    row.refresh_from_db()
    assert row.status == RequestStatus.SUBMITTED and row.documents.count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"document_type": "pay_stubs"}, "files", "Choose the file or files to send."),
        ({"files": "x"}, "document_type", "Choose which document you are sending."),
        ({"document_type": "us_passport"}, "document_type", "Choose one of the documents listed for this request."),
    ],
)
def test_bad_input_gets_a_message_and_stores_nothing(client, consumer, data, field, message):
    _application, row = with_income_request(consumer.client)
    sign_in(client, consumer)
    if data.get("files") == "x" or field != "files":
        data = {**data, "files": [_png()]}
    response = client.post(reverse("verifications:detail", args=[row.public_id]), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not Document.objects.exists()
    row.refresh_from_db()
    assert row.status == RequestStatus.OUTSTANDING


def test_a_file_that_is_not_a_document_is_refused_by_name_with_the_reason(client, consumer):
    _application, row = with_income_request(consumer.client)
    sign_in(client, consumer)
    fake = SimpleUploadedFile("stub.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = client.post(
        reverse("verifications:detail", args=[row.public_id]), {"document_type": "pay_stubs", "files": [_png(), fake]}
    )
    errors = response.context["form"].errors["files"]
    assert any(error.startswith("stub.pdf: ") for error in errors)
    assert not Document.objects.exists()  # one bad file: none of them kept


def test_an_assister_with_the_power_confirms_the_client_gave_the_document(
    client, consumer, navigator, django_capture_on_commit_callbacks
):
    associate(consumer.client, navigator.assister, powers=["view_client", "upload_for_client"])
    _application, row = with_income_request(consumer.client)
    sign_in(client, navigator)
    url = reverse("verifications:detail", args=[row.public_id])
    page = client.get(url).content.decode()
    assert "You are acting for" in page and 'name="confirm"' in page
    response = client.post(url, {"document_type": "pay_stubs", "files": [_png()]})
    assert "Tick the box to confirm" in " ".join(response.context["form"].errors["confirm"])
    assert not Document.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the virus scan (none configured: "not scanned")
        client.post(url, {"document_type": "pay_stubs", "files": [_png()], "confirm": "on"})
    document = Document.objects.get()
    assert document.on_behalf and document.uploaded_by == navigator
    # The download: an attachment, never rendered; audited for the client.
    response = client.get(reverse("verifications:download", args=[document.public_id]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(client=consumer.client, action=Action.DOCUMENT_VIEWED, actor=navigator).exists()


def test_an_assister_who_may_only_view_sees_the_request_but_cannot_upload_or_download(
    client, consumer, navigator, django_capture_on_commit_callbacks
):
    associate(consumer.client, navigator.assister, powers=["view_client"])
    _application, row = with_income_request(consumer.client)
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = upload(row, actor=consumer)
    assert document.__class__.objects.get(pk=document.pk).is_servable  # a refusal below is not a missing scan
    sign_in(client, navigator)
    url = reverse("verifications:detail", args=[row.public_id])
    page = client.get(url).content.decode()
    assert "has not allowed you to upload" in page and 'name="files"' not in page
    response = client.post(url, {"document_type": "pay_stubs", "files": [_png()], "confirm": "on"}, follow=True)
    assert "takes no documents now" in response.content.decode()
    assert Document.objects.count() == 1
    assert client.get(reverse("verifications:download", args=[document.public_id])).status_code == 404


def test_a_quarantined_document_is_not_served_even_to_its_owner(client, consumer, settings):
    settings.CLAMD_ADDRESS = "tcp://127.0.0.1:9"  # configured but not answering: the file stays quarantined
    _application, row = with_income_request(consumer.client)
    (document,) = upload(row, actor=consumer)
    sign_in(client, consumer)
    assert client.get(reverse("verifications:download", args=[document.public_id])).status_code == 404


def test_the_client_page_lists_the_requests_for_the_assister(client, consumer, navigator):
    associate(consumer.client, navigator.assister, powers=["view_client", "upload_for_client"])
    _application, row = with_income_request(consumer.client)
    sign_in(client, navigator)
    page = client.get(reverse("clients:detail", args=[consumer.client.public_id])).content.decode()
    assert "Documents MNsure asked for" in page
    assert reverse("verifications:detail", args=[row.public_id]) in page


def test_the_dashboard_shows_documents_due_and_filters_and_sorts_by_them(client, broker):
    due_soon = make_client(first_name="Dora", last_name="Soon")
    due_later = make_client(first_name="Lena", last_name="Later")
    nothing = make_client(first_name="Nora", last_name="None")
    for household in (due_soon, due_later, nothing):
        associate(household, broker.assister)
    _a, soon = with_income_request(due_soon)
    with_income_request(due_later)
    VerificationRequest.objects.filter(pk=soon.pk).update(due_date=soon.due_date - timedelta(days=80))
    sign_in(client, broker)
    url = reverse("clients:dashboard")

    def names(response):
        return [row.client.first_name for row in response.context["rows"]]

    page = client.get(url)
    assert "Documents due" in page.content.decode()
    assert names(client.get(url, {"documents": "due"})) == ["Lena", "Dora"]  # by name
    assert names(client.get(url, {"sort": "documents_due"})) == ["Dora", "Lena", "Nora"]
    assert names(client.get(url, {"documents": "overdue"})) == []
    assert names(client.get(url, {"documents": "nonsense"})) == ["Lena", "Nora", "Dora"]  # an unknown filter: all
    VerificationRequest.objects.filter(pk=soon.pk).update(due_date=soon.due_date - timedelta(days=200))
    assert names(client.get(url, {"documents": "overdue"})) == ["Dora"]
    assert "overdue since" in client.get(url).content.decode()


def test_my_documents_a_request_the_dashboard_and_the_review_cost_the_same_with_1_and_50_rows(
    consumer, broker, reviewer
):
    associate(consumer.client, broker.assister)
    _application, row = with_income_request(consumer.client)
    own, assister, staff = HttpClient(), HttpClient(), HttpClient()  # each signs in once (a TOTP code is used once)
    sign_in(own, consumer)
    sign_in(assister, broker)
    sign_in(staff, reviewer)
    upload(row, actor=consumer)
    urls = [reverse("verifications:mine"), reverse("verifications:detail", args=[row.public_id])]
    dashboard = reverse("clients:dashboard")
    book = [
        dashboard,
        f"{dashboard}?sort=documents_due",
        f"{dashboard}?documents=due",
        reverse("clients:detail", args=[consumer.client.public_id]),
    ]
    queue = [
        reverse("admin:verifications_verificationrequest_changelist"),
        reverse("admin:verifications_verificationrequest_decide", args=[row.pk]),
    ]
    before = ([_count(own, u) for u in urls], [_count(assister, u) for u in book], [_count(staff, u) for u in queue])
    for n in range(49):
        upload(row, actor=consumer, files=[png_file(f"page{n}.png")])
        other = make_client(first_name=f"Client{n}")
        associate(other, broker.assister)
        with_income_request(other)
        VerificationRequest.objects.filter(client=other).update(status=RequestStatus.SUBMITTED)
    after = ([_count(own, u) for u in urls], [_count(assister, u) for u in book], [_count(staff, u) for u in queue])
    assert after == before
    assert len(own.get(urls[1]).context["documents"]) == 50
