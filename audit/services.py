"""The one way to write to the audit trail.

There is no try/except here on purpose: if the row cannot be written, the
request that caused it fails (and, inside a transaction, its changes roll back).
"""

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from assister_portal.lib.request_id import current_request_id

from .models import AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address; behind N trusted proxies, the Nth address from the right of X-Forwarded-For."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor=None,
    request: HttpRequest | None = None,
    outcome: str = "success",
    target: models.Model | None = None,
    actor_label: str = "",
    details: dict | None = None,
    client=None,
) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        at=timezone.now(),
        action=action,
        outcome=outcome,
        actor=actor,
        client=client,
        actor_label=actor_label or (actor.email if actor is not None else ""),
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        ip=client_ip(request) if request is not None else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:512] if request is not None else "",
        request_id=getattr(request, "id", "") or (current_request_id() if request is not None else ""),
        details=details or {},
    )
    event.full_clean()
    event.save(force_insert=True)
    return event
