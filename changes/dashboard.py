"""The changes column of the assister's dashboard (issue 15), added through `applications.hooks.book_columns`: a
report waiting for the household's answer, and an open special enrollment window with the days left; both are
filters. Subqueries of the book's one statement, so the page's query count does not grow with its rows."""

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.hooks import BookColumn

from .models import ChangeReport, ReportStatus

NEEDS_ANSWER = "needs_answer"
OPEN_WINDOW = "open_window"


def _annotate(book: QuerySet) -> QuerySet:
    today = timezone.localdate()
    reports = ChangeReport.objects.filter(client_id=OuterRef("client_id"))
    window = reports.filter(status=ReportStatus.PROCESSED, sep_opens__lte=today, sep_closes__gte=today).order_by(
        "-sep_closes"
    )
    return book.annotate(
        change_needs_answer=Exists(reports.filter(status=ReportStatus.NEEDS_INFO)),
        change_window_closes=Subquery(window.values("sep_closes")[:1]),
    )


def _filter(book: QuerySet, value: str) -> QuerySet:
    if value == NEEDS_ANSWER:
        return book.filter(change_needs_answer=True)
    if value == OPEN_WINDOW:
        return book.filter(change_window_closes__isnull=False)
    return book


def changes_column() -> list[BookColumn]:
    return [
        BookColumn(
            name="changes",
            label=_("Reported changes"),
            choices=((NEEDS_ANSWER, _("Waiting for an answer")), (OPEN_WINDOW, _("Special enrollment period open"))),
            annotate=_annotate,
            filter=_filter,
            template="changes/_dashboard_cell.html",
        )
    ]
