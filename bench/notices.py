"""`python -m bench notices`: how fast a worker renders notices to PDF, and whether its memory stays flat.

Everything goes through the real code path: notices are written by the services the apps use
(`notices.services.notice_for_user`, `clients.notices.notice_for_client`, `notices.services.invoice_create`),
each committed, and rendered by `notices.services.notice_render(notice_id=…)`, the body of the Celery task,
in this process: the START transition, WeasyPrint, the PDF stored under the row's lock with its sha256 and
page count, the FINISH transition and its event. Nothing is sent to a broker: everything runs inside
`notices.services.sending_deferred()`, which leaves the render and email tasks to the sweep (with no broker
configured, Celery would otherwise run them eagerly: render at creation, or email after rendering, inside the
timed call).

The PDFs are stored in a temporary directory (MEDIA_ROOT and the default storage point there while the
bench runs), never in the project's media directory, and the directory is deleted at the end; the notices
and invoices written are deleted too.

What it measures (`measure_notices`):

1. A batch (default 200) in a process that has not rendered yet, the three notices below in turn: wall time,
   notices and pages per second, the first rendering's time (loading the fonts), and the resident set size
   (VmRSS) after every rendering; the peak (VmHWM, reset before the batch where Linux allows it); the
   growth after the first SETTLE renderings. Then, for the machine's throughput, another batch split
   over `processes` forked workers (Celery's prefork pool, Procfile: concurrency 2).
2. Rounds of one rendering of each sample (after warm-up renderings), so whatever else the machine is doing
   falls on every sample alike: the baseline (a trivial one-page PDF with the notices' stylesheet and fonts),
   the HTML alone of the one-page notice, and the three notices.
"""

from __future__ import annotations

import gc
import hashlib
import math
import multiprocessing
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.test import override_settings
from weasyprint import HTML

from accounts.models import Role, User
from clients import services as client_services
from clients.models import Client, ClientKind
from clients.notices import client_addressee, notice_for_client
from core.models import Language
from notices import rendering, services
from notices.fonts import FONT_DIR
from notices.models import Invoice, Notice, NoticeStatus

from .measure import text_table
from .scale import NOTICES_BATCH

# Targets (the issue). Both are required: a miss makes `python -m bench notices` exit 1.
ONE_PAGE_P95_S = 1.0
# "Memory flat across the batch (no growth after the first 20)": the resident set may grow while the first
# SETTLE renderings fill the caches (fonts, templates, translations); after that, at most MEMORY_GROWTH_MIB: the
# highest RSS after any later rendering against the RSS after rendering SETTLE. Measured on the 2-core machine
# (README): +4.0 MiB at 200, a step of about 3 MiB between renderings 20 and 35, then
# about 3.5 KiB a rendering (linear to 1,000: +6.9 MiB). The smallest leak worth catching, a rendering that keeps
# its PDF (70–80 KB), adds 13 MiB over 180 renderings; 8 MiB lies between the two with room on both sides.
SETTLE = 20
MEMORY_GROWTH_MIB = 8.0
BATCH = NOTICES_BATCH
THREE_PAGES = 3

EMAIL_DOMAIN = "notices.bench.assister.example"
# The assisters of record printed under "How to get help" (the shape associations.notices.client_helpers gives).
HELPERS = [
    {
        "name": "Marisol Vázquez Hernández",
        "role": "navigator",
        "agency": "Northside Navigators of Minneapolis",
        "phone": "612-555-0142",
        "email": "marisol.vazquez@navigators.example",
    },
    {
        "name": "Abdirahman Warsame",
        "role": "broker",
        "agency": "Lake Street Insurance Brokers",
        "phone": "612-555-0187",
        "email": "abdirahman@lakestreet.example",
    },
]
INVOICE_LINES = 50
TRIVIAL_HTML = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Bench</title></head>'
    "<body><p>A trivial one-page document.</p></body></html>"
)


