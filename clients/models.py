"""Clients: the households and small employers assisters serve (DESIGN §4).

Protected by object permissions (DESIGN §5): guardian rows in the direct
foreign-key tables below, derived from active associations by
`associations.services`; consumers reach only the client record they claimed.
"""

import unicodedata
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from assister_portal.lib.crypto import EncryptedCharField
from certification.models import fein_validator, phone_validator, zip_validator
from core.models import County, Language

from . import powers

ssn_validator = RegexValidator(r"^\d{3}-?\d{2}-?\d{4}$", _("Enter the SSN as nine digits, like 123-45-6789."))

# The powers a client can grant (DESIGN §5), in the order they are shown: (codename, label), from the registry.
POWERS = [(power.codename, power.label) for power in powers.POWERS]
POWER_CODES = powers.POWER_CODES


def search_key(value: str) -> str:
    """Lower-case, accents removed: 'Hernández' → 'hernandez', so searches ignore both."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


class ClientKind(models.TextChoices):
    HOUSEHOLD = "household", _("Individual or family")
    EMPLOYER = "employer", _("Small employer (SHOP)")


class Client(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=ClientKind.choices, default=ClientKind.HOUSEHOLD)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="client"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    search_first = models.CharField(max_length=100, editable=False)
    search_last = models.CharField(max_length=100, editable=False)
    date_of_birth = models.DateField(_("date of birth"))
    ssn = EncryptedCharField(_("Social Security number"), blank=True, validators=[ssn_validator])
    ssn_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    ssn_last4 = models.CharField(max_length=4, blank=True, editable=False)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    street = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=5, blank=True, validators=[zip_validator])
    county = models.ForeignKey(County, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("county"))
    preferred_language = models.ForeignKey(
        Language, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("preferred language")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        permissions = powers.META_PERMISSIONS  # view_client and change_client are Django's own
        indexes = [
            models.Index(fields=["search_last", "search_first"], name="client_search_name"),
            models.Index(fields=["search_first"], name="client_search_first"),
            models.Index(fields=["date_of_birth"], name="client_dob"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def short_id(self) -> str:
        """The first 8 characters of the public id: what people read to each other on the phone."""
        return self.public_id.hex[:8].upper()


class EmployerDetails(models.Model):
    """What a small-employer (SHOP) client has beyond its contact person."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="employer")
    business_name = models.CharField(_("business name"), max_length=200)
    fein = EncryptedCharField(_("FEIN"), validators=[fein_validator])
    fein_hash = models.CharField(max_length=64, db_index=True, editable=False)
    employee_count = models.PositiveIntegerField(
        _("number of employees"),
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("SHOP is for employers with 1 to 50 full-time-equivalent employees."),
    )

    def __str__(self) -> str:
        return self.business_name


class ClaimInvitation(models.Model):
    """A link that lets a consumer claim the account an assister created for them."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="claim_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"claim for {self.client_id}"


class ClientUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)


class ClientGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)


class IdentificationScope(models.TextChoices):
    ACTOR = "actor", _("Someone searching")
    PERSON = "person", _("A person searched for")


class IdentificationFailure(models.Model):
    """One attempt to identify a person that did not match (or matched a record it may not use).

    Counted per searcher and per person searched for (`clients.identification`). The person's key is a
    keyed hash of name and date of birth as typed, so the table holds nothing that identifies anyone.
    """

    scope = models.CharField(max_length=10, choices=IdentificationScope.choices)
    key = models.CharField(max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=80)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="ident_failure_scope_key_at")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key[:12]} {self.what} {self.at:%Y-%m-%d %H:%M}"


class IdentificationLock(models.Model):
    """A searcher (or a person searched for) whose identification is paused until `locked_until`."""

    scope = models.CharField(max_length=10, choices=IdentificationScope.choices)
    key = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField()
    locked_until = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="ident_lock_one_per_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key[:12]} until {self.locked_until:%Y-%m-%d %H:%M}"
