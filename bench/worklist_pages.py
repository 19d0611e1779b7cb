"""The worklist (issue 17) in `python -m bench`: "What needs doing" at 10, 2,000 and 20,000 clients.

Pages timed with the others (`bench.measure.time_pages`, in the same rounds, against the same baseline): the worklist
of the 2,000-client assister and of the admin of the 20,000-association agency, each plain, filtered to one kind
(documents due) and to one severity (overdue), and the 10-client assister's plain worklist, whose query count must be
the 2,000-client one's. Before timing, the harness counts each book's items through the worklist's own selector
(`worklist.selectors.followups`, the statement the page pages through) and prints them by kind; after timing, one more
request per page checks that the page says that number ("Showing 1 to 50 of N items").

What a request's queries are for (`worklist_groups`): the signed-in frame (session, user, MFA), who may act (an
assister's may-act check, twice: `worklist.selectors.book_client_ids` and the view's `may_act`; agency staff's
membership and groups, twice: `followups` and `decorate` each build the book), the follow-ups (the paginator's count
and the page's rows: one `UNION ALL` statement each, one branch when filtered to a kind; no rows statement when the
count is 0), the assisters of record of the page's clients (agency staff only), the audit row the page writes for the
clients it shows (the INSERT and `full_clean`'s checks of its actor and client; none when the page is empty), BEGIN and
COMMIT, and the session's activity clock when it is saved (at most every 15 s).
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import User
from associations import selectors as book
from worklist.kinds import KINDS
from worklist.selectors import Filters, Severity, followups

from .measure import (
    _EXISTS_BY_ID,
    TRANSACTION_CONTROL,
    Page,
    PageResult,
    Target,
    _book,
    breakdown,
    statement_kind,
)

URL = "/worklist/"
# (key suffix, label suffix, query, the selector's filters)
FILTERS = (
    ("", "", "", Filters()),
    ("_documents", " ?kind=documents_due", "kind=documents_due", Filters(kinds=("documents_due",))),
    ("_overdue", " ?severity=0 (overdue)", f"severity={Severity.OVERDUE.value}", Filters(severity=Severity.OVERDUE)),
)
SUMMARY = re.compile(r'id="results-summary"[^>]*>\s*Showing [\d,]+ to [\d,]+ of ([\d,]+) items?')
EMPTY = re.compile(r'id="results-summary"[^>]*>\s*(Nothing matches these filters|Nothing needs doing right now)')
FOLLOWUP_COLUMN = '"fu_kind"'  # in every statement that reads follow-ups (the count and the page), UNION or not
SIGNED_IN_TABLES = {"django_session", "mfa_authenticator"}
# May the assister act today (certification.selectors.assister_may_act); agency staff's membership and groups.
MAY_ACT_TABLES = {"certification_assister", "certification_agencymembership", "auth_group"}
GROUPS = (
    "session, user, MFA",
    "who may act, agency groups",
    "the book's client ids",
    "follow-ups",
    "assisters of record",
    "audit row",
    "BEGIN/COMMIT",
    "session saved",
)


@dataclass
class Book:
    key: str  # the pages' key prefix: worklist, worklist_small, worklist_agency
    label: str
    email: str
    clients: int
    filters: tuple = FILTERS
    items: dict[str, int] = field(default_factory=dict)  # key suffix → items the selector counts
    by_kind: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)


def books(result: dict) -> list[Book]:
    """The measured books: the 2,000-client assister, the 10-client one (plain page only) and the big agency's admin."""
    big, small, admin = result["big_assister_email"], result["small_assister_email"], result["big_agency_admin_email"]
    agency_clients = book.client_book(User.objects.get(email=admin)).count()
    return [
        Book("worklist", f"{len(_book(big)):,} clients", big, len(_book(big))),
        Book("worklist_small", f"{len(_book(small)):,} clients", small, len(_book(small)), filters=FILTERS[:1]),
        Book("worklist_agency", f"agency admin, {agency_clients:,} clients", admin, agency_clients),
    ]


