"""Changes in circumstance (DESIGN §4 ChangeReport, §6 Changes; issue 15).

A `ChangeReport` is what the household, or someone acting for them, told MNsure: a kind and an event, the day it
happened, and only the details that event needs (`changes.kinds.FIELDS`, kept as JSON). It is never edited after
submission; staff ask a question (`needs_info`) that the submitter answers, and processing applies it to the
client's current application as a new revision with a new determination. Status runs through the shared state
machine (`changes.services.REPORT_MACHINE`), each step a `ChangeReportEvent`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from associations.models import Association
from clients.models import Client

from .kinds import Event, Kind


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Sent to MNsure")
    IN_REVIEW = "in_review", _("MNsure is reviewing it")
    NEEDS_INFO = "needs_info", _("MNsure asked a question")
    PROCESSED = "processed", _("Done")


class ChangeReport(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="change_reports")
    # The current application when it was reported (none: the change is recorded, nothing to apply it to).
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="change_reports"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    event = models.CharField(max_length=20, choices=Event.choices)
    effective_date = models.DateField(_("the day it happened"))
    details = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf = models.BooleanField(default=False)
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reported_late = models.BooleanField(default=False)  # more than CHANGE_REPORT_DAYS after it happened
    outside_minnesota = models.BooleanField(default=False)  # a move to a ZIP code outside Minnesota
    # The special enrollment period it opens, if any (from the event, SPECIAL_ENROLLMENT_DAYS long).
    sep_opens = models.DateField(null=True, blank=True)
    sep_closes = models.DateField(null=True, blank=True)
    question = models.TextField(blank=True)  # staff's latest question (needs_info)
    answer = models.TextField(blank=True)  # the submitter's latest answer
    processed_at = models.DateTimeField(null=True, blank=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    processed_revision = models.PositiveIntegerField(null=True, blank=True)  # the application's new version
    outcome = models.TextField(blank=True)  # what processing did, as the household reads it

    class Meta:
        ordering = ["submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sep_opens__isnull=True, sep_closes__isnull=True)
                | Q(sep_opens__isnull=False, sep_closes__gte=models.F("sep_opens")),
                name="change_report_sep_window",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="change_report_queue"),
            models.Index(fields=["client", "-submitted_at"], name="change_report_client"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} ({self.short_id})"

    @property
    def short_id(self) -> str:
        return self.public_id.hex[:8].upper()

    @property
    def opens_sep(self) -> bool:
        return self.sep_opens is not None


class ChangeReportEvent(models.Model):
    """One status change, appended by the state machine and never changed (the question or answer as its reason)."""

    report = models.ForeignKey(ChangeReport, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=12, choices=ReportStatus.choices)
    to_status = models.CharField(max_length=12, choices=ReportStatus.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} → {self.to_status}"
