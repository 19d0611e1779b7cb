"""Reads of notices: the inbox (one query for the page), a client's notices for an assister."""

from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils import translation

from assister_portal.lib.followups import of_clients
from assister_portal.lib.followups import rows as followup_rows

from . import kinds
from .models import Invoice, Notice
from .permissions import own_notices_q


def inbox(user) -> QuerySet[Notice]:
    """The notices addressed to `user` or to their client record, newest first."""
    return Notice.objects.filter(own_notices_q(user)).select_related("invoice").order_by("-created_at", "-id")


def on_behalf_kinds() -> list[str]:
    return [kind.code for kind in kinds.registered() if kind.recipient == kinds.Recipient.CLIENT and kind.on_behalf]


def _on_behalf() -> QuerySet[Notice]:
    """Client notices that may be seen on the client's behalf (for an assister holding `view_notices_for_client`)."""
    return Notice.objects.filter(kind__in=on_behalf_kinds()).select_related("invoice")


def client_notices(client) -> QuerySet[Notice]:
    """A client's notices that may be seen on their behalf, newest first."""
    return _on_behalf().filter(client=client).order_by("-created_at", "-id")


def client_notice(client_public_id, notice_public_id) -> Notice | None:
    """One notice of the client with that public id that may be seen on their behalf; None if there is none.
    Whether the caller may see it is the caller's check (`associations.permissions.access_client`)."""
    return _on_behalf().filter(client__public_id=client_public_id, public_id=notice_public_id).first()


def described(notice: Notice) -> str:
    """The notice as the client's "Who viewed my information" names it: its number and title (English)."""
    spec = kinds.for_notice(notice.kind)
    with translation.override("en"):  # stored once, like every other line of the trail
        return f"notice {notice.number} ({spec.title})"


# --- The worklist's follow-ups (issue 17) -----------------------------------------------------------------------

INVOICE_OVERDUE = "invoice_overdue"


def followups_invoices(client_ids, today: date, visible: Q) -> QuerySet:
    """Invoices (a small employer's) not paid by their due date, of the clients `visible` allows (those whose notices
    the reader may see)."""
    return followup_rows(
        Invoice.objects.filter(of_clients(client_ids), visible, paid_at__isnull=True, due_date__lt=today),
        kind=INVOICE_OVERDUE,
        client="client",
        deadline=F("due_date"),
        since=F("created_at"),
        ref=F("public_id"),
    )