@dataclass(frozen=True)
class Fixtures:
    assister: User  # English: gets the one-page notice
    household: Client  # prefers Somali: English letter, its Spanish copy, the taglines
    employer: Client  # a small employer (SHOP): the invoice


# The three notices, in the order the batch takes them.
KINDS = {
    "one_page": "one-page notice (a client chose you, to an assister; English)",
    "three_page": "three-page notice (new assister of record, to a Somali-speaking client)",
    "invoice": f"invoice, {INVOICE_LINES} lines (small employer)",
}


def fixtures() -> Fixtures:
    """The recipients: found by email when an earlier run made them (the bench database keeps them), else made
    (clients through clients.services, audited like any other)."""
    language = {lang.code: lang for lang in Language.objects.filter(code__in=["en", "so"])}
    assister = User.objects.filter(email=f"assister@{EMAIL_DOMAIN}").first() or User.objects.create_user(
        f"assister@{EMAIL_DOMAIN}",
        None,
        role=Role.ASSISTER,
        first_name="Ingrid",
        last_name="Søreide-Lindqvist",
        preferred_language=language["en"],
    )

    def client(email: str, fields: dict, employer: dict | None = None) -> Client:
        found = Client.objects.filter(email=email).first()
        if found is not None:
            return found
        base = {
            "date_of_birth": date(1981, 4, 9),
            "email": email,
            "street": "2927 Cedar Avenue South, Apt 4",
            "city": "Minneapolis",
            "zip_code": "55407",
        }
        with transaction.atomic():
            return client_services.client_create_unclaimed(actor=None, fields={**base, **fields}, employer=employer)

    household = client(
        f"household@{EMAIL_DOMAIN}",
        {"first_name": "Hodan", "last_name": "Abdullahi Farah", "preferred_language": language["so"]},
    )
    employer = client(
        f"employer@{EMAIL_DOMAIN}",
        {
            "kind": ClientKind.EMPLOYER,
            "first_name": "Erik",
            "last_name": "Johansson",
            "preferred_language": language["en"],
        },
        employer={"business_name": "Cedar Avenue Bakery LLC", "fein": "41-1234567", "employee_count": 12},
    )
    return Fixtures(assister, household, employer)


def create_notice(key: str, fx: Fixtures, n: int) -> int:
    """One committed notice of kind `key` through the services; its id. Queued: the broker message is recorded."""
    with transaction.atomic():
        if key == "one_page":
            notice = services.notice_for_user(
                kind="assister_client_started", user=fx.assister, body={"client_name": f"Ana Amador {n}"}
            )
        elif key == "three_page":
            # What associations.notices.association_notices writes for a new assister of record.
            body = {
                "assister_name": HELPERS[0]["name"],
                "agency": HELPERS[0]["agency"],
                "role": HELPERS[0]["role"],
                "client_name": fx.household.full_name,
            }
            notice = notice_for_client(kind="association_started", client=fx.household, body=body, helpers=HELPERS)
        elif key == "invoice":
            lines = [
                (f"Employee {k + 1:02d}: Silver PPO 3000, January 2027 premium", Decimal("412.37") + k)
                for k in range(INVOICE_LINES)
            ]
            notice = services.invoice_create(
                client=fx.employer,
                addressee=client_addressee(fx.employer),
                period_start=date(2027, 1, 1),
                period_end=date(2027, 1, 31),
                lines=lines,
                due_date=date(2026, 12, 20),
                helpers=HELPERS,
            ).notice
        else:
            raise ValueError(key)
    return notice.pk


class RenderError(Exception):
    pass


def render(notice_id: int) -> tuple[float, int]:
    """Render one queued notice the way the task does; its seconds and page count."""
    started = time.perf_counter()
    notice = services.notice_render(notice_id=notice_id)
    elapsed = time.perf_counter() - started
    if notice is None or notice.status != NoticeStatus.READY:
        raise RenderError(f"notice {notice_id} is {getattr(notice, 'status', 'gone')}: {notice and notice.last_error}")
    return elapsed, notice.pages


