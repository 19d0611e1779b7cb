"""The virus scan of a stored upload, and the record of its verdict."""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import QuarantinedFile, ScanStatus
from .scanner import ScannerUnavailable, scan_stream, scanner_configured

logger = logging.getLogger(__name__)


def _scannable(scanner: bool) -> tuple[ScanStatus, ...]:
    """The statuses a scan may change: a file marked "not scanned" while no scanner was configured is scanned
    once one is (and is not served meanwhile: QuarantinedFile.is_servable)."""
    return (ScanStatus.QUARANTINED, ScanStatus.NOT_SCANNED) if scanner else (ScanStatus.QUARANTINED,)


def quarantined_file_scan(*, model: type[QuarantinedFile], pk) -> ScanStatus | None:
    """Scan one stored file and record the verdict; returns the row's status (None: no such row).

    Idempotent: a row that is clean or infected is left as it is. With no scanner
    configured the row becomes NOT_SCANNED; once a scanner is configured, NOT_SCANNED rows are scanned too. When clamd gives no verdict the row stays
    QUARANTINED, with the error in scan_detail, to be scanned again. An infected file's
    content is deleted; the row keeps the signature's name.
    """
    row = model._base_manager.filter(pk=pk).first()
    if row is None:
        return None
    scanning = scanner_configured()
    if row.scan_status not in _scannable(scanning):
        return row.scan_status
    name = row.file.name
    if not scanning:
        return _record_verdict(model, pk, name, ScanStatus.NOT_SCANNED, "")
    try:
        with row.file.open("rb") as stream:
            result = scan_stream(stream)
    except (ScannerUnavailable, OSError) as exc:
        detail = f"Scan failed, will retry: {exc}"
        logger.warning("Virus scan of %s.%s %s failed: %s", model._meta.app_label, model._meta.model_name, pk, exc)
        model._base_manager.filter(pk=pk, scan_status__in=_scannable(True)).update(
            scan_attempts=F("scan_attempts") + 1, scan_detail=detail[:255]
        )
        return ScanStatus.QUARANTINED
    if result.infected:
        logger.warning(
            "Virus %s found in %s.%s %s", result.signature, model._meta.app_label, model._meta.model_name, pk
        )
        return _record_verdict(model, pk, name, ScanStatus.INFECTED, result.signature)
    return _record_verdict(model, pk, name, ScanStatus.CLEAN, "")


def _record_verdict(model: type[QuarantinedFile], pk, name: str, status: ScanStatus, detail: str) -> ScanStatus | None:
    with transaction.atomic():
        row = model._base_manager.select_for_update().filter(pk=pk).first()
        if row is None:
            return None
        if row.scan_status not in _scannable(status != ScanStatus.NOT_SCANNED) or row.file.name != name:
            return row.scan_status  # another scan got there first
        row.scan_status = status
        row.scan_detail = detail[:255]
        row.scan_attempts += 1
        row.scanned_at = timezone.now()
        fields = ["scan_status", "scan_detail", "scan_attempts", "scanned_at"]
        if status == ScanStatus.INFECTED:
            row.file = ""
            fields.append("file")
        row.save(update_fields=fields)
        if status == ScanStatus.INFECTED:
            # Inside the transaction: if the delete fails, the row stays quarantined and is scanned again.
            model._meta.get_field("file").storage.delete(name)
        return status
