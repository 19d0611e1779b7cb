"""Accounts as the portal makes them, for the test factories and the demo (`demo/`) alike.

Every value is the caller's: the test factories add sequences and defaults, the demo its
made-up people. Only services write (`accounts.services`), so tests and demo follow the
paths real accounts take.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.contrib.auth.models import Group

from .models import User
from .services import user_add_totp, user_create, user_update


def build_account(
    *,
    email: str,
    password: str | None,
    role: str,
    first_name: str = "",
    last_name: str = "",
    mfa: bool = False,
    is_superuser: bool = False,
    groups: tuple[str, ...] = (),
) -> User:
    """An account with a verified email (as after the emailed code), an authenticator app when `mfa`,
    and the staff duty groups named in `groups` (as a superuser gives them in the user admin)."""
    user = user_create(
        email=email,
        password=password,
        role=role,
        actor=None,
        first_name=first_name,
        last_name=last_name,
        email_verified=True,
        is_superuser=is_superuser,
    )
    if groups:
        found = list(Group.objects.filter(name__in=groups))
        if len(found) != len(set(groups)):
            raise ValueError(f"Unknown group in {groups!r}")
        user = user_update(user=user, actor=None, fields={}, groups=found)
    if mfa:
        give_authenticator(user)
    return user


def give_authenticator(user: User) -> None:
    """Set up an authenticator app (and recovery codes), once; `conftest.totp_code` reads its codes."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        user_add_totp(user=user, secret=generate_totp_secret())
