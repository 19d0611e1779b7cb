"""The worklist's reads (issue 17): every open follow-up across the user's book, combined from the apps' own rows
with `UNION ALL` (`assister_portal.lib.followups`), ordered by severity then deadline. The page costs the same
number of queries for 1 client or 20,000: the count, the page's rows, and (agency staff) the page's assisters of
record."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, models
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from associations import selectors as book
from certification.selectors import assister_may_act

from .kinds import BY_CODE, KINDS, Scope


class Severity(models.IntegerChoices):
    OVERDUE = 0, _("Overdue")
    SOON = 1, _("Due soon")
    LATER = 2, _("Due in the next weeks")
    TO_DO = 3, _("To do")


def severity_labels() -> dict[int, str]:
    """The severities as the worklist names them, with the configured day counts."""
    soon, later = settings.WORKLIST_SEVERITY_DAYS
    return {
        Severity.OVERDUE: _("Overdue"),
        Severity.SOON: _("Due within %(days)s days") % {"days": soon},
        Severity.LATER: _("Due within %(days)s days") % {"days": later},
        Severity.TO_DO: _("To do"),
    }


def _severity(today: date) -> Case:
    soon, later = settings.WORKLIST_SEVERITY_DAYS
    return Case(
        When(fu_deadline__lt=today, then=Value(Severity.OVERDUE)),
        When(fu_deadline__lte=today + timedelta(days=soon), then=Value(Severity.SOON)),
        When(fu_deadline__lte=today + timedelta(days=later), then=Value(Severity.LATER)),
        default=Value(Severity.TO_DO),
        output_field=IntegerField(),
    )


def book_client_ids(user) -> list[int]:
    """The ids of the clients in the user's book (one query): an assister's own, an agency admin's or support staff's
    agency's; none for an assister who may not act today (the dashboard shows none either). Read once and passed to
    every branch as one array parameter (`assister_portal.lib.followups.of_clients`)."""
    if user.role == Role.ASSISTER and not assister_may_act(user):
        return []
    return list(book.client_book(user).order_by().values_list("client_id", flat=True).distinct())


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()  # none: every kind
    severity: int | None = None
    refs: tuple[str, ...] = ()  # only these items (the reminders re-read what was ticked)
    client_ids: tuple[int, ...] = ()  # only these clients (the export's next deadline per client)


def _union(user, filters: Filters, today: date, book_ids: list[int] | None = None) -> QuerySet | None:
    """The union of every kind's rows (not ordered), or None when no kind is asked for. `book_ids`: the book's client
    ids when the caller has read them already (`book_client_ids`)."""
    client_ids = book_client_ids(user) if book_ids is None else book_ids
    if filters.client_ids:
        client_ids = sorted(set(client_ids) & set(filters.client_ids))
    scope = Scope(client_ids=client_ids, user=user, today=today)
    severity = _severity(today)
    parts = []
    for kind in KINDS:
        if filters.kinds and kind.code not in filters.kinds:
            continue
        if filters.client_ids and not kind.reminder:
            continue  # not a client's item
        rows = kind.rows(scope).annotate(fu_severity=severity)
        if filters.severity is not None:
            rows = rows.filter(fu_severity=filters.severity)
        if filters.refs:
            rows = rows.filter(fu_ref__in=filters.refs)
        parts.append(rows)
    if not parts:
        return None
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def followups(user, filters: Filters | None = None, *, today: date | None = None) -> QuerySet:
    """One statement: the open follow-ups of the user's book (and their own certification), most urgent first.
    Rows are dicts of `assister_portal.lib.followups.COLUMNS` plus `fu_severity`. (Do not call `.values()` on it: a
    union's columns are matched by position.)"""
    combined = _union(user, filters or Filters(), today or timezone.localdate())
    if combined is None:
        return KINDS[0].rows(Scope(client_ids=[], user=user, today=today)).none()
    return combined.order_by("fu_severity", F("fu_deadline").asc(nulls_last=True), "fu_since", "fu_kind", "fu_ref")


def followups_page(
    user, filters: Filters | None = None, *, offset: int, limit: int, today: date | None = None
) -> tuple[list[dict], int]:
    """One page of `followups` and how many there are in all, in one statement (the union is computed once, counted
    with a window function and cut to the page), so the worklist costs the same for 10 clients or 20,000."""
    combined = _union(user, filters or Filters(), today or timezone.localdate())
    if combined is None:
        return [], 0
    sql, params = combined.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            # `sql` is the ORM's own compiled statement; every value in it is a parameter (`params`).
            f"SELECT *, COUNT(*) OVER () AS fu_total FROM ({sql}) AS followups "  # noqa: S608
            "ORDER BY fu_severity, fu_deadline ASC NULLS LAST, fu_since, fu_kind, fu_ref LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    if not rows:
        return [], (0 if offset == 0 else followups_page(user, filters, offset=0, limit=1, today=today)[1])
    total = rows[0]["fu_total"]
    for row in rows:
        del row["fu_total"]
    return rows, total


def decorate(user, rows: list[dict]) -> list[dict]:
    """What the page shows beside each row: the kind, where it is done and, for agency staff, the assister of
    record (one query for the page)."""
    assisters: dict[int, list[str]] = defaultdict(list)
    if book.is_agency_staff(user):
        ids = {row["fu_client_pk"] for row in rows if row["fu_client_pk"]}
        for association in (
            book.client_book(user)
            .filter(client_id__in=ids)
            .order_by("client_id", "kind")
            .values("client_id", "assister__user__first_name", "assister__user__last_name", "kind")
        ):
            name = f"{association['assister__user__first_name']} {association['assister__user__last_name']}".strip()
            assisters[association["client_id"]].append(name)
    for row in rows:
        kind = BY_CODE[row["fu_kind"]]
        row["kind"] = kind
        row["link"] = kind.link(row)
        row["assisters"] = assisters.get(row["fu_client_pk"], [])
        row["key"] = f"{row['fu_kind']}:{row['fu_ref']}"
        row["detail_label"] = (kind.details or {}).get(row["fu_detail"], "")
    return rows


def next_deadlines(
    user, client_ids: list[int], *, today: date | None = None, book_ids: list[int] | None = None
) -> dict[int, date]:
    """Each of the given clients' nearest follow-up deadline (for the export): one query (two without `book_ids`, the
    book's client ids read once by the caller)."""
    nearest: dict[int, date] = {}
    combined = (
        _union(user, Filters(client_ids=tuple(client_ids)), today or timezone.localdate(), book_ids)
        if client_ids
        else None
    )
    if combined is None:
        return nearest
    for row in combined:
        deadline = row["fu_deadline"]
        if deadline and (row["fu_client_pk"] not in nearest or deadline < nearest[row["fu_client_pk"]]):
            nearest[row["fu_client_pk"]] = deadline
    return nearest
