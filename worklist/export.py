"""The book of clients as a CSV file (issue 17): the dashboard's search — the same form, filters, sort and rows
(`applications.dashboard.book_queryset`) — every page of it, streamed in chunks of `CHUNK` rows so memory stays
flat and the queries grow with the chunks, not the rows: the book's one statement through a server-side cursor,
then per chunk the clients' next deadlines (`selectors.next_deadlines`) and the audit rows (one per exported
client, "what": "export", in one INSERT), written before the chunk is sent.

Cells are made safe for spreadsheets (`assister_portal.lib.spreadsheets.formula_safe`, OWASP "CSV injection");
the file starts with a UTF-8 byte order mark so Excel reads accents; headers and labels are in the user's
language."""

import csv
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connections
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from applications import selectors as application_selectors
from applications.dashboard import book_columns, book_form, book_queryset, export_query, may_see_book
from applications.models import ApplicationStatus
from assister_portal.lib.roles import role_required
from assister_portal.lib.spreadsheets import formula_safe
from associations.assister_views import BOOK_ROLES
from associations.models import Association
from audit.models import Action
from audit.services import audit_record_for_client_ids
from certification.models import AssisterKind
from clients.selectors import power_labels
from plans.models import MetalLevel

from .selectors import book_client_ids, next_deadlines

CHUNK = 1000  # rows read, audited and sent at a time
# What the file reads of a book row: named columns only, so the client's SSN (ciphertext) is never selected.
FIELDS = (
    "client_id",
    "client__first_name",
    "client__last_name",
    "client__public_id",
    "kind",
    *Association.POWER_FIELDS.values(),
    "application_year",
    "application_status",
    "application_credit",
    "plan_name",
    "plan_metal_level",
    "plan_sample",
)
# The documents column's annotations (verifications.dashboard), read when that column is installed.
DOCUMENT_FIELDS = ("documents_open", "documents_due")


def header() -> list[str]:
    """The file's first row, in the active language."""
    return [
        _("Client"),
        _("Client ID"),
        _("Kind of assister"),
        _("Powers granted"),
        _("Coverage year"),
        _("Application status"),
        _("Monthly credit"),
        _("Plan"),
        _("Metal level"),
        _("Documents due"),
        _("Documents due by"),
        _("Next deadline"),
    ]


class _Labels:
    """The labels of codes, translated once per chunk (lazy labels would be translated for every row)."""

    def __init__(self):
        self.kinds = {value: str(label) for value, label in AssisterKind.choices}
        self.statuses = {value: str(label) for value, label in ApplicationStatus.choices}
        self.no_application = _("No application")
        self.sample = _("sample plan")
        self.metals = {value: str(label) for value, label in MetalLevel.choices}
        self._powers: dict[tuple, str] = {}

    def powers(self, row: dict) -> str:
        """The powers the association grants, as the dashboard names them (its `powers`, from the row's fields)."""
        key = tuple(code for code, field in Association.POWER_FIELDS.items() if row[field])
        if key not in self._powers:
            self._powers[key] = "; ".join(str(label) for label in power_labels(key))
        return self._powers[key]


def _date(value) -> str:
    return value.isoformat() if value else ""


def _cells(row: dict, labels: _Labels, deadline) -> list[str]:
    status = row["application_status"]
    cells = [
        f"{row['client__first_name']} {row['client__last_name']}".strip(),
        row["client__public_id"].hex[:8].upper(),  # Client.short_id, as the dashboard shows it
        labels.kinds.get(row["kind"], row["kind"]),
        labels.powers(row),
        row["application_year"] or "",
        labels.statuses.get(status, status) if status else labels.no_application,
        "" if row["application_credit"] is None else row["application_credit"],
        # A plan of the sample catalog says so wherever a user sees it.
        (f"{row['plan_name']} ({labels.sample})" if row["plan_sample"] else row["plan_name"]) or "",
        labels.metals.get(row["plan_metal_level"], row["plan_metal_level"] or ""),
        row.get("documents_open", ""),
        _date(row.get("documents_due")),
        _date(deadline),
    ]
    return [formula_safe(cell) for cell in cells]


def _csv(rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)  # quoted where needed, lines end in CRLF (RFC 4180)
    return buffer.getvalue().encode("utf-8")


@contextmanager
def _planned_for_every_row(connection):
    """PostgreSQL plans a cursor's query to return its first 10 % fast (`cursor_tuple_fraction`), which can pick a
    plan that takes far longer to return all (measured at the bench: 23 s instead of 0.75 s for an agency's 5,000
    enrolled clients). The export reads every row: plan for that. Session-wide in autocommit, so reset after."""
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")


def export_rows(request, queryset: QuerySet, language: str) -> Iterator[bytes]:
    """The file, a chunk of rows at a time: each chunk's clients are audited (and their next deadlines read)
    before its bytes are sent, so every client in what was sent has its audit row."""
    user = request.user
    book_ids = None
    with translation.override(language):
        yield "\ufeff".encode() + _csv([header()])
    fields = FIELDS + tuple(f for f in DOCUMENT_FIELDS if f in queryset.query.annotations)
    rows = queryset.values(*fields).iterator(chunk_size=CHUNK)
    with _planned_for_every_row(connections[queryset.db]):
        chunk = list(islice(rows, CHUNK))  # the cursor is declared (and its query planned) at the first read
    while chunk:
        client_ids = [row["client_id"] for row in chunk]
        # One audit row per exported client ("Who viewed my information"), written in one statement per chunk.
        audit_record_for_client_ids(
            action=Action.CLIENT_LIST_VIEWED,
            actor=user,
            client_ids=client_ids,
            request=request,
            details={"what": "export"},
        )
        if book_ids is None:  # the book's ids, read once for the whole file
            book_ids = book_client_ids(user)
        deadlines = next_deadlines(user, client_ids, book_ids=book_ids)
        with translation.override(language):
            labels = _Labels()
            data = _csv(_cells(row, labels, deadlines.get(row["client_id"])) for row in chunk)
        yield data
        chunk = list(islice(rows, CHUNK))


@login_required
@role_required(*BOOK_ROLES)
@require_safe
def export(request):
    """GET with the dashboard's query string: the CSV of every row the dashboard's search finds. A search the
    dashboard would not run (a bad date or client ID) goes back to the dashboard, which says what to fix; an
    assister who may not act for clients today gets the dashboard's notice instead of a file."""
    dashboard = reverse("clients:dashboard")
    query = export_query(request)
    if not may_see_book(request.user):
        return redirect(dashboard)
    columns = book_columns()
    form = book_form(request, columns)
    if not form.is_valid():
        messages.error(request, _("Nothing was exported. Check the search below, then export again."))
        return redirect(f"{dashboard}?{query}" if query else dashboard)
    queryset = application_selectors.with_current_plan(book_queryset(request.user, form, columns))
    response = StreamingHttpResponse(
        export_rows(request, queryset, translation.get_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="clients-{timezone.localdate():%Y-%m-%d}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
