"""allauth's second-factor forms behind the account lockout (`settings.MFA_FORMS`).

A wrong TOTP code, recovery code or security-key answer counts toward the same
lockout as a wrong password (`accounts.lockout`: 5 in 15 minutes lock the email for
30), at sign-in and at reauthentication, under the same advisory lock so parallel
guesses are counted one at a time. While the lock lasts even a right answer is refused.

allauth's passkey login (`LoginWebAuthnForm`) is not wrapped: there the account comes
from the attacker's payload, and passkey login is off (`MFA_PASSKEY_LOGIN_ENABLED`).
"""

from collections.abc import Callable
from typing import TypeVar

from allauth.core import context
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
from django.contrib.auth import password_validation
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .backends import audit_blocked_sign_in
from .languages import language_of_this_page, preferred_language_field
from .lockout import (
    LOCKED_MESSAGE,
    lockout_is_locked,
    lockout_record_failure,
    lockout_serialize,
    normalize_identifier,
)
from .models import DIGEST_ROLES, User
from .services import user_set_daily_digest, user_set_preferred_language

T = TypeVar("T")


class SecondFactorLockoutMixin:
    """Runs allauth's check of a second factor inside the lockout."""

    factor: str  # recorded in the audit trail: "code" (TOTP or recovery code) or "security_key"
    reauthentication = False

    def _check_under_lockout(self, check: Callable[[], T]) -> T:
        request = context.request
        identifier = normalize_identifier(self.user.email)
        details = {"factor": self.factor, "reauthentication": self.reauthentication}
        with transaction.atomic():
            lockout_serialize(identifier=identifier)
            if lockout_is_locked(identifier=identifier):
                audit_blocked_sign_in(identifier=identifier, request=request, actor=self.user, details=details)
                refusal = forms.ValidationError(LOCKED_MESSAGE, code="locked")
            else:
                try:
                    return check()
                except forms.ValidationError as error:
                    if getattr(error, "code", None) != "incorrect_code":
                        raise  # e.g. allauth's per-address rate limit: no answer was checked
                    locked = lockout_record_failure(
                        identifier=identifier, request=request, user=self.user, details=details
                    )
                    refusal = forms.ValidationError(LOCKED_MESSAGE, code="locked") if locked else error
        raise refusal  # outside the block, so the failure just recorded is committed


class CodeLockoutMixin(SecondFactorLockoutMixin):
    factor = "code"  # a TOTP code or a recovery code: allauth tries the one typed against both

    def clean_code(self) -> str:
        return self._check_under_lockout(super().clean_code)


class AuthenticateForm(CodeLockoutMixin, mfa_forms.AuthenticateForm):
    pass


class ReauthenticateForm(CodeLockoutMixin, mfa_forms.ReauthenticateForm):
    reauthentication = True


class SecurityKeyLockoutMixin(SecondFactorLockoutMixin):
    factor = "security_key"

    def clean_credential(self):
        return self._check_under_lockout(self._clean_credential)

    def _clean_credential(self):
        try:
            return super().clean_credential()
        except KeyError as error:
            # fido2 raises KeyError for an answer missing a field (allauth 65.22 catches only
            # TypeError and ValueError, so it would be a 500): a malformed answer is a wrong one.
            raise get_adapter().validation_error("incorrect_code") from error


class AuthenticateWebAuthnForm(SecurityKeyLockoutMixin, webauthn_forms.AuthenticateWebAuthnForm):
    pass


class ReauthenticateWebAuthnForm(SecurityKeyLockoutMixin, webauthn_forms.ReauthenticateWebAuthnForm):
    reauthentication = True


class NewPasswordForm(forms.Form):
    """A form that chooses the password of a new account for `email` (accepting an invitation, claiming an
    account made on one's behalf): the one password field, checked by AUTH_PASSWORD_VALIDATORS."""

    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A passphrase of several words is easy to remember and hard to guess."),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, User(email=self.email))
        return password


# --- The language of a person's notices and emails ----------------------------------------------


class PreferencesForm(forms.Form):
    preferred_language = preferred_language_field(required=True)

    daily_digest = forms.BooleanField(
        label=_("Send me a daily email of new and overdue follow-ups"),
        help_text=_("Counts and links to your worklist, sent each morning when something needs doing."),
        required=False,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.role in DIGEST_ROLES:
            self.fields["daily_digest"].initial = user.daily_digest
        else:
            del self.fields["daily_digest"]
        self.fields["preferred_language"].initial = user.preferred_language or language_of_this_page()
        self.fields["preferred_language"].error_messages["required"] = _("Choose a language.")
        self.fields["preferred_language"].error_messages["invalid_choice"] = _("Choose a language from the list.")

    def save(self, request) -> User:
        with transaction.atomic():
            if "daily_digest" in self.fields:
                user_set_daily_digest(user=self.user, wanted=self.cleaned_data["daily_digest"], request=request)
            return user_set_preferred_language(
                user=self.user, language=self.cleaned_data["preferred_language"], request=request
            )
