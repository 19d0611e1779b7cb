"""The documents column of the assister's dashboard (issue 14), added through `applications.hooks.book_columns`: each
client's open verification requests and the nearest due date, "Documents due" as a filter (and "overdue"), and a sort
by the nearest due date. Subqueries of the book's one statement, so the page's query count does not grow with its
rows."""

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.hooks import BookColumn
from applications.models import ApplicationStatus

from .models import OPEN_STATUSES, VerificationRequest

DUE = "due"
OVERDUE = "overdue"
SORT_DUE = "documents_due"


def _annotate(book: QuerySet) -> QuerySet:
    open_requests = VerificationRequest.objects.filter(
        client_id=OuterRef("client_id"), status__in=OPEN_STATUSES
    ).exclude(application__status=ApplicationStatus.WITHDRAWN)  # closed by the next sweep; nothing to do meanwhile
    count = open_requests.order_by().values("client_id").annotate(n=Count("pk")).values("n")
    return book.annotate(
        documents_open=Coalesce(Subquery(count[:1], output_field=IntegerField()), 0),
        documents_due=Subquery(open_requests.order_by("due_date").values("due_date")[:1]),
    )


def _filter(book: QuerySet, value: str) -> QuerySet:
    if value == DUE:
        return book.filter(documents_due__isnull=False)
    if value == OVERDUE:
        return book.filter(documents_due__lt=timezone.localdate())
    return book


def _order(book: QuerySet, sort: str) -> QuerySet:
    return book.order_by(F("documents_due").asc(nulls_last=True), "client__search_last", "client__search_first", "pk")


def documents_column() -> list[BookColumn]:
    return [
        BookColumn(
            name="documents",
            label=_("Documents due"),
            choices=((DUE, _("Documents due")), (OVERDUE, _("Past the due date"))),
            annotate=_annotate,
            filter=_filter,
            template="verifications/_dashboard_cell.html",
            sorts=((SORT_DUE, _("Documents due, nearest first")),),
            order=_order,
            # Documents to send come first, also for an application determined or enrolled on the attestation.
            next_step=lambda row: "documents" if row.documents_open else None,
        )
    ]