def trivial_pdf() -> int:
    """The baseline: a one-page PDF through the same renderer (font configuration, stylesheet, PDF/UA-1)."""
    fonts, stylesheet = rendering._renderer()
    document = HTML(string=TRIVIAL_HTML, base_url=str(FONT_DIR), url_fetcher=rendering.ShippedFilesOnly()).render(
        stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1"
    )
    document.write_pdf(pdf_variant="pdf/ua-1")
    return len(document.pages)


# --- Memory ---------------------------------------------------------------------------------------------


def _status_kib(field_name: str) -> int | None:
    """A field of /proc/self/status in KiB (Linux), or None."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_kib() -> int | None:
    return _status_kib("VmRSS")


def peak_kib() -> int | None:
    """The resident set's high-water mark (VmHWM), or ru_maxrss where there is no /proc."""
    peak = _status_kib("VmHWM")
    if peak is None:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux: write 5 to /proc/self/clear_refs); whether it could."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


# --- Results --------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest rank, as bench/measure.py."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Sample:
    key: str
    label: str
    times: list[float] = field(default_factory=list)  # seconds
    pages: list[int] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)

    @property
    def max(self) -> float:
        return max(self.times)

    @property
    def pages_text(self) -> str:
        if not self.pages:
            return "—"
        counts = Counter(self.pages)
        return str(counts.most_common(1)[0][0]) if len(counts) == 1 else "/".join(map(str, sorted(counts)))

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "n": len(self.times),
            "pages": sorted(set(self.pages)),
            "p50_s": round(self.p50, 4),
            "p95_s": round(self.p95, 4),
            "max_s": round(self.max, 4),
        }


@dataclass
class Batch:
    processes: int
    notices: int = 0
    pages: int = 0
    seconds: float = 0.0
    times: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)  # after each rendering (one process only)
    rss_before_kib: int | None = None
    peak_kib: int | None = None  # VmHWM: the highest of any worker, during the batch when reset_peak worked
    peak_reset: bool = False
    settle: int = SETTLE

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds

    @property
    def notices_per_second(self) -> float:
        return self.notices / self.seconds

    def rss_after(self, n: int) -> int | None:
        return self.rss_kib[n - 1] if 0 < n <= len(self.rss_kib) else None

    @property
    def growth_kib(self) -> int | None:
        """The highest RSS after any rendering past the first `settle`, less the RSS after rendering `settle`."""
        if len(self.rss_kib) <= self.settle or self.settle < 1:
            return None
        return max(self.rss_kib[self.settle :]) - self.rss_kib[self.settle - 1]

    @property
    def slope_kib(self) -> float | None:
        """KiB per rendering after the first `settle` (least squares): a leak shows as a steady slope."""
        tail = self.rss_kib[self.settle - 1 :] if self.settle >= 1 else self.rss_kib
        if len(tail) < 3 or len(set(tail)) < 2:
            return 0.0 if len(tail) >= 3 else None
        return statistics.linear_regression(range(len(tail)), tail).slope

    def as_dict(self) -> dict:
        data = {
            "processes": self.processes,
            "notices": self.notices,
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
            "pages_per_second": round(self.pages_per_second, 3),
            "notices_per_second": round(self.notices_per_second, 3),
            "peak_rss_kib": self.peak_kib,
        }
        if self.rss_kib:
            data.update(
                first_render_s=round(self.times[0], 4),
                rss_before_kib=self.rss_before_kib,
                rss_after_kib={n: self.rss_after(n) for n in (1, self.settle, len(self.rss_kib))},
                settle=self.settle,
                growth_after_settle_kib=self.growth_kib,
                slope_kib_per_render=self.slope_kib and round(self.slope_kib, 2),
                rss_kib=self.rss_kib,
            )
        return data


@dataclass
class Results:
    media_root: str
    batch: Batch
    parallel: Batch | None
    samples: list[Sample]
    problems: list[str]
    notice_ids: list[int] = field(default_factory=list)

    def sample(self, key: str) -> Sample:
        return next(s for s in self.samples if s.key == key)


