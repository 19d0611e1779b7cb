"""Writes to accounts. Views, admin actions and commands call these."""

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.http import HttpRequest

from audit.models import Action
from audit.services import audit_record
from core.models import Language

from . import hooks
from .languages import language_of_this_page
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
    preferred_language: Language | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Create an account with its allauth email address (verified when staff or a trusted flow vouch for it).

    `preferred_language`: the language of the person's notices and emails; when None, the language the
    page was shown in (the person can change it in their settings)."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=password,
            role=role,
            first_name=first_name,
            last_name=last_name,
            preferred_language=preferred_language or language_of_this_page(),
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


# What decides what an account may do; a change to any of them is an ACCOUNT_ACCESS_CHANGED audit row.
ACCESS_FIELDS = ("role", "is_staff", "is_superuser", "groups", "permissions")


def _snapshot(user: User) -> dict:
    """The account's fields as the audit trail records them (groups and permissions by name)."""
    if user.pk is None:
        return {}
    permissions = user.user_permissions.values_list("content_type__app_label", "codename")
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(f"{app}.{codename}" for app, codename in permissions),
    }


def user_update(
    *,
    user: User,
    actor: User,
    fields: dict,
    groups: Iterable[Group] | None = None,
    permissions: Iterable[Permission] | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Staff change an account in the admin: its details, role, staff and superuser flags, groups, permissions.

    `user` may be new (the admin's add page). One audit row says who changed what, from and to:
    ACCOUNT_ACCESS_CHANGED when anything that decides access changed, else ACCOUNT_UPDATED; none if
    nothing changed.
    """
    with transaction.atomic():
        if user.pk is not None:
            user = User.objects.select_for_update().get(pk=user.pk)
        before = _snapshot(user)
        for name, value in fields.items():
            setattr(user, name, value)
        user.full_clean(exclude=["password"])
        if before:
            user.save(update_fields=list(fields))
        else:
            user.save()
        if groups is not None:
            user.groups.set(groups)
        if permissions is not None:
            user.user_permissions.set(permissions)
        after = _snapshot(user)
        changes = {
            name: {"from": before.get(name), "to": value} for name, value in after.items() if before.get(name) != value
        }
        if changes:
            access = any(name in ACCESS_FIELDS for name in changes)
            audit_record(
                action=Action.ACCOUNT_ACCESS_CHANGED if access else Action.ACCOUNT_UPDATED,
                actor=actor,
                request=request,
                target=user,
                details={"email": user.email, "created": not before, "changes": changes},
            )
    return user


def user_store_language(*, user: User, language: Language | None) -> None:
    """The language given with the form that creates or completes an account (sign-up, a consumer's own
    details): stored as it is, without the audit row and hook of a change made in the settings."""
    if language is not None and user.preferred_language_id != language.pk:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def user_set_daily_digest(*, user: User, wanted: bool, request: HttpRequest | None = None) -> User:
    """An assister or agency staff member turned the daily email of follow-ups on or off."""
    with transaction.atomic():
        if user.daily_digest == wanted:
            return user
        user.daily_digest = wanted
        user.save(update_fields=["daily_digest"])
        audit_record(
            action=Action.PREFERENCES_CHANGED,
            actor=user,
            request=request,
            target=user,
            details={"daily_digest": wanted},
        )
    return user


def user_set_preferred_language(*, user: User, language: Language, request: HttpRequest | None = None) -> User:
    """The person chose the language of their notices and emails; a consumer's client record follows."""
    with transaction.atomic():
        before = user.preferred_language.code if user.preferred_language_id else ""
        user_store_language(user=user, language=language)
        hooks.preferred_language_changed.send(user=user, language=language)
        audit_record(
            action=Action.PREFERENCES_CHANGED,
            actor=user,
            request=request,
            target=user,
            details={"from": before, "to": language.code},
        )
    return user
