"""Agencies, their members, assisters and their yearly certifications (DESIGN §4).

Status changes happen only in `certification.services`, through the state machine declared there
(CERTIFICATION_MACHINE, on `assister_portal.lib.state_machine`); every one appends a
CertificationEvent. Certifications and their events are never deleted.
"""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.crypto import EncryptedCharField
from core.models import County, Language

fein_validator = RegexValidator(
    r"^\d{2}-\d{7}$", _("Enter the FEIN as two digits, a hyphen and seven digits, like 41-1234567.")
)
npn_validator = RegexValidator(r"^\d{1,10}$", _("Enter the NPN as 1 to 10 digits, with no spaces or letters."))
zip_validator = RegexValidator(r"^\d{5}$", _("Enter a 5-digit ZIP code."))
phone_validator = RegexValidator(
    r"^\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}$", _("Enter a 10-digit phone number, like 651-555-0100.")
)

# Minnesota and the states on its border (an agency on the border may serve Minnesotans).
SERVICE_AREA_STATES = [
    ("MN", "Minnesota"),
    ("WI", "Wisconsin"),
    ("IA", "Iowa"),
    ("SD", "South Dakota"),
    ("ND", "North Dakota"),
]


class AgencyKind(models.TextChoices):
    BROKER_AGENCY = "broker_agency", _("Broker agency")
    NAVIGATOR_ORG = "navigator_org", _("Navigator organization")
    CAC_ORG = "cac_org", _("Certified application counselor organization")


class AssisterKind(models.TextChoices):
    BROKER = "broker", _("Broker")
    NAVIGATOR = "navigator", _("Navigator")
    CAC = "cac", _("Certified application counselor")


# Which individuals an agency of each kind may invite.
ASSISTER_KIND_FOR_AGENCY = {
    AgencyKind.BROKER_AGENCY: [AssisterKind.BROKER],
    AgencyKind.NAVIGATOR_ORG: [AssisterKind.NAVIGATOR, AssisterKind.CAC],
    AgencyKind.CAC_ORG: [AssisterKind.CAC, AssisterKind.NAVIGATOR],
}


class CertificationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    INFO_REQUESTED = "info_requested", _("More information requested")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    DECERTIFIED = "decertified", _("Decertified")


# Applications not yet decided; a subject has at most one at a time.
OPEN_STATUSES = (
    CertificationStatus.DRAFT,
    CertificationStatus.SUBMITTED,
    CertificationStatus.IN_REVIEW,
    CertificationStatus.INFO_REQUESTED,
)


