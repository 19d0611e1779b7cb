"""Reads of verification requests, each a fixed number of queries whatever the number of rows."""

from django.db.models import Case, Count, F, QuerySet, Value, When

from assister_portal.lib.followups import of_clients
from assister_portal.lib.followups import rows as followup_rows
from clients.models import Client

from .models import OPEN_STATUSES, Document, RequestStatus, VerificationRequest


def client_requests(client: Client) -> QuerySet[VerificationRequest]:
    """The client's requests: open ones first (nearest due date first), then the rest, newest first; with how many
    documents each has."""
    return (
        VerificationRequest.objects.filter(client=client)
        .exclude(status=RequestStatus.CANCELLED)
        .annotate(
            document_count=Count("documents"),
            open_rank=Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1)),
        )
        .order_by("open_rank", "due_date", "-opened_at", "pk")
    )


def request_documents(row: VerificationRequest) -> list[Document]:
    return list(row.documents.select_related("uploaded_by").order_by("uploaded_at", "pk"))


# --- The worklist's follow-ups (issue 17) -----------------------------------------------------------------------

DOCUMENTS_DUE = "documents_due"


def followups(client_ids) -> QuerySet:
    """Requests waiting for the household (`assister_portal.lib.followups`): nothing sent yet, or a document was not
    accepted and another is needed. Sent documents wait for staff, not for the assister."""
    return followup_rows(
        VerificationRequest.objects.filter(
            of_clients(client_ids), status__in=[RequestStatus.OUTSTANDING, RequestStatus.REJECTED]
        ),
        kind=DOCUMENTS_DUE,
        client="client",
        deadline=F("due_date"),
        since=F("opened_at"),
        ref=F("public_id"),
        detail=F("type"),
    )
