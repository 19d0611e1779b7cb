"""Audit receivers for the sign-in and security events Django and allauth announce.

These are the libraries' integration points; each receiver only calls the audit
service (and, at sign-in, stamps the session clock and starts the lockout count
again), no workflow lives here.
"""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from audit.models import Action
from audit.services import audit_record

from .lockout import lockout_clear, lockout_release, normalize_identifier
from .sessions import session_start_clock


@receiver(auth_signals.user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_start_clock(request.session)
    # Sent once the whole sign-in is done, second factor included (allauth logs in after its MFA stage).
    lockout_clear(identifier=normalize_identifier(user.email))
    audit_record(action=Action.SIGN_IN, actor=user, request=request)


@receiver(auth_signals.user_logged_out)
def on_logged_out(sender, request, user, **kwargs):
    if user is not None and not getattr(request, "_session_expired", False):
        audit_record(action=Action.SIGN_OUT, actor=user, request=request)


@receiver(mfa_signals.authenticator_added)
def on_mfa_added(sender, request, user, authenticator, **kwargs):
    audit_record(action=Action.MFA_ADDED, actor=user, request=request, details={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def on_mfa_removed(sender, request, user, authenticator, **kwargs):
    audit_record(action=Action.MFA_REMOVED, actor=user, request=request, details={"type": authenticator.type})


@receiver(mfa_signals.authenticator_reset)
def on_mfa_reset(sender, request, user, authenticator, **kwargs):
    audit_record(action=Action.MFA_RESET, actor=user, request=request, details={"type": authenticator.type})


@receiver(account_signals.password_changed)
def on_password_changed(sender, request, user, **kwargs):
    audit_record(action=Action.PASSWORD_CHANGED, actor=user, request=request)


@receiver(account_signals.password_set)
def on_password_set(sender, request, user, **kwargs):
    audit_record(action=Action.PASSWORD_SET, actor=user, request=request)


@receiver(account_signals.password_reset)
def on_password_reset(sender, request, user, **kwargs):
    audit_record(action=Action.PASSWORD_RESET, actor=user, request=request)
    lockout_release(identifier=normalize_identifier(user.email))
