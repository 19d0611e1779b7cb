"""Celery tasks of the upload pipeline.

This module is outside INSTALLED_APPS, so the Celery app lists it in `imports`
(assister_portal/celery.py) for the worker to register its tasks.
"""

from datetime import timedelta

from celery import shared_task
from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from .models import QuarantinedFile, ScanStatus
from .scanner import scanner_configured
from .scanning import quarantined_file_scan

# A file uploaded this long ago and still quarantined had its first scan fail or go missing.
RESCAN_AFTER = timedelta(minutes=10)
RESCAN_BATCH = 500
RETRY_DELAYS = (60, 300, 900)  # seconds between retries when clamd gives no verdict


def quarantined_file_model(app_label: str, model_name: str) -> type[QuarantinedFile]:
    """The concrete QuarantinedFile model with that label and name (LookupError for any other model)."""
    model = apps.get_model(app_label, model_name)
    if not issubclass(model, QuarantinedFile):
        raise LookupError(f"{app_label}.{model_name} is not a QuarantinedFile model.")
    return model


@shared_task(bind=True, max_retries=len(RETRY_DELAYS))
def scan_quarantined_file(self, app_label: str, model_name: str, pk) -> str | None:
    """Scan one stored upload and record the verdict (idempotent); retried while clamd gives none."""
    status = quarantined_file_scan(model=quarantined_file_model(app_label, model_name), pk=pk)
    if status == ScanStatus.QUARANTINED and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(countdown=RETRY_DELAYS[self.request.retries])
    # Run in-process (no broker), a failed scan is left to rescan_quarantined_files.
    return status


@shared_task
def rescan_quarantined_files() -> int:
    """Schedule a scan of every upload still quarantined after RESCAN_AFTER, and, once a scanner is configured,
    of every one marked "not scanned" (beat, every 15 minutes)."""
    cutoff = timezone.now() - RESCAN_AFTER
    waiting = Q(scan_status=ScanStatus.QUARANTINED, uploaded_at__lte=cutoff)
    if scanner_configured():
        waiting |= Q(scan_status=ScanStatus.NOT_SCANNED)  # stored before a scanner was configured
    scheduled = 0
    for model in apps.get_models():
        if not issubclass(model, QuarantinedFile):
            continue
        pending = model._base_manager.filter(waiting)
        for pk in pending.order_by("uploaded_at").values_list("pk", flat=True)[:RESCAN_BATCH]:
            scan_quarantined_file.delay(model._meta.app_label, model._meta.model_name, pk)
            scheduled += 1
    return scheduled
