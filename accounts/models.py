from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who an account belongs to (DESIGN §3). Consumers are the only role without mandatory MFA."""

    CONSUMER = "consumer", _("Consumer")
    ASSISTER = "assister", _("Assister")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    AGENCY_SUPPORT = "agency_support", _("Agency support staff")
    STAFF = "staff", _("Exchange staff")


# Who gets the worklist's daily email of follow-ups (issue 17) unless they turn it off.
DIGEST_ROLES = (Role.ASSISTER, Role.AGENCY_ADMIN, Role.AGENCY_SUPPORT)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.STAFF)
        return self._create(email, password, **fields)


class User(AbstractUser):
    """A person who signs in. Login is by email; there is no username."""

    username = None
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CONSUMER)
    preferred_language = models.ForeignKey(
        "core.Language",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("preferred language"),
        help_text=_("The language of the notices and emails this person receives."),
    )
    # Assisters and agency staff: the daily email of new and overdue follow-ups (issue 17); they may turn it off.
    daily_digest = models.BooleanField(_("daily email of follow-ups"), default=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(role=Role.STAFF),
                name="accounts_user_staff_flag_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def requires_mfa(self) -> bool:
        """Every account but a consumer's must have a second factor (DESIGN §3, §8)."""
        return self.role != Role.CONSUMER or self.is_staff or self.is_superuser

    @property
    def is_consumer(self) -> bool:
        return self.role == Role.CONSUMER and not self.is_staff


class LoginFailure(models.Model):
    """One failed password check for an email address, whether or not an account has it."""

    identifier = models.CharField(max_length=254, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["identifier", "at"], name="accounts_lf_ident_at")]

    def __str__(self) -> str:
        return f"{self.identifier} at {self.at:%Y-%m-%d %H:%M}"


class LoginLock(models.Model):
    """Sign-in for an email address is refused until `locked_until`."""

    identifier = models.CharField(max_length=254, unique=True)
    locked_at = models.DateTimeField()
    locked_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.identifier} until {self.locked_until:%Y-%m-%d %H:%M}"