def worklist_pages(measured: list[Book]) -> list[Page]:
    return [
        Page(f"{b.key}{suffix}", f"worklist, {b.label}{label}", f"{URL}?{query}" if query else URL, b.email)
        for b in measured
        for suffix, label, query, _filters in b.filters
    ]


def count_items(measured: list[Book], log=print) -> list[str]:
    """How many items each book's worklist has (the selector's count, today's as the page's), by kind and severity;
    logs them. Problems: a measured book with nothing to follow up (a data set built before BUILD_VERSION 9)."""
    today = timezone.localdate()
    problems = []
    for b in measured:
        user = User.objects.get(email=b.email)
        for suffix, _label, _query, filters in b.filters:
            b.items[suffix] = followups(user, filters, today=today).count()
        # Whole rows: `.values()` of fewer columns on the UNION would map them by position, to the wrong names.
        for row in followups(user, today=today):
            b.by_kind[row["fu_kind"]] += 1
            b.by_severity[row["fu_severity"]] += 1
        kinds = ", ".join(f"{kind.code} {b.by_kind[kind.code]:,}" for kind in KINDS if b.by_kind[kind.code])
        severities = ", ".join(f"{Severity(s).label.lower()} {n:,}" for s, n in sorted(b.by_severity.items()))
        filtered = "; ".join(f"?{query} {b.items[suffix]:,}" for suffix, _l, query, _f in b.filters[1:])
        log(
            f"  {b.email} ({b.label}): {b.items['']:,} items ({kinds}); {severities}{'; ' if filtered else ''}{filtered}"
        )
        if b.key != "worklist_small" and not b.items[""]:
            problems.append(
                f"{b.email} has nothing to follow up: run with --rebuild (BUILD_VERSION 9 writes the items)"
            )
    return problems


def page_problems(measured: list[Book], results: list[PageResult]) -> list[str]:
    """One more request per worklist page: it says the number of items the selector counted."""
    expected = {f"{b.key}{suffix}": b.items.get(suffix) for b in measured for suffix, *_rest in b.filters}
    problems = []
    for r in results:
        if r.page.key not in expected or not r.ok or r.http is None:
            continue
        response = r.http.get(r.page.url)
        text = response.content.decode()
        found = SUMMARY.search(text)
        shown = int(found.group(1).replace(",", "")) if found else 0 if EMPTY.search(text) else None
        if response.status_code != 200 or shown != expected[r.page.key]:
            problems.append(
                f"{r.page.label}: HTTP {response.status_code}, the page says {shown} items; the selector counts "
                f"{expected[r.page.key]}"
            )
    return problems


def worklist_groups(statements: list[str]) -> dict[str, int]:
    """A worklist request's statements by what they are for (see the module's docstring). The follow-ups are the
    statements that are none of the others: the count of a single kind (`?kind=`) names no follow-up column."""
    groups = dict.fromkeys(GROUPS, 0)
    for sql in statements:
        kind = statement_kind(sql)
        table = kind.split(" ", 1)[-1]
        if FOLLOWUP_COLUMN in sql:
            group = "follow-ups"
        elif TRANSACTION_CONTROL.match(sql):
            group = "BEGIN/COMMIT"
        elif kind == "INSERT audit_auditevent" or _EXISTS_BY_ID.match(sql.strip()):
            group = "audit row"
        elif kind == "UPDATE django_session":
            group = "session saved"
        elif table in SIGNED_IN_TABLES or kind == "SELECT accounts_user":
            group = "session, user, MFA"
        elif kind == "SELECT associations_association" and sql.startswith("SELECT DISTINCT"):
            group = "the book's client ids"  # worklist.selectors.book_client_ids: read once, one array parameter
        elif kind == "SELECT associations_association":
            group = "assisters of record"
        elif table in MAY_ACT_TABLES:
            group = "who may act, agency groups"
        else:
            group = "follow-ups"
        groups[group] += 1
    return groups


