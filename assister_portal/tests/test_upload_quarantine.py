"""Stored uploads wait in quarantine for the scan; a transaction that does not commit leaves no file behind."""

import socket
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assister_portal.lib.uploads import (
    ScanStatus,
    quarantined_file_scan,
    quarantined_file_store,
    sanitize_upload,
    uploads_atomic,
)
from assister_portal.lib.uploads.tasks import rescan_quarantined_files, scan_quarantined_file

from . import samples
from .uploading import store_upload, stored_files
from .uploads_app.models import Specimen

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def test_upload_stays_quarantined_until_the_commit_schedules_its_scan(
    private_storage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        specimen = store_upload(samples.upload(samples.plain_pdf(), "consent.pdf"))
    specimen.refresh_from_db()
    assert specimen.scan_status == ScanStatus.QUARANTINED and not specimen.is_servable
    assert len(callbacks) == 1  # the scan, not yet run


def test_without_a_scanner_the_file_is_marked_not_scanned_never_clean(
    private_storage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        specimen = store_upload(samples.upload(samples.plain_pdf(), "consent.pdf"))
    specimen.refresh_from_db()
    assert specimen.scan_status == ScanStatus.NOT_SCANNED
    assert specimen.get_scan_status_display() == "Not scanned: no virus scanner is configured"
    assert specimen.scanned_at is not None and specimen.scan_attempts == 1 and specimen.scan_detail == ""
    assert specimen.is_servable and len(stored_files(private_storage)) == 1


def test_exception_inside_the_transaction_removes_the_stored_file(private_storage, django_capture_on_commit_callbacks):
    sanitized = sanitize_upload(samples.upload(samples.jpeg(), "photo.jpg"))
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ZeroDivisionError), uploads_atomic():
        quarantined_file_store(instance=Specimen(), sanitized=sanitized)
        assert len(stored_files(private_storage)) == 1
        raise ZeroDivisionError  # e.g. the audit row or the consent update failed after the file was stored
    assert stored_files(private_storage) == []
    assert not Specimen.objects.exists()
    assert callbacks == []


def test_transaction_marked_for_rollback_removes_the_stored_file(private_storage):
    sanitized = sanitize_upload(samples.upload(samples.jpeg(), "photo.jpg"))
    with uploads_atomic():
        quarantined_file_store(instance=Specimen(), sanitized=sanitized)
        transaction.set_rollback(True)
    assert stored_files(private_storage) == []
    assert not Specimen.objects.exists()


def test_row_that_fails_validation_leaves_no_file(private_storage):
    sanitized = sanitize_upload(samples.upload(samples.jpeg(), "photo.jpg"))
    with pytest.raises(ValidationError), uploads_atomic():
        quarantined_file_store(instance=Specimen(note="x" * 101), sanitized=sanitized)
    assert stored_files(private_storage) == []


def test_file_stored_in_a_savepoint_that_rolled_back_is_removed_and_the_rest_kept(private_storage):
    first = sanitize_upload(samples.upload(samples.jpeg(), "front.jpg"))
    second = sanitize_upload(samples.upload(samples.png(), "back.png"))
    with uploads_atomic():
        kept = quarantined_file_store(instance=Specimen(note="front"), sanitized=first)
        try:
            with transaction.atomic():
                quarantined_file_store(instance=Specimen(note="back"), sanitized=second)
                raise IntegrityError("the second document clashed with another row")
        except IntegrityError:
            pass
    assert [path.name for path in stored_files(private_storage)] == [kept.file.name.rsplit("/", 1)[1]]
    assert list(Specimen.objects.values_list("note", flat=True)) == ["front"]


def test_a_service_calling_a_service_nests_and_the_outer_rollback_removes_the_inner_file(private_storage):
    """Creating an account on behalf (outer) records the offline consent (inner), each in uploads_atomic."""
    sanitized = sanitize_upload(samples.upload(samples.jpeg(), "form.jpg"))
    with pytest.raises(ValidationError), uploads_atomic():
        with uploads_atomic():  # a savepoint of the outer one, not an error
            quarantined_file_store(instance=Specimen(note="inner"), sanitized=sanitized)
        raise ValidationError("the outer service refused after the inner one stored its file")
    assert stored_files(private_storage) == []
    assert not Specimen.objects.exists()
    with uploads_atomic(), uploads_atomic():
        inner = quarantined_file_store(instance=Specimen(note="inner"), sanitized=sanitized)
    assert [path.name for path in stored_files(private_storage)] == [inner.file.name.rsplit("/", 1)[1]]


def test_storing_outside_uploads_atomic_is_a_programming_error(private_storage):
    sanitized = sanitize_upload(samples.upload(samples.jpeg(), "photo.jpg"))
    with pytest.raises(RuntimeError, match="uploads_atomic"):
        quarantined_file_store(instance=Specimen(), sanitized=sanitized)
    with pytest.raises(RuntimeError, match="uploads_atomic"), transaction.atomic():
        quarantined_file_store(instance=Specimen(), sanitized=sanitized)
    assert stored_files(private_storage) == []


def test_uploads_atomic_must_be_the_outermost_transaction(private_storage):
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic(), uploads_atomic():
        pass


def test_scan_error_keeps_the_file_quarantined_and_the_sweep_scans_it_again(
    private_storage, settings, django_capture_on_commit_callbacks
):
    settings.CLAMD_ADDRESS = f"tcp://127.0.0.1:{closed_port()}"
    with django_capture_on_commit_callbacks(execute=True):
        specimen = store_upload(samples.upload(samples.plain_pdf(), "consent.pdf"))
    specimen.refresh_from_db()
    assert specimen.scan_status == ScanStatus.QUARANTINED and not specimen.is_servable
    assert specimen.scan_attempts == 1 and specimen.scanned_at is None
    assert specimen.scan_detail.startswith("Scan failed, will retry: Error 111 connecting 127.0.0.1:")

    assert rescan_quarantined_files() == 0  # too recent: its own retries come first
    settings.CLAMD_ADDRESS = ""  # the scanner was taken out of service meanwhile
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert rescan_quarantined_files() == 1
    specimen.refresh_from_db()
    assert specimen.scan_status == ScanStatus.NOT_SCANNED and specimen.scan_attempts == 2


def test_scanning_twice_changes_nothing(private_storage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        specimen = store_upload(samples.upload(samples.plain_pdf(), "consent.pdf"))
    specimen.refresh_from_db()
    first = (specimen.scan_status, specimen.scanned_at, specimen.scan_attempts)

    assert quarantined_file_scan(model=Specimen, pk=specimen.pk) == ScanStatus.NOT_SCANNED
    scan_quarantined_file.delay("uploads_tests", "specimen", specimen.pk)
    specimen.refresh_from_db()
    assert (specimen.scan_status, specimen.scanned_at, specimen.scan_attempts) == first


def test_scan_of_a_row_that_is_gone_does_nothing(private_storage):
    assert quarantined_file_scan(model=Specimen, pk=987654) is None
    assert scan_quarantined_file.delay("uploads_tests", "specimen", 987654).get() is None


def test_scan_task_works_only_on_quarantined_file_models():
    with pytest.raises(LookupError, match="not a QuarantinedFile model"):
        scan_quarantined_file.delay("accounts", "user", 1)


def test_database_refuses_an_infected_row_that_still_has_its_file(private_storage):
    specimen = store_upload(samples.upload(samples.plain_pdf(), "consent.pdf"))
    with pytest.raises(IntegrityError, match="file_iff_not_infected"), transaction.atomic():
        Specimen.objects.filter(pk=specimen.pk).update(scan_status=ScanStatus.INFECTED, scanned_at=timezone.now())
