from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.models import Action, Outcome
from audit.services import audit_record

from .lockout import (
    lockout_is_locked,
    lockout_record_failure,
    lockout_serialize,
    normalize_identifier,
)


def audit_blocked_sign_in(*, identifier: str, request, actor=None, details: dict | None = None) -> None:
    audit_record(
        action=Action.SIGN_IN_BLOCKED,
        outcome=Outcome.DENIED,
        actor=actor,
        actor_label=identifier,
        request=request,
        details=details,
    )


class LockoutAuthenticationBackend(AuthenticationBackend):
    """allauth's email backend behind the account lockout.

    Django's `authenticate()` (used by allauth's login, reauthentication and any
    other path) reaches every password check through this backend, so a locked
    email cannot sign in anywhere while the lock lasts. A right password does not
    clear the count: the sign-in may still need its second factor, whose failures
    count too (`accounts.forms`); the count starts again when a sign-in completes.
    """

    def authenticate(self, request, **credentials):
        email = credentials.get("email") or credentials.get("username")
        if email is None or credentials.get("password") is None:
            return None  # not a password login (e.g. a login code); nothing to count
        identifier = normalize_identifier(email)
        with transaction.atomic():
            # Attempts for one email take turns, so a burst of parallel guesses cannot all be
            # checked before the fifth failure locks the account.
            lockout_serialize(identifier=identifier)
            if lockout_is_locked(identifier=identifier):
                audit_blocked_sign_in(identifier=identifier, request=request)
                locked = True
            else:
                locked = False
                user = super().authenticate(request, **credentials)
                if user is None:
                    known = get_user_model().objects.filter(email__iexact=identifier).first()
                    lockout_record_failure(identifier=identifier, request=request, user=known)
        if locked:
            raise PermissionDenied("locked")  # stops the backend chain
        return user
