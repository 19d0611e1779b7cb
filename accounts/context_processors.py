from django.conf import settings

from .models import Role
from .sessions import idle_timeout_for

_AUDIENCE_BY_ROLE = {
    Role.CONSUMER: "consumer",
    Role.ASSISTER: "assister",
    Role.AGENCY_ADMIN: "assister",
    Role.AGENCY_SUPPORT: "assister",
    Role.STAFF: "staff",
}


def audience(request):
    """Which base layout a page uses: public, consumer, assister (and agency roles) or staff."""
    user = getattr(request, "user", None)
    name = _AUDIENCE_BY_ROLE.get(user.role, "public") if user is not None and user.is_authenticated else "public"
    return {"audience": name, "layout": f"layouts/{name}.html"}


def session_policy(request):
    """Numbers the idle-timeout warning needs (static/js/session-timeout.js)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_idle_seconds": int(idle_timeout_for(user).total_seconds()),
        "session_warning_seconds": int(settings.SESSION_IDLE_WARNING.total_seconds()),
    }
