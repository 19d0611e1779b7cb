"""Reads of notices: the inbox (one query for the page), a client's notices for an assister."""

from django.db.models import QuerySet

from . import kinds
from .models import Notice
from .permissions import own_notices_q


def inbox(user) -> QuerySet[Notice]:
    """The notices addressed to `user` or to their client record, newest first."""
    return Notice.objects.filter(own_notices_q(user)).select_related("invoice").order_by("-created_at", "-id")


def on_behalf_kinds() -> list[str]:
    return [kind.code for kind in kinds.registered() if kind.recipient == kinds.Recipient.CLIENT and kind.on_behalf]


def client_notices(client) -> QuerySet[Notice]:
    """A client's notices that may be seen on the client's behalf (for an assister holding
    `view_notices_for_client`), newest first."""
    return (
        Notice.objects.filter(client=client, kind__in=on_behalf_kinds())
        .select_related("invoice")
        .order_by("-created_at", "-id")
    )


def unread_count(user) -> int:
    return Notice.objects.filter(own_notices_q(user), read_at__isnull=True).count()