@dataclass
class Target:
    passed: bool | None  # None: not measured
    text: str
    required: bool = True


def targets(results: Results) -> list[Target]:
    one = results.sample("one_page")
    checks = [
        Target(
            one.p95 <= ONE_PAGE_P95_S,
            f"{one.label}: p95 {one.p95:.3f} s ≤ {ONE_PAGE_P95_S:.0f} s",
        )
    ]
    batch = results.batch
    growth = batch.growth_kib
    if growth is None:
        checks.append(
            Target(None, f"memory flat: needs a batch of more than {batch.settle} renderings, not {batch.notices}")
        )
    else:
        after = batch.rss_after(batch.settle)
        checks.append(
            Target(
                growth / 1024 <= MEMORY_GROWTH_MIB,
                f"memory flat after the first {batch.settle} renderings: RSS after rendering {batch.settle} "
                f"{after / 1024:.1f} MiB, highest after renderings {batch.settle + 1}–{len(batch.rss_kib)} "
                f"{max(batch.rss_kib[batch.settle :]) / 1024:.1f} MiB: growth {growth / 1024:.1f} MiB ≤ "
                f"{MEMORY_GROWTH_MIB:.0f} MiB",
            )
        )
    return checks


# --- Running it -----------------------------------------------------------------------------------------


