"""Applications for coverage (DESIGN §4 Application, §6 Applying; issue 12).

An application belongs to a client and a coverage year. What the household told us is one JSON document
(`data`, shaped and checked by `applications.answers`), because every save must be kept whole: each change
is an immutable `ApplicationRevision` holding the full document, who acted, for whom and relying on which
association. `Application.version` is the number of the latest revision; a save names the version it was
made from, so two tabs saving the same draft cannot silently overwrite each other (optimistic locking).

Status runs through the shared state machine (`applications.services.APPLICATION_MACHINE`), each step an
`ApplicationEvent`. The eligibility results of each submission are a `Determination`; the record that the
consumer reviewed and confirmed an application an assister prepared is an `ApplicationReview` (45 CFR
155.220(j)(2)(ii)), kept with the consent history.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association
from clients.models import Client
from core.models import County
from plans.models import RatingArea


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PENDING_VERIFICATION = "pending_verification", _("Waiting for documents")
    DETERMINED = "determined", _("Eligibility determined")
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="applications")
    coverage_year = models.PositiveSmallIntegerField(_("coverage year"))
    status = models.CharField(max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT)
    data = models.JSONField(default=dict, editable=False)  # the latest revision's document
    version = models.PositiveIntegerField(default=1, editable=False)  # the latest revision's number
    county = models.ForeignKey(County, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rating_area = models.ForeignKey(RatingArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    determination = models.ForeignKey(
        "Determination", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            # One current application per client and coverage year; a withdrawn one may be followed by another.
            models.UniqueConstraint(
                fields=["client", "coverage_year"],
                condition=~Q(status="withdrawn"),
                name="application_one_current_per_year",
            ),
            models.CheckConstraint(
                condition=Q(coverage_year__gte=2014, coverage_year__lte=2100), name="application_year_plausible"
            ),
        ]
        indexes = [models.Index(fields=["client", "-coverage_year"], name="application_client_year")]

    def __str__(self) -> str:
        return f"{self.coverage_year} application {self.short_id}"

    @property
    def short_id(self) -> str:
        return self.public_id.hex[:8].upper()

    @property
    def is_open(self) -> bool:
        """Answers may still be changed (a draft)."""
        return self.status == ApplicationStatus.DRAFT


class ApplicationEvent(models.Model):
    """One status change, appended by the state machine and never changed."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=24, choices=ApplicationStatus.choices)
    to_status = models.CharField(max_length=24, choices=ApplicationStatus.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


class ApplicationRevision(models.Model):
    """The whole application as it stood after one change: who acted, for whom, relying on what."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    status = models.CharField(max_length=24, choices=ApplicationStatus.choices)
    what = models.CharField(max_length=80)  # the step saved or the action taken, as a code
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    on_behalf = models.BooleanField(default=False)  # the actor is not the client
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="application_revision_number_unique")
        ]
        ordering = ["application", "-number"]

    def __str__(self) -> str:
        return f"{self.application_id} revision {self.number}"


class Determination(models.Model):
    """The eligibility results of one submission (`applications.eligibility.Determination.to_dict()`)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="determinations")
    revision_number = models.PositiveIntegerField()
    data = models.JSONField()
    max_monthly_credit = models.DecimalField(max_digits=10, decimal_places=2)
    programs = models.CharField(max_length=200)  # the members' programs, comma-separated, for lists
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"determination of {self.application_id} at revision {self.revision_number}"


class ReviewMethod(models.TextChoices):
    IN_ACCOUNT = "in_account", _("Confirmed by the consumer in their account")
    IN_PERSON = "in_person", _("Reviewed with the consumer in person")
    PHONE = "phone", _("Reviewed with the consumer by phone")
    VIDEO = "video", _("Reviewed with the consumer by video call")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the consumer")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("The consumer asked for changes")
    SUPERSEDED = "superseded", _("Replaced by a later change")


class ApplicationReview(models.Model):
    """The application review record (45 CFR 155.220(j)(2)(ii)): the consumer reviewed and confirmed the
    application an assister prepared, at a given revision, before it was submitted. Either the consumer
    answers a request in their account, or the assister records a review done with them (date, how, the
    attestations explained). Kept ten years with the consent history: never deleted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="reviews")
    revision_number = models.PositiveIntegerField()
    method = models.CharField(max_length=12, choices=ReviewMethod.choices)
    status = models.CharField(max_length=12, choices=ReviewStatus.choices)
    assister_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    consumer_name = models.CharField(max_length=200)
    reviewed_on = models.DateField(null=True, blank=True)
    attestations_explained = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="pending"), name="application_review_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"review of {self.application_id} at revision {self.revision_number}: {self.status}"
