"""Hostile files sent for a verification request through the real page (issue 14): each one is refused with a message
that says what is wrong, or cleaned before it is stored; nothing refused reaches storage, the request does not move,
and no request ends in a server error. Then what happens after the upload: the virus scan, two uploads at once, and a
scan that never finished.

The consumer sends the files through `verifications:detail` (multipart POST, the form's `sanitize_upload`, the
`document_upload` service); the attack files are the upload pipeline's own (`assister_portal/tests/samples.py`).
"""

import html
import io
import os
import re
import socket
import threading
from datetime import timedelta

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from assister_portal.lib.uploads import ScanStatus, sanitize_upload
from assister_portal.lib.uploads.tasks import RESCAN_AFTER, rescan_quarantined_files
from assister_portal.tests import samples
from conftest import sign_in
from notices.models import Notice
from verifications import services
from verifications.models import Document, RequestStatus, VerificationEvent, VerificationRequest

from .factories import png_file, upload, with_income_request

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
SIGNATURE = "AssisterPortal.Test.EICAR.UNOFFICIAL"  # the test signature's name (assister_portal/lib/clamav)
NOT_A_PDF_JPEG_OR_PNG = "This file is not a PDF, JPEG or PNG."
DAMAGED_IMAGE = (
    "This image is damaged or incomplete, so it cannot be opened. Please upload it again, or take a new picture."
)
EMBEDDED_PAYLOAD = b"MZ\x90\x00 embedded executable payload 7f3c"


# --- Sending files, the way the browser does -----------------------------------------------------------------


@pytest.fixture
def request_row(consumer):
    """The consumer's income request (they said $20,000 a year, the data source says $40,000), outstanding."""
    _application, row = with_income_request(consumer.client, attested="20000", source="40000")
    return row


@pytest.fixture
def household(client, consumer):
    """The test client, signed in as the consumer."""
    sign_in(client, consumer)
    return client


def attach(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def send(http, row, files=None, *, document_type="pay_stubs"):
    """POST the upload form as a browser does (multipart); `files` None: the file input left empty."""
    form = {"document_type": document_type}
    if files is not None:
        form["files"] = files
    return http.post(reverse("verifications:detail", args=[row.public_id]), form)


def error_shown(response, field: str = "files") -> str:
    """The error text the page shows under a field, as the person reads it."""
    found = re.search(rf'<span class="usa-error-message" id="id_{field}-error"[^>]*>(.*?)</span>', response.text, re.S)
    assert found, f"no error shown for {field}"
    return html.unescape(found.group(1))


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def assert_nothing_changed(row: VerificationRequest, private_storage) -> None:
    """Refused: no file in storage, no document row, the request still waiting for documents, no notice sent."""
    assert stored_files(private_storage) == []
    assert Document.objects.count() == 0
    row.refresh_from_db()
    assert row.status == RequestStatus.OUTSTANDING
    assert list(row.events.values_list("to_status", flat=True)) == [RequestStatus.OUTSTANDING]
    assert not Notice.objects.filter(kind="document_received").exists()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def pdf_with_script_and_attachment() -> bytes:
    """A PDF that runs JavaScript when opened (OpenAction, and the document-level script names) and carries an
    executable as an embedded file with an attachment annotation."""
    with pikepdf.open(io.BytesIO(samples.pdf_with_embedded_file(EMBEDDED_PAYLOAD))) as pdf:
        script = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String(samples.JS))
        )
        pdf.Root.OpenAction = script
        pdf.Root.Names.JavaScript = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("init"), script]))
        return samples.pdf_bytes(pdf)