@contextmanager
def temporary_media():
    """MEDIA_ROOT and the default storage in a new temporary directory, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-notices-") as folder:
        storages = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": folder, "file_permissions_mode": 0o600},
            },
        }
        with override_settings(MEDIA_ROOT=folder, STORAGES=storages):
            yield Path(folder)


def _batch_keys(size: int) -> list[str]:
    order = list(KINDS)
    return [order[k % len(order)] for k in range(size)]


def _render_batch(ids: list[int], batch: Batch, *, sample_memory: bool) -> None:
    if sample_memory:
        gc.collect()
        batch.peak_reset = reset_peak()
        batch.rss_before_kib = rss_kib()
    started = time.perf_counter()
    for notice_id in ids:
        seconds, pages = render(notice_id)
        batch.times.append(seconds)
        batch.pages += pages
        batch.notices += 1
        rss = rss_kib() if sample_memory else None
        if rss is not None:  # none without /proc: the memory target is then not measured
            batch.rss_kib.append(rss)
    batch.seconds = time.perf_counter() - started
    batch.peak_kib = peak_kib()


def _worker(ids: list[int], conn) -> None:
    """A forked worker: render its share, send back (notices, pages, times, peak KiB) or the error."""
    try:
        batch = Batch(processes=1)
        reset_peak()
        _render_batch(ids, batch, sample_memory=False)
        conn.send(("ok", batch.notices, batch.pages, batch.times, peak_kib()))
    except Exception as exc:  # reported by the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connections.close_all()
        conn.close()


def _render_parallel(ids: list[int], processes: int) -> Batch:
    """Render `ids` in `processes` forked workers (as Celery's prefork pool forks its children from the loaded
    app), each its share in turn; the wall time from the first fork to the last exit."""
    context = multiprocessing.get_context("fork")
    connections.close_all()  # every worker opens its own connection
    shares = [ids[k::processes] for k in range(processes)]
    batch = Batch(processes=processes)
    started = time.perf_counter()
    workers = []
    for share in shares:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_worker, args=(share, send))
        process.start()
        send.close()
        workers.append((process, receive))
    errors = []
    peaks = []
    for process, receive in workers:
        try:
            answer = receive.recv()
        except EOFError:
            answer = ("error", "the worker died")
        process.join()
        if answer[0] == "ok":
            _ok, notices, pages, times, peak = answer
            batch.notices += notices
            batch.pages += pages
            batch.times += times
            peaks.append(peak)
        else:
            errors.append(answer[1])
    batch.seconds = time.perf_counter() - started
    batch.peak_kib = max(peaks) if peaks else None
    if errors:
        raise RenderError("; ".join(errors))
    return batch


def measure_notices(
    *,
    batch: int = BATCH,
    repeat: int = 60,
    warmup: int = 3,
    processes: int = 2,
    settle: int = SETTLE,
    log: Callable[[str], None] = print,
) -> Results:
    """Create the notices, render the batch (and the parallel batch), then time the samples in rounds.

    The notices and invoices written are deleted at the end, and their PDFs with the temporary directory.
    """
    fx = fixtures()
    ids: list[int] = []
    problems: list[str] = []
    with temporary_media() as media, services.sending_deferred():
        try:
            log(f"  PDFs stored in {media} (a temporary directory, deleted at the end)")
            started = time.perf_counter()
            batch_ids = [create_notice(key, fx, n) for n, key in enumerate(_batch_keys(batch))]
            parallel_ids = (
                [create_notice(key, fx, n) for n, key in enumerate(_batch_keys(batch))] if processes > 1 else []
            )
            timed_ids = {key: [create_notice(key, fx, n) for n in range(warmup + repeat)] for key in KINDS}
            ids = batch_ids + parallel_ids + [i for key in KINDS for i in timed_ids[key]]
            log(f"  {len(ids)} notices written through the services in {time.perf_counter() - started:.1f} s")

            log(f"  batch of {batch} ({', '.join(KINDS)} in turn) in this process, which has not rendered yet…")
            single = Batch(processes=1, settle=settle)
            _render_batch(batch_ids, single, sample_memory=True)
            stored = Notice.objects.get(pk=batch_ids[0]).pdf
            if not Path(stored.path).resolve().is_relative_to(media.resolve()):
                problems.append(f"the PDF was stored at {stored.path}, outside the temporary directory {media}")
            parallel = None
            if processes > 1:
                log(f"  batch of {batch} split over {processes} forked workers…")
                parallel = _render_parallel(parallel_ids, processes)

            log(f"  {warmup} warm-up and {repeat} timed renderings of each sample, in rounds…")
            samples = [
                Sample("baseline", "baseline: trivial one-page PDF (notice fonts and stylesheet)"),
                Sample("html", "HTML only: document_html of the one-page notice"),
                *(Sample(key, label) for key, label in KINDS.items()),
            ]
            html_notice = Notice.objects.get(pk=timed_ids["one_page"][0])
            for k in range(warmup + repeat):
                timed = k >= warmup
                for sample in samples:
                    if sample.key == "baseline":
                        started = time.perf_counter()
                        pages = trivial_pdf()
                        seconds = time.perf_counter() - started
                    elif sample.key == "html":
                        started = time.perf_counter()
                        rendering.document_html(html_notice)
                        seconds, pages = time.perf_counter() - started, None
                    else:
                        seconds, pages = render(timed_ids[sample.key][k])
                    if timed:
                        sample.times.append(seconds)
                        if pages is not None:
                            sample.pages.append(pages)
            results = Results(str(media), single, parallel, samples, problems, ids)
            problems += page_problems(results)
            invoice = Invoice.objects.get(notice_id=timed_ids["invoice"][-1])
            if len(invoice.lines) != INVOICE_LINES:
                problems.append(f"the invoice has {len(invoice.lines)} lines, not {INVOICE_LINES}")
            problems += delivery_problems(ids)
            return results
        finally:
            delete_notices(ids)


def page_problems(results: Results) -> list[str]:
    problems = []
    one, three = results.sample("one_page"), results.sample("three_page")
    # Every PDF ends with the taglines (most of a page): the shortest notice is a one-page letter and one more page.
    if set(one.pages) != {2}:
        problems.append(f"the one-page notice has {one.pages_text} pages, not 2 (its letter and the taglines)")
    if set(three.pages) != {THREE_PAGES}:
        problems.append(f"the three-page notice has {three.pages_text} pages, not {THREE_PAGES}")
    return problems


def delivery_problems(ids: list[int]) -> list[str]:
    """Every notice written is ready with its PDF, rendered once, and its email left to the sweep."""
    problems = []
    unready = Notice.objects.filter(pk__in=ids).exclude(status=NoticeStatus.READY).count()
    if unready:
        problems.append(f"{unready} of the {len(ids)} notices are not ready")
    twice = Notice.objects.filter(pk__in=ids).exclude(attempts=1).count()
    if twice:
        problems.append(f"{twice} notices were rendered more than once")
    emailed = Notice.objects.filter(pk__in=ids, emailed_at__isnull=False).count()
    if emailed:
        problems.append(f"{emailed} notices were emailed inside the bench")
    notice = Notice.objects.get(pk=ids[0])
    with notice.pdf.open("rb") as fh:
        if hashlib.sha256(fh.read()).hexdigest() != notice.sha256:
            problems.append(f"the stored PDF of notice {notice.pk} does not match its sha256")
    return problems


def delete_notices(ids: list[int]) -> None:
    """The bench's notices and their invoices (events go with the notices)."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        Invoice.objects.filter(notice_id__in=chunk).delete()
        Notice.objects.filter(pk__in=chunk).delete()


