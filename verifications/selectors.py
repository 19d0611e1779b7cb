"""Reads of verification requests, each a fixed number of queries whatever the number of rows."""

from django.db.models import Case, Count, QuerySet, Value, When

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
