"""`python -m bench export` (issue 17): the CSV export of the book (`worklist.export`), in-process with
django.test.Client on the main data set: the agency admin's whole book (20,000 rows at full scale), the same admin's
enrolled clients only (about 5,000: with the whole book, the queries per 1,000 rows of one user) and the big
assister's whole book (2,000), every byte streamed and counted.

Each export runs inside a transaction that is rolled back after it: the export writes an audit row per client
(20,000 a request), and `audit_auditevent` is append-only, so kept rows would pile up run after run and slow the
pages that read them. The timing stops before the ROLLBACK (so it has the INSERTs, not their COMMIT).

Reported per export: p50 / p95 / max of the time to the last byte, the queries (transaction control apart), the
rows and megabytes sent, the audit rows written, the peak of Python memory allocated during one more request under
`tracemalloc` (not timed: tracing slows it down), the ratio to the baseline (the anonymous home page, timed in the
same rounds), and where the time of one more request goes (its statements by kind). Required: the admin's whole
book within `EXPORT_P95_MS`, the file holding every row of the book, and one audit row per row.
"""

import math
import statistics
import time
import traceback
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from applications.models import ApplicationStatus
from applications.selectors import with_current_application
from associations import selectors as book
from audit.models import Action, AuditEvent

from .measure import TRANSACTION_CONTROL, Target, _signed_in_client, statement_kind, text_table

EXPORT_P95_MS = 5000.0  # the issue: 20,000 rows in under 5 s
# A chunk of 1,000 rows: its next deadlines (for agency staff 4: their membership, their groups, their book's ids, the
# follow-ups), its audit INSERT and full_clean's 2 checks (the actor and the first client exist).
MAX_QUERIES_PER_THOUSAND = 7
ENROLLED = "application_status=enrolled"  # a quarter of the book: the queries per 1,000 rows, for one user
BASELINE_PER_ROUND = 12  # home-page requests per round (each a few ms): a steadier baseline than one


@dataclass
class Export:
    key: str
    label: str
    email: str | None  # None: the baseline, anonymous
    url: str
    expected_rows: int = 0  # the book's size, counted through the selector