def _groups_text(groups: dict[str, int]) -> str:
    return " + ".join(f"{name} {n}" for name, n in groups.items() if n)


def worklist_report(results: list[PageResult]) -> list[str]:
    """Each worklist page's queries by what they are for (a request that made the usual number) and their kinds, and
    how its p95 compares with the same user's dashboard's (`dashboard`, `dashboard_small`, `agency` in the run)."""
    by_key = {r.page.key: r for r in results}
    dashboards = {"worklist": "dashboard", "worklist_small": "dashboard_small", "worklist_agency": "agency"}
    lines = []
    for r in results:
        if not (r.page.key.startswith("worklist") and r.ok):
            continue
        groups = worklist_groups(r.usual_sql)
        kinds = ", ".join(f"{kind} ×{n}" if n > 1 else kind for kind, n in breakdown(r.usual_sql))
        book_key = next(k for k in sorted(dashboards, key=len, reverse=True) if r.page.key.startswith(k))
        dashboard = by_key.get(dashboards[book_key])
        versus = (
            f"; p95 {r.p95:.1f} ms = {r.p95 / dashboard.p95:.1f} × the dashboard's ({dashboard.p95:.1f} ms)"
            if dashboard is not None and dashboard.ok
            else ""
        )
        lines.append(f"{r.page.label}: {r.queries_text} queries = {_groups_text(groups)}{versus}")
        lines.append(f"  {kinds}")
    return lines


def worklist_targets(by_key: dict[str, PageResult]) -> list[Target]:
    """Reported (issue 17): the follow-ups read in at most 2 statements (the count, and the page's rows unless the
    count is 0) on every request whatever the book, the request's query count the same at 10 and 2,000 clients, and agency staff's assisters of
    record in one query."""
    checks = []
    for key, r in by_key.items():
        if key.startswith("worklist") and r.ok:
            reads = sorted({worklist_groups(statements)["follow-ups"] for statements in r.sql_by_count.values()})
            checks.append(
                Target(
                    max(reads) <= 2,
                    f"{r.page.label}: the follow-ups in {'/'.join(map(str, reads))} statements on every request ≤ 2 "
                    "(the count, and the page's rows when there are any)",
                )
            )
    small, big, agency = (by_key.get(k) for k in ("worklist_small", "worklist", "worklist_agency"))
    if small and big and small.ok and big.ok:
        checks.append(
            Target(
                (small.usual_queries, min(small.queries), max(small.queries))
                == (big.usual_queries, min(big.queries), max(big.queries)),
                f"worklist queries do not grow with the book: {small.page.label} → {small.queries_text}, "
                f"{big.page.label} → {big.queries_text}",
            )
        )
    else:
        checks.append(Target(None, "worklist queries do not grow with the book: not measured"))
    if agency and agency.ok:
        own = worklist_groups(agency.usual_sql)["assisters of record"]
        checks.append(Target(own == 1, f"{agency.page.label}: the assisters of record in {own} query = 1"))
    return checks


def prepare(marker: dict, log=print) -> tuple[list[Book], list[Page], list[str]]:
    """Before timing: the measured books, their items counted (logged), the worklist pages to time, and problems."""
    measured = books(marker["result"])
    problems = count_items(measured, log=log)
    return measured, worklist_pages(measured), problems


def after_timing(measured: list[Book], results: list[PageResult], log=print) -> list[str]:
    """After timing: logs each worklist page's queries; returns the pages that do not say their book's count."""
    lines = worklist_report(results)
    if lines:
        log("\nqueries of the worklist pages (a request that made the usual number):")
        for line in lines:
            log(f"  {line}")
    return page_problems(measured, results)


def as_json(measured: list[Book]) -> dict:
    return {
        b.key: {
            "email": b.email,
            "clients": b.clients,
            "items": {query or "all": b.items[suffix] for suffix, _label, query, _f in b.filters},
            "by_kind": dict(b.by_kind),
            "by_severity": {int(k): n for k, n in b.by_severity.items()},
        }
        for b in measured
    }
