"""Verification of what a household attested (DESIGN §4 VerificationRequest / Document, §6 Documents; issue 14).

When an application is submitted, each member's attested data is checked against the trusted data sources
(`verifications.sources`). Each inconsistency is a `VerificationRequest`: the member, what must be proved, what was
attested and what the source said, the documents that prove it and a due date. Documents uploaded for it go through the
upload pipeline (`assister_portal.lib.uploads`: sniffed, rebuilt, virus-scanned, quarantined until clean); staff accept
or reject them in the admin. Status runs through the shared state machine (`verifications.services.REQUEST_MACHINE`),
each step a `VerificationEvent`.

`ReferenceRecord` is the sample data source: what "the federal data services" answer about a person, filled by
`seed_demo` and the tests (the real services are not reachable from here).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.answers import Citizenship, OtherCoverage
from applications.models import Application
from assister_portal.lib.uploads import QuarantinedFile
from associations.models import Association
from clients.models import Client

from .documents import DocumentType, VerificationType, accepted_documents


class RequestStatus(models.TextChoices):
    OUTSTANDING = "outstanding", _("Documents needed")
    SUBMITTED = "submitted", _("Sent: MNsure is reviewing")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Not accepted: send another document")
    EXPIRED = "expired", _("Past the due date")
    CANCELLED = "cancelled", _("No longer needed")


# Requests that still wait for something from the household or from staff.
OPEN_STATUSES = (RequestStatus.OUTSTANDING, RequestStatus.SUBMITTED, RequestStatus.REJECTED)
# Requests a document may still be uploaded for.
UPLOADABLE_STATUSES = OPEN_STATUSES


class ReferenceRecord(models.Model):
    """What the (sample) trusted data sources know about one person, matched on name and date of birth.

    An empty value means the source has no data on that point: the attestation is taken as it is.
    """

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    match_key = models.CharField(max_length=220, editable=False, db_index=True)  # names, folded (clients.search_key)
    citizenship = models.CharField(max_length=24, choices=Citizenship.choices, blank=True)
    yearly_income = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    incarcerated = models.BooleanField(null=True, blank=True)
    other_coverage = models.CharField(max_length=24, choices=OtherCoverage.choices, blank=True)
    minnesota_resident = models.BooleanField(null=True, blank=True)
    source = models.CharField(max_length=100, default="Sample data source (not a real federal service)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match_key", "date_of_birth"], name="reference_record_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.date_of_birth})"


class VerificationRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="verification_requests")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="verification_requests")
    member_key = models.CharField(max_length=16)  # the application member's key
    member_name = models.CharField(max_length=200)  # as on the application when the request was made
    type = models.CharField(max_length=16, choices=VerificationType.choices)
    attested = models.CharField(_("what was attested"), max_length=200)
    source_said = models.CharField(_("what the data source said"), max_length=200)
    # The codes and figures behind `attested` and `source_said` (English), shown in each reader's language.
    facts = models.JSONField(default=dict, blank=True)
    # What the rules use if no document is accepted by the due date (the source's figure), for `sources.substitute`.
    source_value = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default=RequestStatus.OUTSTANDING)
    due_date = models.DateField()
    opened_at = models.DateTimeField(default=timezone.now)
    revision_number = models.PositiveIntegerField()  # the application version it was raised on
    reminders_sent = models.JSONField(default=list, blank=True)  # days-before values already reminded
    # The latest decision, as the household reads it.
    reject_reason = models.CharField(max_length=16, blank=True)
    reject_note = models.CharField(max_length=500, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=VerificationType.values), name="verification_type_valid"),
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="verification_status_valid"),
            # One open request per person, thing to prove and application: data matching run again finds the open one.
            models.UniqueConstraint(
                fields=["application", "member_key", "type"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="verification_one_open_per_member_and_type",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="verification_queue"),
            models.Index(fields=["client", "status", "due_date"], name="verification_client_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.member_name} ({self.short_id})"

    @property
    def short_id(self) -> str:
        return self.public_id.hex[:8].upper()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def takes_documents(self) -> bool:
        """Open, and not past its due date (documents sent by then may still be added while staff review them)."""
        return self.status in UPLOADABLE_STATUSES and (
            self.status == RequestStatus.SUBMITTED or self.due_date >= timezone.localdate()
        )

    @property
    def accepted_documents(self) -> list[DocumentType]:
        return accepted_documents(self.type)


class VerificationEvent(models.Model):
    """One status change (or a due date moved), appended by the state machine and never changed."""

    request = models.ForeignKey(VerificationRequest, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=12, choices=RequestStatus.choices, blank=True)  # blank: opened
    to_status = models.CharField(max_length=12, choices=RequestStatus.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Not accepted")


class Document(QuarantinedFile):
    """One uploaded file for a request (several may prove one: four weeks of pay stubs)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(VerificationRequest, on_delete=models.PROTECT, related_name="documents")
    document_type = models.CharField(max_length=32, choices=DocumentType.choices)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf = models.BooleanField(default=False)
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta(QuarantinedFile.Meta):
        ordering = ["uploaded_at", "pk"]
        constraints = [
            *QuarantinedFile.Meta.constraints,
            models.CheckConstraint(
                condition=Q(document_type__in=DocumentType.values), name="verification_document_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(decision="", decided_at__isnull=True) | (~Q(decision="") & Q(decided_at__isnull=False)),
                name="verification_document_decided_at_iff_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} ({self.public_id.hex[:8].upper()})"