class DirectoryProfile(models.Model):
    """What the public directory shows about an agency or an assister."""

    public_phone = models.CharField(_("public phone"), max_length=20, blank=True, validators=[phone_validator])
    public_email = models.EmailField(_("public email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    languages = models.ManyToManyField(Language, blank=True, related_name="+", verbose_name=_("languages spoken"))
    counties = models.ManyToManyField(County, blank=True, related_name="+", verbose_name=_("counties served"))
    serves_individual_market = models.BooleanField(_("individual market"), default=True)
    serves_shop = models.BooleanField(_("small employers (SHOP)"), default=False)
    serves_public_programs = models.BooleanField(_("Medical Assistance / MinnesotaCare help"), default=False)
    hours = models.CharField(
        _("hours"), max_length=200, blank=True, help_text=_("For example: Mon–Fri 9–5, Thu until 8")
    )
    open_evenings = models.BooleanField(_("open evenings (after 5 p.m.)"), default=False)
    open_weekends = models.BooleanField(_("open weekends"), default=False)
    appointment_required = models.BooleanField(_("appointment required"), default=False)
    wheelchair_accessible = models.BooleanField(_("wheelchair accessible"), default=False)
    interpreters_available = models.BooleanField(_("interpreters available"), default=False)
    asl_available = models.BooleanField(_("American Sign Language"), default=False)
    accepting_new_clients = models.BooleanField(_("accepting new clients"), default=True)
    directory_opt_in = models.BooleanField(_("list me in the public directory"), default=False)
    # Where the listing sits on the map: the centroid of its office ZIP code, set by the
    # certification services whenever the address is saved (core.geo.locate_zip).
    # Empty when the ZIP is not a Minnesota one: such a listing is not shown.
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    location_zip = models.CharField(max_length=5, blank=True, editable=False)
    location_county = models.ForeignKey(
        County, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # The days the directory shows this listing, as of the last change (None: not listed).
    # Kept by directory.services.listings_refresh (the certification.hooks.listings_changed hook) in the same transaction as every change that
    # matters; expiry and a later start need no write because the search compares them with today.
    listed_from = models.DateField(null=True, blank=True, editable=False)
    listed_until = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Agency(DirectoryProfile):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind of agency"), max_length=20, choices=AgencyKind.choices)
    legal_name = models.CharField(_("legal name"), max_length=200)
    public_name = models.CharField(_("public name"), max_length=200, help_text=_("The name consumers know you by."))
    fein = EncryptedCharField(_("FEIN"), validators=[fein_validator])
    fein_hash = models.CharField(max_length=64, db_index=True, editable=False)
    agency_npn = models.CharField(_("agency NPN"), max_length=10, blank=True, validators=[npn_validator])
    contract_number = models.CharField(_("contract or grant number"), max_length=40, blank=True)
    street = models.CharField(_("street address"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state"), max_length=2, choices=SERVICE_AREA_STATES, default="MN")
    zip_code = models.CharField(_("ZIP code"), max_length=5, validators=[zip_validator])
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = _("agencies")
        indexes = [
            models.Index(fields=["legal_name"], name="cert_agency_legal_name"),
            models.Index(
                fields=["latitude", "longitude"], name="cert_agency_listed_at", condition=Q(listed_until__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.public_name or self.legal_name


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Agency administrator")
    ASSISTER = "assister", _("Assister")
    SUPPORT = "support", _("Support staff")


class AgencyMembership(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=10, choices=MembershipRole.choices)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            # A person works for one agency at a time.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(ended_at__isnull=True),
                name="cert_one_active_membership",
                violation_error_message=_("This person already belongs to an agency."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.agency} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Assister(DirectoryProfile):
    """A certified (or applying) individual: broker, navigator or CAC. One per person."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assister")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assisters")
    kind = models.CharField(_("kind"), max_length=10, choices=AssisterKind.choices)
    assister_id = models.CharField(_("assister ID"), max_length=9, unique=True, null=True, blank=True, editable=False)
    legal_first_name = models.CharField(_("legal first name"), max_length=100, blank=True)
    legal_last_name = models.CharField(_("legal last name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    npn = models.CharField(_("NPN"), max_length=10, blank=True, validators=[npn_validator])
    # Where consumers meet this assister, when it is not the agency's address.
    office_street = models.CharField(_("office street address"), max_length=200, blank=True)
    office_city = models.CharField(_("office city"), max_length=100, blank=True)
    office_zip = models.CharField(_("office ZIP code"), max_length=5, blank=True, validators=[zip_validator])

    class Meta:
        indexes = [
            models.Index(fields=["legal_last_name", "legal_first_name"], name="cert_assister_name"),
            models.Index(fields=["npn"], name="cert_assister_npn"),
            models.Index(
                fields=["latitude", "longitude"],
                name="cert_assister_listed_at",
                condition=Q(listed_until__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="cert_assister_office_all_or_none",
                condition=Q(office_street="", office_city="", office_zip="")
                | (~Q(office_street="") & ~Q(office_city="") & ~Q(office_zip="")),
                violation_error_message=_("Give the office's street, city and ZIP code, or leave all three empty."),
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.user.email

    @property
    def full_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}".strip()

    @property
    def address(self) -> tuple[str, str, str, str]:
        """Street, city, state and ZIP where consumers meet this assister."""
        if self.office_zip:
            return (self.office_street, self.office_city, "MN", self.office_zip)
        agency = self.agency
        return (agency.street, agency.city, agency.state, agency.zip_code)


class IssuedAssisterId(models.Model):
    """Every assister ID ever issued, so none is reused even if its assister row were gone."""

    value = models.CharField(max_length=9, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.value


class BackgroundStudy(models.TextChoices):
    NOT_RECORDED = "", _("Not recorded")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Did not pass")


class Certification(models.Model):
    """One certification period's application and its outcome, for an assister or an agency."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assister = models.ForeignKey(
        Assister, null=True, blank=True, on_delete=models.PROTECT, related_name="certifications"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="certifications")
    status = models.CharField(
        max_length=20, choices=CertificationStatus.choices, default=CertificationStatus.DRAFT, db_index=True
    )
    is_renewal = models.BooleanField(default=False)
    renews = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal")
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    # Requirements, all kinds
    training_completed_on = models.DateField(_("training completed on"), null=True, blank=True)
    training_certificate_number = models.CharField(_("course certificate number"), max_length=40, blank=True)
    agreement_version = models.CharField(max_length=20, blank=True)
    agreement_signed_name = models.CharField(_("typed full name"), max_length=200, blank=True)
    agreement_signed_at = models.DateTimeField(null=True, blank=True)
    agreement_signed_ip = models.GenericIPAddressField(null=True, blank=True)
    # Brokers
    license_number = models.CharField(_("Minnesota insurance license number"), max_length=20, blank=True)
    license_expires_on = models.DateField(_("license expiry date"), null=True, blank=True)
    eo_carrier = models.CharField(_("errors-and-omissions carrier"), max_length=200, blank=True)
    eo_policy_number = models.CharField(_("errors-and-omissions policy number"), max_length=60, blank=True)
    eo_expires_on = models.DateField(_("errors-and-omissions expiry date"), null=True, blank=True)
    license_verified_by_staff = models.BooleanField(default=False)
    # Navigators and CACs: conflict-of-interest disclosures (45 CFR 155.215(a)(1)(iv); 155.225(d)(2))
    coi_answered = models.BooleanField(default=False)
    coi_other_insurance_lines = models.TextField(_("other lines of insurance you sell"), blank=True)
    coi_insurer_employment = models.TextField(_("employment with an insurer now or in the past five years"), blank=True)
    coi_spouse_insurer_employment = models.TextField(_("spouse or partner employed by an insurer"), blank=True)
    coi_financial_ties = models.TextField(_("financial ties to an insurer"), blank=True)
    background_study = models.CharField(
        _("background study"),
        max_length=10,
        choices=BackgroundStudy.choices,
        blank=True,
        default=BackgroundStudy.NOT_RECORDED,
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(assister__isnull=False) & Q(agency__isnull=True))
                | (Q(assister__isnull=True) & Q(agency__isnull=False)),
                name="cert_exactly_one_subject",
            ),
            # One open (undecided) application per subject at a time.
            models.UniqueConstraint(
                fields=["assister"],
                condition=Q(status__in=[*OPEN_STATUSES]) & Q(assister__isnull=False),
                name="cert_one_open_per_assister",
            ),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(status__in=[*OPEN_STATUSES]) & Q(agency__isnull=False),
                name="cert_one_open_per_agency",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_until"], name="cert_status_until")]

    def __str__(self) -> str:
        return f"{self.subject} — {self.get_status_display()}"

    @property
    def subject(self):
        return self.assister if self.assister_id else self.agency

    @property
    def kind(self) -> str:
        return self.assister.kind if self.assister_id else self.agency.kind


class CertificationEvent(models.Model):
    """One transition of a certification. Appended, never changed."""

    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=CertificationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CertificationStatus.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class CertificationReminder(models.Model):
    """A renewal reminder sent; unique per certification and lead time, so each is sent once."""

    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["certification", "days_before"], name="cert_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.certification_id}: {self.days_before} days"


class InvitationState(models.TextChoices):
    """Where an invitation stands (`Invitation.state`, derived from its dates; not stored)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Invitation(models.Model):
    """An agency admin's invitation to join the agency, by email. The token is stored hashed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(max_length=10, choices=MembershipRole.choices)
    assister_kind = models.CharField(_("kind"), max_length=10, choices=AssisterKind.choices, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="cert_one_open_invitation_per_email",
                violation_error_message=_("This address already has an open invitation. Resend it instead."),
            ),
            models.CheckConstraint(
                condition=Q(role=MembershipRole.ASSISTER, assister_kind__in=AssisterKind.values)
                | (Q(role__in=[MembershipRole.SUPPORT, MembershipRole.ADMIN]) & Q(assister_kind="")),
                name="cert_invitation_kind_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.agency}"

    @property
    def state(self) -> InvitationState:
        if self.accepted_at:
            return InvitationState.ACCEPTED
        if self.revoked_at:
            return InvitationState.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING
