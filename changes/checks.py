"""Start-up check of the changes settings: every name in SPECIAL_ENROLLMENT_EVENTS must be an event a report can
have, so a typo does not silently leave an event without its special enrollment period."""

from django.conf import settings
from django.core.checks import Error

from .kinds import Event


def special_enrollment_events(app_configs=None, **kwargs) -> list[Error]:
    unknown = sorted(set(settings.SPECIAL_ENROLLMENT_EVENTS) - set(Event.values))
    if not unknown:
        return []
    return [
        Error(
            f"SPECIAL_ENROLLMENT_EVENTS names {', '.join(unknown)}, which are not events of a change report.",
            hint=f"Use these names: {', '.join(Event.values)}.",
            id="changes.E001",
        )
    ]