def delete_leftovers() -> int:
    """Notices an interrupted run left in the bench's own database (never called on another database)."""
    Invoice.objects.all().delete()
    count, _ = Notice.objects.all().delete()
    return count


# --- Printing -------------------------------------------------------------------------------------------


def _mib(kib: int | None) -> str:
    return "—" if kib is None else f"{kib / 1024:.1f} MiB"


def format_batch(batch: Batch) -> list[str]:
    where = "1 process" if batch.processes == 1 else f"{batch.processes} processes"
    lines = [
        f"batch, {where}: {batch.notices} notices, {batch.pages} pages in {batch.seconds:.1f} s: "
        f"{batch.pages_per_second:.2f} pages/s, {batch.notices_per_second:.2f} notices/s "
        f"(mean {batch.seconds / batch.notices:.3f} s a notice)"
    ]
    if batch.rss_kib:
        n = len(batch.rss_kib)
        lines.append(
            f"  first rendering {batch.times[0]:.3f} s (fonts loaded); p50 {statistics.median(batch.times):.3f} s, "
            f"p95 {percentile(batch.times, 95):.3f} s"
        )
        lines.append(
            f"  RSS before {_mib(batch.rss_before_kib)}, after rendering 1 {_mib(batch.rss_after(1))}, "
            f"{batch.settle} {_mib(batch.rss_after(batch.settle))}, {n} {_mib(batch.rss_after(n))}; "
            f"peak {_mib(batch.peak_kib)} (VmHWM{' during the batch' if batch.peak_reset else ', whole process'})"
        )
        growth = batch.growth_kib
        if growth is not None:
            end = batch.rss_after(n) - batch.rss_after(batch.settle)
            lines.append(
                f"  growth after the first {batch.settle}: highest {growth / 1024:+.1f} MiB, at the end "
                f"{end / 1024:+.1f} MiB; trend {batch.slope_kib:+.1f} KiB a rendering"
            )
    else:
        lines.append(
            f"  peak RSS of the biggest worker {_mib(batch.peak_kib)} (VmHWM; what it shares with the parent counts once touched)"
        )
    return lines


def format_table(samples: list[Sample]) -> str:
    baseline = next(s for s in samples if s.key == "baseline")
    header = ("sample", "n", "pages", "p50 s", "p95 s", "max s", "p50 ×base", "p95 ×base")
    rows = [header]
    for s in samples:
        rows.append(
            (
                s.label,
                str(len(s.times)),
                s.pages_text,
                f"{s.p50:.3f}",
                f"{s.p95:.3f}",
                f"{s.max:.3f}",
                f"{s.p50 / baseline.p50:.1f}",
                f"{s.p95 / baseline.p95:.1f}",
            )
        )
    return text_table(rows)
