"""A real clamd (with only the EICAR test signature) scans what the sanitizer lets through.

The clamd fixture fails when clamd is missing: CI installs clamav-daemon, so a missing
scanner is a broken set-up, not a reason to skip.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from PIL.PngImagePlugin import PngInfo

from assister_portal.lib.uploads import ScanStatus
from assister_portal.lib.uploads.scanner import scanner_version
from assister_portal.lib.uploads.tasks import rescan_quarantined_files

from . import samples
from .uploading import store_upload, stored_files

pytestmark = pytest.mark.django_db

SIGNATURE = "AssisterPortal.Test.EICAR.UNOFFICIAL"


@pytest.mark.urls("assister_portal.tests.uploads_app.urls")
def test_pdf_carrying_eicar_passes_the_sanitizer_and_is_caught_by_clamd(
    client, private_storage, scanner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        specimen = store_upload(samples.upload(samples.pdf_carrying_eicar(), "consent.pdf"))
        # The rewrite compressed the page's content stream: the string is not in the file's bytes,
        # so clamd has to inflate the stream to find it.
        assert samples.eicar() not in specimen.file.read()
        path = private_storage / specimen.file.name

    specimen.refresh_from_db()
    assert specimen.scan_status == ScanStatus.INFECTED
    assert specimen.scan_detail == SIGNATURE
    assert specimen.scanned_at is not None
    assert specimen.file.name == "" and not path.exists() and stored_files(private_storage) == []
    assert specimen.sha256 and specimen.size  # the row stays, as the record of what was sent
    assert client.get(f"/specimens/{specimen.pk}/download/").status_code == 404


@pytest.mark.urls("assister_portal.tests.uploads_app.urls")
def test_clean_files_are_marked_clean_by_clamd_and_served(client, scanner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pdf = store_upload(samples.upload(samples.plain_pdf(), "consent.pdf"))
        photo = store_upload(samples.upload(samples.phone_photo(), "photo.jpg"))
        scan = store_upload(samples.upload(samples.png(), "scan.png"))
    for specimen in (pdf, photo, scan):
        specimen.refresh_from_db()
        assert (specimen.scan_status, specimen.scan_detail) == (ScanStatus.CLEAN, "")
        assert client.get(f"/specimens/{specimen.pk}/download/").status_code == 200


def test_eicar_hidden_in_png_text_is_stripped_before_it_reaches_storage(
    private_storage, scanner, django_capture_on_commit_callbacks
):
    info = PngInfo()
    info.add_text("Comment", samples.eicar().decode("ascii"))
    carrier = samples.png_with_text(info)
    assert samples.eicar() in carrier

    with django_capture_on_commit_callbacks(execute=True):
        specimen = store_upload(samples.upload(carrier, "card.png"))
    specimen.refresh_from_db()
    assert samples.eicar() not in specimen.file.read()
    assert specimen.scan_status == ScanStatus.CLEAN


def test_file_quarantined_while_clamd_was_down_is_scanned_by_the_sweep(
    settings, scanner, django_capture_on_commit_callbacks
):
    settings.CLAMD_ADDRESS = "unix:///nonexistent/clamd.ctl"
    with django_capture_on_commit_callbacks(execute=True):
        specimen = store_upload(samples.upload(samples.pdf_carrying_eicar(), "consent.pdf"))
    specimen.refresh_from_db()
    assert specimen.scan_status == ScanStatus.QUARANTINED and specimen.scan_detail.startswith("Scan failed")

    settings.CLAMD_ADDRESS = scanner  # clamd is back
    with time_machine.travel(timezone.now() + timedelta(minutes=15)):
        assert rescan_quarantined_files() == 1
    specimen.refresh_from_db()
    assert (specimen.scan_status, specimen.scan_detail, specimen.scan_attempts) == (ScanStatus.INFECTED, SIGNATURE, 2)


def test_scanner_reports_its_version(scanner):
    assert scanner_version().startswith("ClamAV ")


@pytest.mark.urls("assister_portal.tests.uploads_app.urls")
def test_files_stored_before_a_scanner_was_configured_are_held_back_and_scanned_once_one_is(
    client, settings, clamd_address, django_capture_on_commit_callbacks
):
    settings.CLAMD_ADDRESS = ""
    with django_capture_on_commit_callbacks(execute=True):
        infected = store_upload(samples.upload(samples.pdf_carrying_eicar(), "consent.pdf"))
        clean = store_upload(samples.upload(samples.plain_pdf(), "form.pdf"))
    infected.refresh_from_db()
    assert infected.scan_status == ScanStatus.NOT_SCANNED
    assert client.get(f"/specimens/{infected.pk}/download/").status_code == 200  # no scanner: served, shown so

    settings.CLAMD_ADDRESS = clamd_address  # a scanner is configured: nothing unscanned is served any more
    assert client.get(f"/specimens/{infected.pk}/download/").status_code == 404
    assert client.get(f"/specimens/{clean.pk}/download/").status_code == 404
    assert rescan_quarantined_files() == 2  # whatever their age
    infected.refresh_from_db()
    clean.refresh_from_db()
    assert (infected.scan_status, infected.scan_detail) == (ScanStatus.INFECTED, SIGNATURE)
    assert clean.scan_status == ScanStatus.CLEAN
    assert client.get(f"/specimens/{clean.pk}/download/").status_code == 200
