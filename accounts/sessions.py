"""Session clock: idle timeout by role, a warning before it, an absolute limit."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

STARTED_KEY = "policy.started_at"
ACTIVE_KEY = "policy.last_active_at"
# Activity is written at most this often, so a page's requests do not each save the session.
ACTIVITY_RESOLUTION = 15  # seconds


def idle_timeout_for(user) -> timedelta:
    if getattr(user, "is_consumer", False):
        return settings.SESSION_IDLE_TIMEOUT_CONSUMER
    return settings.SESSION_IDLE_TIMEOUT


def session_start_clock(session) -> None:
    now = timezone.now().timestamp()
    session[STARTED_KEY] = now
    session[ACTIVE_KEY] = now


def session_expiry_reason(session, user) -> str | None:
    """'idle' or 'absolute' when the session has run out, else None."""
    now = timezone.now().timestamp()
    started = session.get(STARTED_KEY)
    last_active = session.get(ACTIVE_KEY)
    if started is None or last_active is None:
        return "absolute"  # a session that never went through sign-in
    if now - started >= settings.SESSION_ABSOLUTE_LIMIT.total_seconds():
        return "absolute"
    if now - last_active >= idle_timeout_for(user).total_seconds():
        return "idle"
    return None


def session_touch(session) -> None:
    now = timezone.now().timestamp()
    if now - session.get(ACTIVE_KEY, 0) >= ACTIVITY_RESOLUTION:
        session[ACTIVE_KEY] = now
