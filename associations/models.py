"""Assisters of record and the consent behind each (DESIGN §4).

The Association is the source of truth for who may do what for a client; the
guardian rows on Client are derived from it in the same transaction. Consent
rows are appended, never changed (a database trigger enforces it) and kept at
least ten years (45 CFR 155.220(j)(2)(iii); 155.225(f); 155.210(e)(6)).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.uploads import QuarantinedFile
from certification.models import Assister, AssisterKind
from clients.models import Client
from clients.powers import POWER_CODES, POWERS


class AssociationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the client")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Request expired")


class InitiatedBy(models.TextChoices):
    CONSUMER = "consumer", _("The client")
    ASSISTER = "assister", _("The assister")


class EndReason(models.TextChoices):
    RESCINDED = "rescinded", _("Ended by the client")
    RELEASED = "released", _("Released by the assister")
    REPLACED = "replaced", _("Replaced by another assister of the same kind")
    DECERTIFIED = "decertified", _("The assister's certification was ended")
    REMOVED = "removed", _("The assister left their agency")


class Association(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="associations")
    assister = models.ForeignKey(Assister, on_delete=models.PROTECT, related_name="associations")
    # The assister's agency (an assister never changes agency), kept here so an agency's book is
    # one indexed filter: the agency the consent was given to.
    agency = models.ForeignKey("certification.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=AssisterKind.choices)
    status = models.CharField(max_length=10, choices=AssociationStatus.choices, db_index=True)
    initiated_by = models.CharField(max_length=10, choices=InitiatedBy.choices)
    # The powers granted (DESIGN §5). View is always part of an association.
    can_view = models.BooleanField(default=True)
    can_change = models.BooleanField(default=False)
    can_apply = models.BooleanField(default=False)
    can_select_plan = models.BooleanField(default=False)
    can_upload = models.BooleanField(default=False)
    can_report_change = models.BooleanField(default=False)
    can_view_notices = models.BooleanField(default=False)
    requested_at = models.DateTimeField(default=timezone.now)
    request_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, choices=EndReason.choices, blank=True)
    effective_date = models.DateField(
        null=True, blank=True, help_text="Brokers: the first of the month after it starts."
    )

    class Meta:
        constraints = [
            # At most one assister of record per client per kind (a suspended one still holds the place).
            models.UniqueConstraint(
                fields=["client", "kind"],
                condition=Q(status__in=[AssociationStatus.ACTIVE, AssociationStatus.SUSPENDED]),
                name="assoc_one_current_per_client_kind",
            ),
            models.UniqueConstraint(
                fields=["client", "assister"],
                condition=Q(status=AssociationStatus.PENDING),
                name="assoc_one_pending_per_pair",
            ),
            models.CheckConstraint(condition=Q(can_view=True), name="assoc_view_always_granted"),
        ]
        indexes = [
            models.Index(fields=["assister", "status"], name="assoc_assister_status"),
            models.Index(fields=["client", "status"], name="assoc_client_status"),
            models.Index(fields=["agency", "status"], name="assoc_agency_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.assister} for {self.client}"

    # power codename → its field above (clients.powers; a test checks the fields match the registry)
    POWER_FIELDS = {power.codename: power.field for power in POWERS}

    @property
    def powers(self) -> list[str]:
        return [code for code in POWER_CODES if getattr(self, self.POWER_FIELDS[code])]


class ConsentEvent(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    CHANGED = "changed", _("Powers changed")
    SUSPENDED = "suspended", _("Suspended")
    RESTORED = "restored", _("Restored")
    REVOKED = "revoked", _("Ended")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Request expired")


class AssociationNotice(models.TextChoices):
    """What the client and the assister are emailed about (associations.tasks.send_association_email)."""

    REQUESTED = "requested", _("An assister asked to help the client")
    STARTED = "started", _("The client chose or confirmed the assister")
    OFFLINE_CONSENT = "offline_consent", _("The assister recorded consent given offline")
    DECLINED = "declined", _("The client declined the request")
    ENDED = "ended", _("The association ended")
    SUSPENDED = "suspended", _("The assister cannot act for now")
    RESTORED = "restored", _("The assister can act again")


class ConsentMethod(models.TextChoices):
    ONLINE = "online", _("Online, by the client in the portal")
    ASSISTER_ONLINE = "assister_online", _("Online, by the assister in the portal")
    PAPER_FORM = "paper_form", _("Signed form, uploaded by the assister")
    RECORDED_CALL = "recorded_call", _("Recorded telephone call")
    SYSTEM = "system", _("By the portal (certification change)")


class Consent(models.Model):
    """One grant, change or revocation of an association, as it was at that moment. Append-only."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="consents")
    event = models.CharField(max_length=10, choices=ConsentEvent.choices)
    powers = models.JSONField(default=list)
    method = models.CharField(max_length=15, choices=ConsentMethod.choices)
    consent_text_version = models.CharField(max_length=20, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency_name = models.CharField(max_length=200, blank=True, help_text="The agency at the time.")
    # Files stored as sent before the upload checks existed: kept as records, never served. New evidence is a
    # ConsentEvidence row, through the upload pipeline.
    evidence = models.FileField(upload_to="consent/%Y/%m/", blank=True)
    given_on = models.DateField(null=True, blank=True, help_text="Consent given offline: the day the client gave it.")
    call_reference = models.CharField(max_length=100, blank=True)
    call_at = models.DateTimeField(null=True, blank=True, help_text="Recorded call: when the call took place.")
    call_participants = models.CharField(
        max_length=300, blank=True, help_text="Recorded call: who was on the call, as the assister recorded it."
    )
    attestation = models.TextField(blank=True)
    flagged = models.BooleanField(
        default=False,
        help_text="Recorded offline by an assister who recorded more than the daily number that staff review.",
    )
    reason = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.at:%Y-%m-%d}"


class ConsentEvidence(QuarantinedFile):
    """The signed consent form an assister uploaded, through the upload pipeline (DESIGN §8).

    Written with its Consent row, in the same transaction; shown to exchange staff in the admin.
    """

    consent = models.OneToOneField(Consent, on_delete=models.PROTECT, related_name="evidence_file")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta(QuarantinedFile.Meta):
        verbose_name = _("signed consent form")

    def __str__(self) -> str:
        return f"evidence for consent {self.consent_id} ({self.get_scan_status_display()})"
