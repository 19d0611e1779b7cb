"""The abstract model every stored upload subclasses (consent evidence, verification documents)."""

import uuid

from django.core.exceptions import SuspiciousFileOperation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from .base import FileKind
from .scanner import scanner_configured


class ScanStatus(models.TextChoices):
    QUARANTINED = "quarantined", _("Waiting for the virus scan")
    CLEAN = "clean", _("Scanned: no virus found")
    INFECTED = "infected", _("Virus found: file deleted")
    NOT_SCANNED = "not_scanned", _("Not scanned: no virus scanner is configured")


def quarantined_upload_to(instance: "QuarantinedFile", filename: str) -> str:
    """<app label>/<model name>/<random>.<ext>: the stored name says nothing about the file or its owner."""
    meta = instance._meta
    return f"{meta.app_label}/{meta.model_name}/{uuid.uuid4().hex}.{FileKind(instance.kind).extension}"


class QuarantinedFile(models.Model):
    """A sanitized upload in private storage, held back until the virus scan says it is clean.

    Concrete models add their own relations (the consent, the document request) and,
    if they declare a Meta, extend `QuarantinedFile.Meta` so the constraints below apply.
    Rows are written by `quarantined_file_store` and `quarantined_file_scan` only.
    """

    file = models.FileField(upload_to=quarantined_upload_to, max_length=255, blank=True)
    original_name = models.CharField(_("file name as uploaded"), max_length=200, blank=True)
    kind = models.CharField(max_length=8, choices=FileKind.choices)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField(help_text="Bytes, of the sanitized file.")
    sha256 = models.CharField(max_length=64, help_text="Of the sanitized file.")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    scan_status = models.CharField(max_length=16, choices=ScanStatus.choices, default=ScanStatus.QUARANTINED)
    scan_detail = models.CharField(max_length=255, blank=True, help_text="The signature found, or the last error.")
    scan_attempts = models.PositiveSmallIntegerField(default=0)
    scanned_at = models.DateTimeField(null=True, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FileKind.values), name="%(app_label)s_%(class)s_kind_valid"),
            models.CheckConstraint(
                condition=Q(scan_status__in=ScanStatus.values), name="%(app_label)s_%(class)s_scan_status_valid"
            ),
            # An infected file's content is gone; every other row has its file.
            models.CheckConstraint(
                condition=Q(scan_status=ScanStatus.INFECTED, file="")
                | (~Q(scan_status=ScanStatus.INFECTED) & ~Q(file="")),
                name="%(app_label)s_%(class)s_file_iff_not_infected",
            ),
            models.CheckConstraint(
                condition=Q(scan_status=ScanStatus.QUARANTINED, scanned_at__isnull=True)
                | (~Q(scan_status=ScanStatus.QUARANTINED) & Q(scanned_at__isnull=False)),
                name="%(app_label)s_%(class)s_scanned_at_iff_scanned",
            ),
        ]

    @property
    def is_servable(self) -> bool:
        """Clean; or "not scanned" while no scanner is configured (once one is, it waits for its scan)."""
        if not self.file:
            return False
        return self.scan_status == ScanStatus.CLEAN or (
            self.scan_status == ScanStatus.NOT_SCANNED and not scanner_configured()
        )

    @property
    def download_name(self) -> str:
        """A safe file name for the download: the uploaded name's stem and the real extension."""
        stem = self.original_name.rsplit(".", 1)[0]
        try:
            stem = get_valid_filename(stem)[:100]
        except SuspiciousFileOperation:  # nothing usable left ("", ".", "..")
            stem = ""
        return f"{stem or 'document'}.{FileKind(self.kind).extension}"