# --- Refused, with a message that says why --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"<html><body>" + samples.SCRIPT + b"</body></html>", "paystub.pdf", NOT_A_PDF_JPEG_OR_PNG),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'>" + samples.SCRIPT + b"</svg>",
            "paystub.pdf",
            NOT_A_PDF_JPEG_OR_PNG,
        ),
        (b"\r\n\r\nJUNK" + samples.plain_pdf(), "paystub.pdf", NOT_A_PDF_JPEG_OR_PNG),
        (samples.html_then_pdf(), "paystub.pdf", NOT_A_PDF_JPEG_OR_PNG),
        (
            samples.png_claiming(60_000, 60_000),
            "paystub.png",
            "This image is 60000 × 60000 pixels; the limit is 40 million pixels.",
        ),
        (samples.jpeg(400, 300)[:2_000], "paystub.jpg", DAMAGED_IMAGE),
    ],
    ids=[
        "html-named-pdf",
        "svg-named-pdf",
        "pdf-header-not-at-offset-0",
        "html-then-pdf-polyglot",
        "png-claiming-60000x60000",
        "truncated-jpeg",
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_by_name_and_nothing_is_stored(
    household, request_row, private_storage, data, name, message
):
    response = send(household, request_row, [attach(data, name)])

    assert response.status_code == 200
    assert error_shown(response) == f"{name}: {message}"
    assert "Documents needed" in response.text  # the request as the household sees it: still waiting
    assert_nothing_changed(request_row, private_storage)


def test_a_file_over_the_size_limit_is_refused_with_its_size_and_the_limit(
    household, request_row, private_storage, settings
):
    settings.UPLOAD_MAX_BYTES = 1 * MB
    two_mb = samples.plain_pdf() + b"\n%" + b"0" * (2 * MB)

    response = send(household, request_row, [attach(two_mb, "paystub.pdf")])

    assert response.status_code == 200
    assert error_shown(response) == f"paystub.pdf: This file is {len(two_mb) / MB:.1f}\xa0MB; the limit is 1.0\xa0MB."
    assert_nothing_changed(request_row, private_storage)


def test_a_50_mb_upload_is_refused_and_never_more_than_the_limit_reaches_the_disk(
    household, request_row, private_storage, settings
):
    """A real 50 MB multipart body through Django's parser and the project's capped upload handler."""
    settings.UPLOAD_MAX_BYTES = 1 * MB
    on_disk = []

    def kept(sender, context, **kwargs):
        # While the page renders (before the request's files are closed and their temporary files removed): how
        # much of each file the upload handler wrote to disk.
        form = context.get("form")
        for sent in form.files.getlist("files") if form is not None and form.files else []:
            on_disk.append((sent.size, os.path.getsize(sent.temporary_file_path())))

    template_rendered.connect(kept)
    try:
        response = send(household, request_row, [attach(b"%PDF-1.7\n" + b"0" * (50 * MB - 9), "scan.pdf")])
    finally:
        template_rendered.disconnect(kept)

    assert response.status_code == 200
    assert error_shown(response) == "scan.pdf: This file is 50.0\xa0MB; the limit is 1.0\xa0MB."
    assert set(on_disk) == {(50 * MB, 1 * MB + 1)}  # what was sent; what was kept: one byte over the limit
    assert_nothing_changed(request_row, private_storage)


def test_an_empty_file_is_refused(household, request_row, private_storage):
    response = send(household, request_row, [attach(b"", "paystub.pdf")])

    assert response.status_code == 200
    assert error_shown(response) == "paystub.pdf: The submitted file is empty."
    assert_nothing_changed(request_row, private_storage)


def test_each_bad_file_of_several_is_named_with_its_own_reason(household, request_row, private_storage):
    html_named_pdf = attach(b"<!doctype html><html><body>hi</body></html>", "bad.pdf")
    response = send(household, request_row, [html_named_pdf, attach(b"", "empty.pdf")])

    shown = error_shown(response)
    assert "bad.pdf: " in shown and "empty.pdf: The submitted file is empty." in shown
    assert_nothing_changed(request_row, private_storage)


def test_sending_the_form_with_no_file_asks_for_one(household, request_row, private_storage):
    response = send(household, request_row, None)

    assert response.status_code == 200
    assert error_shown(response) == "Choose the file or files to send."
    assert_nothing_changed(request_row, private_storage)


@pytest.mark.parametrize("document_type", ["us_passport", "not_a_document"], ids=["passport-for-income", "made-up"])
def test_a_document_type_the_request_does_not_list_is_refused(household, request_row, private_storage, document_type):
    response = send(household, request_row, [png_file()], document_type=document_type)

    assert response.status_code == 200
    assert error_shown(response, "document_type") == "Choose one of the documents listed for this request."
    assert_nothing_changed(request_row, private_storage)


def test_eleven_files_at_once_are_refused(household, request_row, private_storage):
    files = [png_file(f"paystub-{n}.png") for n in range(11)]

    response = send(household, request_row, files)

    assert response.status_code == 200
    assert error_shown(response) == "Choose at most 10 files."
    assert_nothing_changed(request_row, private_storage)


def test_one_bad_file_among_good_ones_refuses_the_upload_and_names_the_bad_one(household, request_row, private_storage):
    files = [png_file("week-1.png"), attach(b"<html>" + samples.SCRIPT, "week-2.pdf"), png_file("week-3.png")]

    response = send(household, request_row, files)

    assert response.status_code == 200
    assert error_shown(response) == f"week-2.pdf: {NOT_A_PDF_JPEG_OR_PNG}"
    assert_nothing_changed(request_row, private_storage)


# --- Cleaned, then stored -----------------------------------------------------------------------------------


def test_a_pdf_with_javascript_and_an_embedded_file_is_stored_without_them(household, request_row, private_storage):
    hostile = pdf_with_script_and_attachment()
    for token in (b"/JavaScript", b"/OpenAction", b"/EmbeddedFiles"):
        assert token in hostile

    response = send(household, request_row, [attach(hostile, "paystub.pdf")])

    assert response.status_code == 302
    document = Document.objects.get()
    stored = document.file.read()
    for token in (b"/JavaScript", b"/JS", b"/OpenAction", b"/EmbeddedFiles", b"/EmbeddedFile", b"/FileAttachment"):
        assert token not in stored, token
    assert EMBEDDED_PAYLOAD not in stored and b"app.launchURL" not in stored
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert "/OpenAction" not in pdf.Root
        assert "/Names" not in pdf.Root or not {"/JavaScript", "/EmbeddedFiles"} & set(pdf.Root.Names.keys())
        assert len(pdf.attachments) == 0
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                assert not {"/JavaScript", "/JS", "/OpenAction", "/EmbeddedFiles", "/EF"} & set(obj.keys())
            if isinstance(obj, pikepdf.Stream):
                assert EMBEDDED_PAYLOAD not in obj.read_bytes()
        assert len(pdf.pages) == 1
    assert [path.name for path in stored_files(private_storage)] == [document.file.name.rsplit("/", 1)[1]]
    request_row.refresh_from_db()
    assert request_row.status == RequestStatus.SUBMITTED


def test_a_pdf_html_polyglot_is_stored_as_a_plain_pdf_without_the_html(household, request_row):
    polyglot = samples.pdf_html_polyglot()
    assert samples.SCRIPT in polyglot

    response = send(household, request_row, [attach(polyglot, "paystub.pdf")])

    assert response.status_code == 302
    document = Document.objects.get()
    stored = document.file.read()
    assert stored.startswith(b"%PDF-")
    assert b"<script" not in stored and b"<html" not in stored and b"<body" not in stored
    assert (document.kind, document.content_type, document.page_count) == ("pdf", "application/pdf", 1)
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.pages) == 1


