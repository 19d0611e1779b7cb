"""Audit rows for tests, written the one way the portal writes them (`audit.services.audit_record`)."""

from audit.models import Action, AuditEvent
from audit.services import audit_record


def audit_event(*, action: Action = Action.SIGN_IN, actor=None, **fields) -> AuditEvent:
    """One row: `actor` did `action` (a sign-in unless told), with any other field of `audit_record`."""
    return audit_record(action=action, actor=actor, **fields)


def audit_events(count: int, **fields) -> list[AuditEvent]:
    """`count` rows alike, e.g. to show a list page costs the same queries at 1 row and at 50."""
    return [audit_event(**fields) for _ in range(count)]
