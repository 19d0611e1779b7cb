from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from audit.models import Action
from audit.services import audit_record

from .sessions import session_expiry_reason, session_touch

# Pages an account that must set up MFA may still reach before it has.
MFA_SETUP_ALLOWED = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_logout",
        "account_reauthenticate",
        "account_confirm_email",
        "account_email_verification_sent",
        "set_language",
        "healthz",
        "keepalive",
    }
)


def _url_name(request) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


class SessionPolicyMiddleware:
    """Ends a signed-in session after idle time (15 min, consumers 30) or 12 hours in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            reason = session_expiry_reason(request.session, user)
            if reason is not None:
                return self._sign_out(request, user, reason)
            session_touch(request.session)
            response = self.get_response(request)
            # Pages for a signed-in person may show personal data: keep them out of every cache.
            patch_cache_control(response, private=True, no_store=True)
            return response
        elif SESSION_KEY in request.session:
            # Signed in once, but the account was deactivated (or its password changed):
            # the auth middleware already refuses the user; drop what the session still holds.
            request.session.flush()
        return self.get_response(request)

    def _sign_out(self, request, user, reason):
        audit_record(action=Action.SESSION_EXPIRED, actor=user, request=request, details={"reason": reason})
        request._session_expired = True
        logout(request)
        if reason == "idle":
            messages.info(
                request, _("You were signed out because you were inactive for a while. Please sign in again.")
            )
        else:
            messages.info(
                request, _("You were signed out because your session reached its 12-hour limit. Please sign in again.")
            )
        if request.method == "GET" and not request.htmx:
            return redirect_to_login(request.get_full_path())
        return redirect_to_login("/")


class HtmxLoginRedirectMiddleware:
    """An htmx request sent to sign in must reload the whole page, not put the login form inside a fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "htmx", False) and response.status_code == 302:
            location = response["Location"]
            if location.startswith(resolve_url(settings.LOGIN_URL)):
                return HttpResponseClientRedirect(location)
        return response


class RequireMFAMiddleware:
    """Assister, agency and staff accounts reach nothing but MFA set-up until they have a second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.requires_mfa
            and not request.path_info.startswith("/static/")
            and _url_name(request) not in MFA_SETUP_ALLOWED
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request,
                _(
                    "Your account must use two-step verification. Set up an authenticator app or a security key to continue."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)