# --- After the upload: the scan, several files, two at once, a scan that never finished -----------------------


def test_a_pdf_carrying_eicar_is_caught_by_clamd_its_file_deleted_and_its_download_is_404(
    household, request_row, private_storage, scanner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(household, request_row, [attach(samples.pdf_carrying_eicar(), "eicar.pdf")])
    assert response.status_code == 302

    document = Document.objects.get()
    assert (document.scan_status, document.scan_detail) == (ScanStatus.INFECTED, SIGNATURE)
    assert document.file.name == "" and stored_files(private_storage / "verifications") == []  # notices' PDFs aside
    assert household.get(reverse("verifications:download", args=[document.public_id])).status_code == 404
    page = household.get(reverse("verifications:detail", args=[request_row.public_id]))
    assert "Virus found: file deleted" in page.text
    assert reverse("verifications:download", args=[document.public_id]) not in page.text


def test_three_good_files_in_one_post_make_three_documents_one_submission_and_one_notice(
    household, request_row, django_capture_on_commit_callbacks
):
    files = [png_file(f"week-{n}.png") for n in (1, 2, 3)]

    with django_capture_on_commit_callbacks(execute=True):
        response = send(household, request_row, files)

    assert response.status_code == 302
    page = household.get(response["Location"])
    assert "Sent to MNsure: 3 files. Staff will review them; you will get a notice." in page.text
    assert sorted(Document.objects.values_list("original_name", flat=True)) == [
        "week-1.png",
        "week-2.png",
        "week-3.png",
    ]
    assert set(Document.objects.values_list("scan_status", flat=True)) == {ScanStatus.NOT_SCANNED}
    request_row.refresh_from_db()
    assert request_row.status == RequestStatus.SUBMITTED
    assert request_row.get_status_display() in page.text
    notice = Notice.objects.get(kind="document_received", client=request_row.client)
    assert notice.data["body"]["files"] == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_uploads_at_the_same_moment_for_one_request_are_both_kept(client, consumer, private_storage):
    _application, row = with_income_request(consumer.client)
    files = {"front": sanitize_upload(png_file("front.png")), "back": sanitize_upload(png_file("back.png"))}
    barrier = threading.Barrier(2, timeout=30)
    errors = []

    def send_one(name: str) -> None:
        try:
            barrier.wait()  # both start together: each takes the request's row lock in turn
            services.document_upload(
                verification=VerificationRequest.objects.get(pk=row.pk),
                document_type="pay_stubs",
                files=[files[name]],
                actor=consumer,
            )
        except Exception as exc:  # reported below: the test is that there is none
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send_one, args=(name,)) for name in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(Document.objects.filter(request=row).values_list("original_name", flat=True)) == [
        "back.png",
        "front.png",
    ]
    assert len(stored_files(private_storage / "verifications")) == 2  # the notices' PDFs are stored beside them
    row.refresh_from_db()
    assert row.status == RequestStatus.SUBMITTED
    # Submitted once: the second upload added its file to the request the first had sent.
    assert VerificationEvent.objects.filter(request=row, to_status=RequestStatus.SUBMITTED).count() == 1
    assert Notice.objects.filter(kind="document_received", client=row.client).count() == 2
    sign_in(client, consumer)
    page = client.get(reverse("verifications:detail", args=[row.public_id])).text
    assert "front.png" in page and "back.png" in page and row.get_status_display() in page


