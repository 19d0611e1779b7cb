"""Writes to accounts. Views, admin actions and commands call these."""

from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.http import HttpRequest

from audit.models import Action
from audit.services import audit_record

from .models import Role, User


def user_create(
    *,
    email: str,
    password: str | None,
    role: str = Role.CONSUMER,
    actor: User | None,
    first_name: str = "",
    last_name: str = "",
    email_verified: bool = False,
    is_superuser: bool = False,
    request: HttpRequest | None = None,
) -> User:
    """Create an account with its allauth email address (verified when staff or a trusted flow vouch for it)."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=password,
            role=role,
            first_name=first_name,
            last_name=last_name,
            is_staff=role == Role.STAFF,
            is_superuser=is_superuser and role == Role.STAFF,
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


def user_add_totp(*, user: User, secret: str) -> None:
    """Give an account a TOTP authenticator and recovery codes (demo data and tests)."""
    with transaction.atomic():
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)


def user_deactivate(*, user: User, actor: User, request: HttpRequest | None = None) -> None:
    """Switch an account off. Its sessions end on their next request (the auth middleware refuses inactive users)."""
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(
            action=Action.ACCOUNT_DEACTIVATED,
            actor=actor,
            request=request,
            target=user,
            details={"email": user.email},
        )
