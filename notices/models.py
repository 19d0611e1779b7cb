"""Notices (DESIGN §4, §6): every letter the exchange sends a person, kept as a row that is its own outbox.

A Notice is written in the transaction of the event that causes it (`services.notice_create`), with a
snapshot of everything it says (`data`), so rendering it later, or again, gives the same document. A Celery
task renders the PDF after the commit and then emails the recipient that a notice is waiting. The
recipient is a client (a consumer's household or a small employer), or a user (an assister, an agency's
admin). The client is named by a string reference, like the audit trail's: this app sits below `clients`
(DESIGN §2) and imports none of the apps that send notices; they register their kinds (`kinds.py`).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.crypto import EncryptedCharField


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def notice_pdf_path(notice: "Notice", _filename: str) -> str:
    """One name per notice, so a second rendering replaces the first instead of storing another file."""
    return f"notices/{notice.created_at:%Y/%m}/{notice.public_id}.pdf"


class Notice(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=60, help_text="A kind registered in notices.kinds.")
    language = models.CharField(
        _("language"), max_length=8, help_text="The recipient's preferred language (a core.Language code)."
    )
    data = models.JSONField(
        default=dict,
        help_text="Everything the notice says, as it was when the event happened (rendering again gives the same).",
    )
    email_to = models.EmailField(_("email to"), blank=True, help_text="Where the “a notice is waiting” email goes.")
    email_link = EncryptedCharField(
        blank=True, help_text="A one-use link the email carries (claim an account, end an assister); erased once sent."
    )
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to=notice_pdf_path, blank=True, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("retry_notice", "Can send a failed notice to be prepared again")]
        constraints = [
            models.CheckConstraint(
                condition=Q(client__isnull=False, user__isnull=True) | Q(client__isnull=True, user__isnull=False),
                name="notice_one_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(status=NoticeStatus.READY) | (~Q(pdf="") & ~Q(sha256="") & Q(ready_at__isnull=False)),
                name="notice_ready_has_its_pdf",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="notice_client_created"),
            models.Index(fields=["user", "-created_at"], name="notice_user_created"),
            models.Index(
                fields=["status", "status_changed_at"],
                name="notice_unfinished",
                condition=Q(status__in=["queued", "rendering"]),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The notice number printed on it and quoted on the phone: the year it was made and its row number."""
        return f"{timezone.localtime(self.created_at):%Y}-{self.pk:08d}" if self.pk else ""

    @property
    def download_name(self) -> str:
        return f"MNsure-notice-{self.number}.pdf"


class NoticeEvent(models.Model):
    """Append-only: each status change of a notice (queued, rendering, ready, failed, queued again)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=NoticeStatus.choices)
    to_status = models.CharField(max_length=10, choices=NoticeStatus.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Invoice(models.Model):
    """A bill (a small employer's monthly premium, or any premium bill): its document is a Notice."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="invoices")
    notice = models.OneToOneField(Notice, on_delete=models.PROTECT, related_name="invoice")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    lines = models.JSONField(_("lines"), help_text="[{description, amount}] as billed; amounts as strings of cents.")
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    due_date = models.DateField(_("due date"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="invoice_period_order"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%B %Y} invoice"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None