def test_a_scan_that_never_finished_leaves_the_file_quarantined_and_the_sweep_scans_it_again(
    household, consumer, request_row, settings, scanner, django_capture_on_commit_callbacks
):
    settings.CLAMD_ADDRESS = f"tcp://127.0.0.1:{closed_port()}"  # the scanner went away mid-scan
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = upload(request_row, actor=consumer, files=[png_file("paystub.png")], scan=False)
    document.refresh_from_db()
    assert document.scan_status == ScanStatus.QUARANTINED and document.scanned_at is None
    assert document.scan_detail.startswith("Scan failed, will retry:")
    download = reverse("verifications:download", args=[document.public_id])
    assert household.get(download).status_code == 404
    assert (
        "Waiting for the virus scan"
        in household.get(reverse("verifications:detail", args=[request_row.public_id])).text
    )

    settings.CLAMD_ADDRESS = scanner  # a worker with a scanner again
    assert rescan_quarantined_files() == 0  # too recent: the task's own retries come first
    # The sweep picks up files quarantined for longer than RESCAN_AFTER. No service moves uploaded_at (it is when
    # the file arrived), so the test moves it back in the database rather than waiting ten minutes.
    Document.objects.filter(pk=document.pk).update(uploaded_at=timezone.now() - RESCAN_AFTER - timedelta(minutes=1))
    assert rescan_quarantined_files() == 1

    document.refresh_from_db()
    assert (document.scan_status, document.scan_detail, document.scan_attempts) == (ScanStatus.CLEAN, "", 2)
    response = household.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == document.file.read()
    assert (
        "Scanned: no virus found" in household.get(reverse("verifications:detail", args=[request_row.public_id])).text
    )
