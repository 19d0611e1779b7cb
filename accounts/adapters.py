from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django import forms

from .backends import audit_blocked_sign_in
from .lockout import LOCKED_MESSAGE, lockout_is_locked, normalize_identifier


class AccountAdapter(DefaultAccountAdapter):
    def authenticate(self, request, **credentials):
        """Show the lockout, in words that are the same whether or not an account has this email."""
        identifier = normalize_identifier(credentials.get("email"))
        if identifier and lockout_is_locked(identifier=identifier):
            audit_blocked_sign_in(identifier=identifier, request=request)
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        user = super().authenticate(request, **credentials)
        if user is None and identifier and lockout_is_locked(identifier=identifier):
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        return user


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user) -> str:
        return user.email
