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
from datetime import timedelta

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
    # None: prepared by the portal itself (a renewal for the next coverage year, issue 17).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
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


# --- Choosing a plan (DESIGN §4 Enrollment, §6 Choosing a plan; issue 13) ------------------------------------------


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Current")
    REPLACED = "replaced", _("Replaced by another plan")
    TERMINATED = "terminated", _("Ended")


class EnrollmentPeriodKind(models.TextChoices):
    OPEN = "open", _("Open enrollment")
    SPECIAL = "special", _("Special enrollment period")


class Enrollment(models.Model):
    """A plan chosen for an application's members, by the consumer or on their behalf.

    What the issuer file would carry is recorded as it was when chosen (plan, members and their premiums, credit
    applied, net premium, coverage dates, the writing agent's NPN for a broker) so a later catalog load or a change
    to the assister cannot rewrite it. Changing plans ends this one the day before the new one starts (`replaced`);
    ending coverage sets `coverage_end` (`terminated`). Never deleted.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="enrollments")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="enrollments")
    coverage_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE)
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    hios_plan_id = models.CharField(_("plan id"), max_length=14)
    plan_name = models.CharField(max_length=150)
    issuer_name = models.CharField(max_length=120)
    metal_level = models.CharField(max_length=12)
    csr_variant = models.CharField(max_length=8, blank=True)  # "94", "87", "73", "zero", "limited" or ""
    sample_catalog = models.BooleanField(default=False)
    members = models.JSONField()  # [{key, first_name, age, tobacco, premium}] — who is covered, each one's premium
    premium = models.DecimalField(max_digits=10, decimal_places=2)  # monthly, for every member, tobacco included
    max_credit = models.DecimalField(max_digits=10, decimal_places=2)  # the most credit this plan could take
    credit_applied = models.DecimalField(max_digits=10, decimal_places=2)  # what the household chose to take
    net_premium = models.DecimalField(max_digits=10, decimal_places=2)
    period_kind = models.CharField(max_length=8, choices=EnrollmentPeriodKind.choices)
    period_label = models.CharField(max_length=200, blank=True)
    coverage_start = models.DateField()
    coverage_end = models.DateField()
    selected_at = models.DateTimeField(default=timezone.now)
    selected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf = models.BooleanField(default=False)
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    writing_agent = models.ForeignKey(
        "certification.Assister", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    writing_agent_npn = models.CharField(_("writing agent's NPN"), max_length=10, blank=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_on_behalf = models.BooleanField(default=False)
    ended_association = models.ForeignKey(
        Association, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="active"), name="enrollment_one_current_per_application"
            ),
            models.CheckConstraint(
                condition=Q(credit_applied__gte=0, credit_applied__lte=models.F("max_credit")),
                name="enrollment_credit_within_maximum",
            ),
            models.CheckConstraint(
                condition=Q(credit_applied__lte=models.F("premium")), name="enrollment_credit_within_premium"
            ),
            models.CheckConstraint(
                condition=Q(net_premium=models.F("premium") - models.F("credit_applied")),
                name="enrollment_net_is_premium_less_credit",
            ),
            # Ended the day before a replacement starts: a plan replaced before it started ends before it starts.
            models.CheckConstraint(
                condition=Q(coverage_end__gte=models.F("coverage_start") - timedelta(days=1)),
                name="enrollment_end_not_before_start",
            ),
            # No issuer compensation for navigators and counselors: only an assister selecting on behalf writes.
            models.CheckConstraint(
                condition=Q(writing_agent_npn="") | Q(on_behalf=True, writing_agent__isnull=False),
                name="enrollment_writing_agent_only_on_behalf",
            ),
        ]
        indexes = [models.Index(fields=["client", "-coverage_year"], name="enrollment_client_year")]

    def __str__(self) -> str:
        return f"{self.coverage_year} {self.plan_name} ({self.short_id})"

    @property
    def short_id(self) -> str:
        return self.public_id.hex[:8].upper()

    @property
    def never_started(self) -> bool:
        return self.coverage_end < self.coverage_start


class EnrollmentEvent(models.Model):
    """One status change of an enrollment, appended by the state machine and never changed."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=12, choices=EnrollmentStatus.choices)
    to_status = models.CharField(max_length=12, choices=EnrollmentStatus.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.from_status} → {self.to_status}"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Waiting for exchange staff")
    UPHELD = "upheld", _("Upheld: the consumer did not ask for it")
    DISMISSED = "dismissed", _("Dismissed: the consumer had asked for it")


class EnrollmentDispute(models.Model):
    """The consumer's "I did not ask for this" about a selection, change or end of coverage made for them.

    While it is open, and after staff uphold it, the assister who made it may not select plans for this client
    (`applications.permissions.plan_selection_suspended`); dismissing it lifts that. Never deleted.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="disputes")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=12)  # what was disputed: selected, terminated
    assister_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    consumer_note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "action"], condition=Q(status="open"), name="enrollment_dispute_one_open"
            )
        ]
        indexes = [models.Index(fields=["client", "assister_user", "status"], name="enrollment_dispute_who")]

    def __str__(self) -> str:
        return f"dispute of {self.enrollment_id} ({self.action}): {self.status}"


# --- Annual renewal (45 CFR 155.335; issue 17) -------------------------------------------------------------------------


class RenewalStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared: waiting for the household")
    CONFIRMED = "confirmed", _("Confirmed: the household submitted it")
    RENEWED = "renewed", _("Renewed automatically")
    ENDED = "ended", _("Not renewed")


class Renewal(models.Model):
    """A household's application for the next coverage year, prepared from its current one (`applications.services.
    renewal_prepare`): the new draft (`application`), the application and enrollment it renews (`previous`,
    `enrollment`, `current_plan`), the plan it would be renewed into (`next_plan`: the same plan id next year in the same
    rating area, else the issuer's crosswalk plan there; null: not offered), and the projected determination on the
    next year's rules and plans (`projected`: the determination's `to_dict()` under "determination" and the data used
    under "data"). `previous_credit` is the previous application's determination's maximum monthly credit (not the
    credit the household chose to apply), so the drop to `projected_credit` (the projected maximum) compares like
    with like. The household confirms it by submitting the draft (`confirmed`); one still `prepared` when the next
    open enrollment ends is submitted and enrolled by the portal (`renewed`), or, when its plan is not offered or it
    cannot be, `ended`. Never deleted."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="renewal")
    previous = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="renewals")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="renewals")
    current_plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    # SET_NULL: a plan dropped from a reloaded catalog is no longer offered.
    next_plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    previous_credit = models.DecimalField(max_digits=10, decimal_places=2)
    projected_credit = models.DecimalField(max_digits=10, decimal_places=2)
    projected = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=RenewalStatus.choices, default=RenewalStatus.PREPARED)
    end_reason = models.CharField(max_length=40, blank=True)  # why `ended`: a code (services.renewing.END_REASONS)
    prepared_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    renewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["previous"], name="renewal_one_per_previous_application"),
            models.CheckConstraint(condition=Q(status__in=RenewalStatus.values), name="renewal_status_known"),
            models.CheckConstraint(
                condition=Q(previous_credit__gte=0, projected_credit__gte=0), name="renewal_credits_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(application=models.F("previous")), name="renewal_application_is_not_the_previous"
            ),
        ]
        indexes = [models.Index(fields=["status", "prepared_at"], name="renewal_status")]

    def __str__(self) -> str:
        return f"renewal of {self.previous_id} as {self.application_id}: {self.status}"