@dataclass
class ExportResult:
    export: Export
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    transaction_control: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    sent_bytes: list[int] = field(default_factory=list)
    audited: list[int] = field(default_factory=list)
    peak_bytes: int | None = None
    # One more request with each statement timed: (kind, count, ms) slowest first, and that request's ms.
    breakdown: list[tuple[str, int, float]] = field(default_factory=list)
    breakdown_total_ms: float = 0.0
    error: str | None = None
    http: HttpClient | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.times_ms)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def usual_queries(self) -> int:
        return Counter(self.queries).most_common(1)[0][0]

    @property
    def queries_text(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(self.usual_queries) if low == high else f"{self.usual_queries} ({low}–{high})"

    def as_dict(self) -> dict:
        data = {"key": self.export.key, "label": self.export.label, "url": self.export.url, "error": self.error}
        if self.ok:
            data.update(
                requests=len(self.times_ms),
                p50_ms=round(self.p50, 1),
                p95_ms=round(self.p95, 1),
                max_ms=round(max(self.times_ms), 1),
            )
        if self.ok and self.export.email is not None:
            data.update(
                queries=self.usual_queries,
                transaction_control=max(self.transaction_control),
                rows=max(self.rows),
                bytes=max(self.sent_bytes),
                audited=max(self.audited),
                peak_bytes=self.peak_bytes,
                statements=[{"kind": kind, "count": n, "ms": round(ms, 1)} for kind, n, ms in self.breakdown],
                statements_request_ms=round(self.breakdown_total_ms, 1),
            )
        return data


def plan_exports(info: dict) -> list[Export]:
    """The baseline and the exports, with the size of each book as the selectors count it (what the file must hold):
    the big assister's whole book, the agency admin's enrolled clients only, and the admin's whole book."""
    result = info["result"]
    url = reverse("worklist:export")
    exports = [Export("baseline", "baseline: home page, anonymous", None, "/")]
    for key, label, email, query in (
        ("export_assister", "export: assister's whole book", result["big_assister_email"], ""),
        ("export_agency_enrolled", "export: agency admin, enrolled only", result["big_agency_admin_email"], ENROLLED),
        ("export_agency", "export: agency admin's whole book", result["big_agency_admin_email"], ""),
    ):
        user = User.objects.get(email=email)
        rows = with_current_application(
            book.client_book(user), status=ApplicationStatus.ENROLLED if query else ""
        ).count()
        exports.append(Export(key, f"{label} ({rows:,} rows)", email, f"{url}?{query}" if query else url, rows))
    return exports


def _consume(response) -> tuple[int, int]:
    """Read every byte as a browser would (and drop it): (bytes, lines). The test client closes the response once
    its content is read (without closing the database connection, as a real server's `close()` would)."""
    size = lines = 0
    for part in response.streaming_content:
        size += len(part)
        lines += part.count(b"\n")
    return size, lines


def _once(result: ExportResult, *, record: bool) -> None:
    export, http = result.export, result.http
    connection.queries_log.clear()
    try:
        if export.email is None:
            started = time.perf_counter()
            response = http.get(export.url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                result.error = f"HTTP {response.status_code}"
            elif record:
                result.times_ms.append(elapsed)
            return
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = http.get(export.url)
                if response.status_code != 200 or not response.streaming:
                    result.error = f"HTTP {response.status_code}" + (
                        f" → {response['Location']}" if response.has_header("Location") else ""
                    )
                    transaction.set_rollback(True)
                    return
                size, lines = _consume(response)
                elapsed = (time.perf_counter() - started) * 1000
            audited = AuditEvent.objects.filter(
                action=Action.CLIENT_LIST_VIEWED, request_id=response["X-Request-ID"], details__what="export"
            ).count()
            transaction.set_rollback(True)  # the audit rows go: the data set stays as built (module docstring)
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_exc(limit=-8))
        return
    if record:
        statements = [q["sql"] for q in captured.captured_queries]
        control = sum(1 for sql in statements if TRANSACTION_CONTROL.match(sql))
        result.times_ms.append(elapsed)
        result.queries.append(len(statements) - control)
        result.transaction_control.append(control)
        result.sent_bytes.append(size)
        result.rows.append(lines - 1)  # the header's line
        result.audited.append(audited)


def _peak(result: ExportResult) -> None:
    """One more export under tracemalloc: the most Python memory allocated at once while streaming it."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        with transaction.atomic():
            _consume(result.http.get(result.export.url))
            transaction.set_rollback(True)
        result.peak_bytes = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _time_statements(result: ExportResult) -> None:
    """One more export with every statement timed, grouped by kind (`measure.statement_kind`): where the time goes.
    (The server-side cursor's FETCHes are not statements Django runs: they count with the Python work.)"""
    spent: dict[str, list] = {}

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            # The worklist's follow-ups, one UNION ALL of every kind's rows: each chunk's next deadlines.
            kind = "SELECT follow-ups UNION ALL (next_deadlines)" if " UNION ALL " in sql else statement_kind(sql)
            entry = spent.setdefault(kind, [0, 0.0])
            entry[0] += 1
            entry[1] += (time.perf_counter() - started) * 1000

    with connection.execute_wrapper(timer), transaction.atomic():
        started = time.perf_counter()
        _consume(result.http.get(result.export.url))
        result.breakdown_total_ms = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    result.breakdown = sorted(((kind, n, ms) for kind, (n, ms) in spent.items()), key=lambda item: -item[2])


def format_breakdown(result: ExportResult, top: int = 10) -> list[str]:
    if not result.breakdown:
        return []
    statements = sum(ms for _kind, _n, ms in result.breakdown)
    lines = [
        f"{result.export.label}: one more request, {result.breakdown_total_ms:.0f} ms: statements "
        f"{statements:.0f} ms, the rest {result.breakdown_total_ms - statements:.0f} ms (the book's rows fetched "
        "from the cursor, the CSV, the audit rows built)"
    ]
    lines += [f"  {ms:8.0f} ms  ×{n:<3} {kind}" for kind, n, ms in result.breakdown[:top]]
    return lines


def measure_exports(exports: list[Export], *, repeat: int, warmup: int) -> list[ExportResult]:
    """Warm up, then rounds of one request per export (and `BASELINE_PER_ROUND` of the baseline), then the peaks."""
    results = [ExportResult(export, http=_signed_in_client(export.email)) for export in exports]
    for result in results:
        for _ in range(warmup):
            _once(result, record=False)
    for _round in range(repeat):
        for result in results:
            for _ in range(BASELINE_PER_ROUND if result.export.email is None else 1):
                if result.error is None:
                    _once(result, record=True)
    for result in results:
        if result.export.email is not None and result.ok:
            _peak(result)
            _time_statements(result)
    return results


def _mb(n: int | None) -> str:
    return "—" if n is None else f"{n / 1_000_000:.1f}"


def format_exports(results: list[ExportResult]) -> str:
    baseline = next((r for r in results if r.export.email is None and r.ok), None)
    rows = [
        ("page", "requests", "p50 ms", "p95 ms", "max ms", "queries", "rows", "MB", "peak MB", "p50 ×base", "p95 ×base")
    ]
    for r in results:
        if not r.ok:
            rows.append((r.export.label, *("—",) * 10))
            continue
        exported = r.export.email is not None
        rows.append(
            (
                r.export.label,
                str(len(r.times_ms)),
                f"{r.p50:.1f}",
                f"{r.p95:.1f}",
                f"{max(r.times_ms):.1f}",
                r.queries_text if exported else "—",
                f"{max(r.rows):,}" if exported else "—",
                _mb(max(r.sent_bytes)) if exported else "—",
                _mb(r.peak_bytes) if exported else "—",
                f"{r.p50 / baseline.p50:.1f}" if baseline else "—",
                f"{r.p95 / baseline.p95:.1f}" if baseline else "—",
            )
        )
    return text_table(rows)


def export_targets(results: list[ExportResult]) -> list[Target]:
    """Required: the agency's whole book within EXPORT_P95_MS, every row of each book in its file, an audit row per
    row. Reported: the agency admin's queries per 1,000 rows (between their two exports: the chunks', not the
    rows')."""
    by_key = {r.export.key: r for r in results}
    checks = []
    agency = by_key.get("export_agency")
    if agency and agency.ok:
        checks.append(
            Target(
                agency.p95 <= EXPORT_P95_MS,
                f"{agency.export.label}: p95 {agency.p95:.0f} ms ≤ {EXPORT_P95_MS:.0f} ms",
                required=True,
            )
        )
    else:
        checks.append(Target(None, f"export of the agency's whole book ≤ {EXPORT_P95_MS:.0f} ms: not measured", True))
    for key in ("export_assister", "export_agency_enrolled", "export_agency"):
        r = by_key.get(key)
        if r and r.ok:
            expected = r.export.expected_rows
            checks.append(
                Target(
                    set(r.rows) == {expected} and set(r.audited) == {expected},
                    f"{r.export.label}: every request sent {_spread(r.rows)} rows and wrote {_spread(r.audited)} "
                    f"audit rows = the book's {expected:,}",
                    required=True,
                )
            )
    part = by_key.get("export_agency_enrolled")
    if part and part.ok and agency and agency.ok and agency.export.expected_rows - part.export.expected_rows < 1000:
        checks.append(Target(None, "the agency admin's queries per 1,000 rows: not measured (books under 1,000 apart)"))
    elif part and part.ok and agency and agency.ok:
        per_thousand = (agency.usual_queries - part.usual_queries) / (
            (agency.export.expected_rows - part.export.expected_rows) / 1000
        )
        checks.append(
            Target(
                per_thousand <= MAX_QUERIES_PER_THOUSAND,
                f"the agency admin's queries grow with the chunks, not the rows: {part.usual_queries} for "
                f"{part.export.expected_rows:,} rows, {agency.usual_queries} for {agency.export.expected_rows:,}: "
                f"{per_thousand:.1f} per 1,000 rows ≤ {MAX_QUERIES_PER_THOUSAND}",
            )
        )
    return checks


def _spread(values: list[int]) -> str:
    low, high = min(values), max(values)
    return f"{low:,}" if low == high else f"{low:,}–{high:,}"
