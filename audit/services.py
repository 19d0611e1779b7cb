"""The one way to write to the audit trail.

There is no try/except here on purpose: if the row cannot be written, the
request that caused it fails (and, inside a transaction, its changes roll back).
"""

import json

from django.conf import settings
from django.db import connection, models
from django.http import HttpRequest
from django.utils import timezone

from assister_portal.lib.request_id import current_request_id

from .models import Action, AuditEvent, Outcome


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address; behind N trusted proxies, the Nth address from the right of X-Forwarded-For."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


def _event(*, action, actor, request, outcome, target, actor_label, details, client) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent(
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


def audit_record(
    *,
    action: Action,
    actor=None,
    request: HttpRequest | None = None,
    outcome: Outcome = Outcome.SUCCESS,
    target: models.Model | None = None,
    actor_label: str = "",
    details: dict | None = None,
    client=None,
) -> AuditEvent:
    event = _event(
        action=action,
        actor=actor,
        request=request,
        outcome=outcome,
        target=target,
        actor_label=actor_label,
        details=details,
        client=client,
    )
    event.full_clean()
    event.save(force_insert=True)
    return event


def audit_record_for_clients(
    *, action: Action, actor, clients, request: HttpRequest | None = None, details=None
) -> None:
    """One row per client (a list page shows many), in one INSERT, so each client sees it in their trail."""
    events = [
        _event(
            action=action,
            actor=actor,
            request=request,
            outcome=Outcome.SUCCESS,
            target=None,
            actor_label="",
            details=details,
            client=client,
        )
        for client in clients
    ]
    if events:
        events[0].full_clean()  # the rows differ only in their client
        AuditEvent.objects.bulk_create(events)


def audit_record_for_client_ids(
    *, action: Action, actor, client_ids: list[int], request: HttpRequest | None = None, details=None
) -> int:
    """`audit_record_for_clients` for many clients known by id (a 20,000-row export): one set-based INSERT per call,
    the same row for each client but its id, without building a model object per row. Returns the rows written."""
    if not client_ids:
        return 0
    template = _event(
        action=action,
        actor=actor,
        request=request,
        outcome=Outcome.SUCCESS,
        target=None,
        actor_label="",
        details=details,
        client=None,
    )
    template.full_clean(exclude=["client"])
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" (at, action, outcome, actor_id, client_id, actor_label, object_type, object_id, ip, '  # noqa: S608  (the table name is the model's; every value is a parameter)
            "user_agent, request_id, details) "
            "SELECT %s, %s, %s, %s, client_id, %s, %s, %s, %s, %s, %s, %s::jsonb FROM unnest(%s::integer[]) AS client_id",
            [
                template.at,
                template.action,
                template.outcome,
                template.actor_id,
                template.actor_label,
                template.object_type,
                template.object_id,
                template.ip,
                template.user_agent,
                template.request_id,
                json.dumps(template.details),
                list(client_ids),
            ],
        )
        return cursor.rowcount
