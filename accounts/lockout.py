"""Account lockout: 5 failed sign-ins for an email within 15 minutes lock it for 30.

Keyed by the normalized email typed, whether or not an account has it, so the
behaviour (and the message) is the same for accounts that exist and ones that do
not: nothing here tells an attacker which emails are registered. Every password
check reaches this module through `accounts.backends.LockoutAuthenticationBackend`,
every second-factor check (TOTP code, recovery code, security key; at sign-in and at
reauthentication) through the forms in `accounts.forms`: both count toward the same
lock, so knowing the password buys no more guesses at the code.
"""

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import Action, Outcome
from audit.services import audit_record

from .models import LoginFailure, LoginLock

LOCKED_MESSAGE = _(
    "Too many failed sign-in attempts. Sign-in with this email address is paused for "
    "30 minutes. Try again later, or reset your password."
)


def normalize_identifier(email: str | None) -> str:
    return (email or "").strip().lower()[:254]


def lockout_serialize(*, identifier: str) -> None:
    """Within the caller's transaction, wait for any other sign-in attempt on this email."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"login:{identifier}"])


def lockout_is_locked(*, identifier: str) -> bool:
    return LoginLock.objects.filter(identifier=identifier, locked_until__gt=timezone.now()).exists()


def lockout_record_failure(
    *, identifier: str, request: HttpRequest | None, user=None, details: dict | None = None
) -> bool:
    """Record a failed password or second-factor check; lock the identifier on the fifth. Returns True if now locked.

    Call it under `lockout_serialize` (in the same transaction), so parallel guesses are counted one at a time.
    """
    now = timezone.now()
    with transaction.atomic():
        LoginFailure.objects.create(identifier=identifier, at=now)
        audit_record(
            action=Action.SIGN_IN_FAILED,
            outcome=Outcome.FAILURE,
            actor=user,
            actor_label=identifier,
            request=request,
            details=details,
        )
        window_start = now - settings.LOCKOUT_WINDOW
        last_lock = LoginLock.objects.filter(identifier=identifier).aggregate(at=Max("locked_until"))["at"]
        if last_lock and last_lock > window_start:
            window_start = last_lock  # failures before the last lock ended were already punished
        failures = LoginFailure.objects.filter(identifier=identifier, at__gt=window_start).count()
        if failures < settings.LOCKOUT_MAX_FAILURES:
            return False
        LoginLock.objects.update_or_create(
            identifier=identifier,
            defaults={"locked_at": now, "locked_until": now + settings.LOCKOUT_DURATION},
        )
        audit_record(
            action=Action.LOCKOUT,
            outcome=Outcome.DENIED,
            actor=user,
            actor_label=identifier,
            request=request,
            details={"minutes": int(settings.LOCKOUT_DURATION.total_seconds() // 60)},
        )
        return True


def lockout_clear(*, identifier: str) -> None:
    """A completed sign-in (the password and, if the account has one, the second factor) starts the count again.

    Not a right password alone: otherwise someone who knows it could sign in again after every
    four wrong codes and guess on forever.
    """
    LoginFailure.objects.filter(identifier=identifier).delete()


def lockout_release(*, identifier: str) -> None:
    """A password reset proves control of the mailbox: lift the lock and start the count again."""
    with transaction.atomic():
        LoginLock.objects.filter(identifier=identifier).delete()
        LoginFailure.objects.filter(identifier=identifier).delete()
