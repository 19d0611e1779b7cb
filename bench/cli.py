"""`python -m bench` (what `make bench` runs): own database, migrate, build once, time the pages.

Exit status: 0 when every page answered as expected (200; the selection POST 302) and the
required targets (the public directory's) are met, whether the other targets pass or not
(those are a report, the plan list's and the worklist's included); 1 when a page errored, the guardian rows are
inconsistent, the directory does not list what was built, the household that chooses a plan
is not determined with no plan, a measured book has no worklist items or a worklist page does not say the number
of items its selector counts (bench/worklist_pages.py), or a required target is missed; 2 on bad usage.

The run sets open enrollment for 2027 coverage around its date in its settings
(`_open_enrollment_for_the_run`): the selection it times is allowed only in an enrollment period.

`python -m bench notices` (`notices_main`): notice rendering to PDF, in a small database of its own
(bench/notices.py). Exit status: 0 when every notice rendered with the expected page count and both
required targets are met (one-page p95 ≤ 1 s, memory flat after the first 20); 1 otherwise; 2 on bad usage.

`python -m bench documents` (`documents_main`): verification documents (issue 14), in a database of its own
(bench/documents.py): the upload pipeline's time per file with and without clamd, and the staff queue at 10,000
submitted requests. Exit status: 0 when every page answered 200 and every check held (each upload stored and scanned
as expected, the queue listing every request built); 1 otherwise (clamd missing included); 2 on bad usage. It has no
targets: the numbers are a report.

`python -m bench export` (`export_main`): the CSV export of the book (issue 17) on the main data set, each export
rolled back (bench/export.py). Exit status: 0 when every export answered with the whole book and an audit row per
row, and the agency admin's 20,000 rows streamed within 5 s (p95); 1 otherwise; 2 on bad usage.
"""

import argparse
import gc
import json
import os
import platform
import sys
import time
import warnings
from dataclasses import asdict
from urllib.parse import urlsplit, urlunsplit

from . import database
from .scale import BUILD_VERSION, DOCUMENTS_BUILD_VERSION, DOCUMENTS_QUEUE, NOTICES_BATCH, Scale


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Build the benchmark data set in its own database (once) and time the key pages.",
        epilog="python -m bench notices --help: the notice rendering (PDF) benchmark, in a small database of its own. "
        "python -m bench documents --help: verification documents (the upload pipeline and the staff queue). "
        "python -m bench export --help: the CSV export of the book.",
    )
    parser.add_argument("--rebuild", action="store_true", help="drop the bench database and build it again")
    parser.add_argument("--repeat", type=int, default=60, help="timed requests per page (default 60)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first (default 5)")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="size of the data set relative to the full one (0.1 for a quick look); a change rebuilds",
    )
    parser.add_argument("--build-only", action="store_true", help="build (or reuse) the data set, time nothing")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="after timing, list each page's queries with their times and EXPLAIN ANALYZE the slowest",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.scale <= 0:
        parser.error("--repeat must be at least 1, --warmup at least 0, --scale above 0")
    return args


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)


def _configure_django(url: str) -> None:
    """Point Django at the bench database before settings load; production-like flags, in-process tasks."""
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"
    os.environ["HTTPS"] = "0"  # plain HTTP in-process: no redirect to https
    os.environ["CELERY_BROKER_URL"] = ""  # nothing leaves the process
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
    if "testserver" not in hosts:
        hosts.append("testserver")  # django.test.Client's host
    os.environ["ALLOWED_HOSTS"] = ",".join(hosts)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assister_portal.settings")


def _setup_django() -> None:
    import django

    django.setup()
    from django.conf import settings

    # Static URLs from the finders, as in the test suite: the manifest storage needs collectstatic first,
    # and the page timings do not depend on which of the two computes a /static/ URL.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")


def _open_enrollment_for_the_run() -> None:
    """Open enrollment for 2027 coverage around the run's date (before its cut-off), in this process's settings: a
    plan may be chosen only in an enrollment period (applications.periods), and the harness times a selection."""
    from django.conf import settings
    from django.utils import timezone

    from .book_applications import COVERAGE_YEAR
    from .measure import open_enrollment_around

    settings.OPEN_ENROLLMENT_PERIODS = {
        **settings.OPEN_ENROLLMENT_PERIODS,
        COVERAGE_YEAR: open_enrollment_around(timezone.localdate()),
    }


def _migrate() -> list[str]:
    """Apply migrations; returns the ones that were new."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = [
        f"{m.app_label}.{m.name}" for m, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes())
    ]
    call_command("migrate", interactive=False, verbosity=0)
    return pending


def _build(scale: Scale) -> dict:
    from django.db import connection, transaction

    from .build import build, build_info, vacuum_analyze

    print(
        f"building the data set ({scale.clients:,} clients, {scale.associations:,} associations, "
        f"{scale.directory_listings:,} directory listings)…",
        flush=True,
    )
    started = time.perf_counter()
    with transaction.atomic():
        result = build(scale, log=lambda msg: print(msg, flush=True))
        info = build_info(scale, result)
        with connection.cursor() as cursor:
            database.write_marker(cursor, info)
    committed = time.perf_counter() - started
    print(f"  committed (deferred foreign-key checks) at {committed:.1f} s; VACUUM ANALYZE…", flush=True)
    vacuum_analyze()
    total = time.perf_counter() - started
    info["result"]["total_seconds"] = round(total, 1)
    with connection.cursor() as cursor:
        database.write_marker(cursor, info)
    print(
        f"built in {total:.1f} s (rows {result.seconds:.1f} s, commit {committed - result.seconds:.1f} s, "
        f"vacuum analyze {total - committed:.1f} s)"
    )
    return info


def _load() -> str:
    try:
        return "/".join(f"{n:.2f}" for n in os.getloadavg())
    except OSError:
        return "unknown"


def _environment() -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, PostgreSQL {pg}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )


def _bench_database(url: str, wanted: dict, *, rebuild: bool, what: str) -> dict | None:
    """Create the bench database when missing (dropped first with --rebuild); its marker, or None when the data there
    was built by another version or scale (then the database is dropped, to be built again)."""
    print(f"bench database: {_redacted(url)}")
    database.create_database(url, drop_first=rebuild)
    marker = database.read_marker(url)
    if marker is not None and {k: marker.get(k) for k in wanted} != wanted:
        print(f"{what} there was built by another version or scale: dropping it and building again")
        database.create_database(url, drop_first=True)
        marker = None
    return marker


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["notices"]:
        return notices_main(argv[1:])
    if argv[:1] == ["documents"]:
        return documents_main(argv[1:])
    if argv[:1] == ["export"]:
        return export_main(argv[1:])
    args = parse_args(argv)
    scale = Scale() if args.scale == 1 else Scale().scaled(args.scale)
    wanted = {"build_version": BUILD_VERSION, "scale": asdict(scale)}
    url = database.bench_database_url(os.environ.get("DATABASE_URL"))
    marker = _bench_database(url, wanted, rebuild=args.rebuild, what="the data set")

    _configure_django(url)
    _setup_django()
    _open_enrollment_for_the_run()
    new_migrations = _migrate()
    if marker is None:
        marker = _build(scale)
    else:
        result = marker["result"]
        print(
            f"reusing the data set ({result['counts']['clients']:,} clients, "
            f"{result['counts']['associations']:,} associations; built in "
            f"{result.get('total_seconds', result['seconds'])} s); --rebuild to build it again"
        )
        if new_migrations:
            print(
                f"  note: migrations applied since it was built: {', '.join(new_migrations)}; "
                "if they change what the pages read, run with --rebuild"
            )
    if args.build_only:
        return 0
    return run_measurements(marker, repeat=args.repeat, warmup=args.warmup, json_path=args.json, explain=args.explain)


def run_measurements(marker: dict, *, repeat: int, warmup: int, json_path: str | None, explain: bool = False) -> int:
    from . import worklist_pages as worklist_timing
    from .measure import (
        directory_problems,
        explain_slowest,
        format_table,
        plan_pages,
        shopping_problems,
        shopping_report,
        targets,
        time_pages,
    )

    print(_environment())
    print("checking the guardian rows of the measured clients…", flush=True)
    pages, differences = plan_pages(marker)
    if differences:
        print(f"guardian rows: {len(differences)} differences from expected_rows, first ones:")
        for line in differences[:20]:
            print(f"  {line}")
        return 1
    print("guardian rows: consistent")
    print("checking the directory's listings…", flush=True)
    problems = directory_problems(marker)
    if problems:
        for line in problems:
            print(f"directory: {line}")
        return 1
    print("directory: every listing built is listed")
    print("checking the household that chooses a plan…", flush=True)
    problems = shopping_problems(marker)
    if problems:
        for line in problems:
            print(f"plan list: {line}")
        return 1
    print("plan list: the household is determined, with no plan chosen")
    print("counting the worklist's items (issue 17)…", flush=True)
    worklist, worklist_pages, problems = worklist_timing.prepare(marker)
    if problems:
        for line in problems:
            print(f"worklist: {line}")
        return 1
    pages += worklist_pages

    print(
        f"timing {len(pages)} pages: {warmup} warm-up requests each, then {repeat} rounds of one request per page; "
        f"load average {_load()} before",  # 1/5/15-minute run-queue averages: others' work competes
        flush=True,
    )
    gc.collect()
    started = time.perf_counter()
    load_before = _load()
    results = time_pages(pages, repeat=repeat, warmup=warmup)
    load_after = _load()
    print(f"timed in {time.perf_counter() - started:.1f} s; load average {load_after} after")
    print()
    print(format_table(results))
    report = shopping_report(results)
    if report:
        print("\nqueries of the plan pages (a request that made the usual number):")
        for line in report:
            print(f"  {line}")
    worklist_problems = worklist_timing.after_timing(worklist, results)
    baseline = results[0]
    if baseline.ok and max(baseline.queries) == 0:
        print("\nbaseline makes no queries (checked on every request)")
    elif baseline.ok:
        print(f"\nbaseline is not query-free: {baseline.usual_queries} queries:")
        for statement in baseline.sample_sql:
            print(f"  {statement}")
    checks = targets(results) + worklist_timing.worklist_targets({r.page.key: r for r in results})
    print("\ntargets (required: a miss fails the run):")
    for t in checks:
        state = "PASS" if t.passed else "FAIL" if t.passed is False else "n/a "
        print(f"  {state}  {t.text}{'  [required]' if t.required else ''}")

    if explain:
        for r in results:
            if r.ok:
                print()
                print(explain_slowest(r, r.http))

    failures = [r for r in results if not r.ok]
    for r in failures:
        print(f"\nERROR {r.page.label} GET {r.page.url}: {r.error}")
    for line in worklist_problems:
        print(f"\nERROR worklist: {line}")
    if json_path:
        with open(json_path, "w") as fh:
            json.dump(
                {
                    "environment": _environment(),
                    "load_average": {"before": load_before, "after": load_after},
                    "data_set": marker["result"]["counts"],
                    "worklist": worklist_timing.as_json(worklist),
                    "repeat": repeat,
                    "warmup": warmup,
                    "pages": [r.as_dict() for r in results],
                    "targets": [{"passed": t.passed, "text": t.text, "required": t.required} for t in checks],
                },
                fh,
                indent=2,
            )
        print(f"\nresults written to {json_path}")
    missed = [t for t in checks if t.required and not t.passed]
    if missed:
        print("\nFAILED: required targets missed:")
        for t in missed:
            print(f"  {'FAIL' if t.passed is False else 'n/a '}  {t.text}")
    return 1 if failures or missed or worklist_problems else 0


# --- python -m bench notices -------------------------------------------------------------------------------


def parse_notices_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench notices",
        description=(
            "Render notices to PDF through the services, in-process, in a small database of its own: p50/p95 "
            "of a one-page notice, a three-page notice and a 50-line invoice; pages per second and the "
            "worker's memory over a batch."
        ),
    )
    parser.add_argument(
        "--batch", type=int, default=NOTICES_BATCH, help=f"notices in the batch (default {NOTICES_BATCH})"
    )
    parser.add_argument("--repeat", type=int, default=60, help="timed renderings of each notice (default 60)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed renderings of each first (default 3)")
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="forked workers for a second batch, the machine's throughput (default 2, as the Procfile's "
        "worker; 1: no second batch)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    args = parser.parse_args(argv)
    if args.batch < 1 or args.repeat < 1 or args.warmup < 0 or args.processes < 1:
        parser.error("--batch, --repeat and --processes must be at least 1, --warmup at least 0")
    return args


def notices_main(argv: list[str] | None = None) -> int:
    args = parse_notices_args(argv)
    url = database.bench_database_url(os.environ.get("DATABASE_URL"), database.NOTICES_DB_NAME)
    print(f"bench database: {_redacted(url)}")
    database.create_database(url)
    _configure_django(url)
    _setup_django()
    _migrate()

    from . import notices

    print(_environment())
    left = notices.delete_leftovers()
    if left:
        print(f"deleted {left} notices an interrupted run left")
    load_before = _load()
    print(f"load average {load_before} before", flush=True)
    try:
        results = notices.measure_notices(
            batch=args.batch,
            repeat=args.repeat,
            warmup=args.warmup,
            processes=args.processes,
            log=lambda line: print(line, flush=True),
        )
    except notices.RenderError as exc:
        print(f"\nERROR a notice did not render: {exc}")
        return 1
    load_after = _load()
    print(f"load average {load_after} after")
    print()
    for line in notices.format_batch(results.batch):
        print(line)
    if results.parallel is not None:
        for line in notices.format_batch(results.parallel):
            print(line)
        print(f"  ×{results.parallel.pages_per_second / results.batch.pages_per_second:.2f} the pages/s of one process")
    print()
    print(notices.format_table(results.samples))
    checks = notices.targets(results)
    print("\ntargets (required: a miss fails the run):")
    for t in checks:
        state = "PASS" if t.passed else "FAIL" if t.passed is False else "n/a "
        print(f"  {state}  {t.text}{'  [required]' if t.required else ''}")
    for line in results.problems:
        print(f"\nERROR {line}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "environment": _environment(),
                    "load_average": {"before": load_before, "after": load_after},
                    "batch": results.batch.as_dict(),
                    "parallel": results.parallel.as_dict() if results.parallel else None,
                    "samples": [s.as_dict() for s in results.samples],
                    "targets": [{"passed": t.passed, "text": t.text, "required": t.required} for t in checks],
                    "problems": results.problems,
                },
                fh,
                indent=2,
            )
        print(f"\nresults written to {args.json}")
    missed = [t for t in checks if t.required and not t.passed]
    if missed:
        print("\nFAILED: required targets missed:")
        for t in missed:
            print(f"  {'FAIL' if t.passed is False else 'n/a '}  {t.text}")
    return 1 if missed or results.problems else 0


# --- python -m bench documents -----------------------------------------------------------------------------


def parse_documents_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench documents",
        description=(
            "Verification documents (issue 14), in a database of its own: the upload pipeline's p50/p95 per file "
            "(a 1 MB JPEG and a 5-page PDF; sanitize, store, scan) with and without clamd, and the staff queue "
            f"(the admin changelist) at {DOCUMENTS_QUEUE:,} submitted requests with documents."
        ),
    )
    parser.add_argument("--rebuild", action="store_true", help="drop the documents database and build it again")
    parser.add_argument("--repeat", type=int, default=30, help="timed uploads of each file and requests per page (30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed ones first (default 3)")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help=f"size of the queue relative to {DOCUMENTS_QUEUE:,} requests (0.1: 1,000); a change rebuilds",
    )
    parser.add_argument("--clamd", metavar="ADDRESS", help="scan with this clamd (tcp://HOST:PORT) instead of our own")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument(
        "--explain", action="store_true", help="after timing, EXPLAIN ANALYZE the queue's slowest query"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.scale <= 0:
        parser.error("--repeat must be at least 1, --warmup at least 0, --scale above 0")
    return args


def documents_queue_size(scale: float) -> int:
    return max(12, round(DOCUMENTS_QUEUE * scale))


def documents_main(argv: list[str] | None = None) -> int:
    args = parse_documents_args(argv)
    requests = documents_queue_size(args.scale)
    wanted = {"build_version": DOCUMENTS_BUILD_VERSION, "requests": requests}
    url = database.bench_database_url(os.environ.get("DATABASE_URL"), database.DOCUMENTS_DB_NAME)
    marker = _bench_database(url, wanted, rebuild=args.rebuild, what="the queue")
    _configure_django(url)
    _setup_django()
    _migrate()

    from django.db import connection, transaction

    from . import documents

    if marker is None:
        print(f"building the staff queue ({requests:,} submitted requests with documents)…", flush=True)
        started = time.perf_counter()
        with transaction.atomic():
            info = documents.build_queue(requests, log=lambda line: print(line, flush=True))
            marker = {**wanted, "result": info}
            with connection.cursor() as cursor:
                database.write_marker(cursor, marker)
        documents.vacuum_analyze()
        print(f"built in {time.perf_counter() - started:.1f} s (with the commit and VACUUM ANALYZE)")
    else:
        print(f"reusing the staff queue ({marker['result']['requests']:,} requests); --rebuild to build it again")

    print(_environment())
    load_before = _load()
    print(f"load average {load_before} before", flush=True)
    gc.collect()
    try:
        results = documents.measure_documents(
            marker["result"],
            repeat=args.repeat,
            warmup=args.warmup,
            clamd_address=args.clamd,
            log=lambda line: print(line, flush=True),
        )
    except documents.ClamdMissing as exc:
        print(f"\nERROR no virus scanner to measure with: {exc}")
        return 1
    load_after = _load()
    print(f"load average {load_after} after")
    print("\nupload pipeline, ms per file (sanitize_upload, then document_upload: store, commit, scan):")
    print(documents.format_pipeline(results.samples))
    for line in documents.scan_costs(results.samples):
        print(f"  {line}")
    print("\nstaff queue (the admin changelist), signed in as a document reviewer:")
    for line in documents.format_queue(results.pages):
        print(line)
    if args.explain:
        from .measure import explain_slowest

        for r in results.pages:
            if r.ok and r.page.key.startswith("queue"):
                print()
                print(explain_slowest(r, r.http))
    failures = [r for r in results.pages if not r.ok]
    for r in failures:
        print(f"\nERROR {r.page.label} GET {r.page.url}: {r.error}")
    for line in results.problems:
        print(f"\nERROR {line}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "environment": _environment(),
                    "load_average": {"before": load_before, "after": load_after},
                    "queue": marker["result"],
                    "repeat": args.repeat,
                    "warmup": args.warmup,
                    "pipeline": [s.as_dict() for s in results.samples],
                    "pages": [r.as_dict() for r in results.pages],
                    "problems": results.problems,
                },
                fh,
                indent=2,
            )
        print(f"\nresults written to {args.json}")
    return 1 if failures or results.problems else 0


# --- python -m bench export ---------------------------------------------------------------------------------


def parse_export_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench export",
        description=(
            "The CSV export of the book (issue 17) on the main data set (built or reused as `python -m bench` does): "
            "the time to stream every byte of the agency admin's whole book (20,000 rows), its queries and peak "
            "memory (tracemalloc), against the anonymous home page. Each export is rolled back (its audit rows)."
        ),
    )
    parser.add_argument("--rebuild", action="store_true", help="drop the bench database and build it again")
    parser.add_argument("--repeat", type=int, default=5, help="timed exports of each book (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed exports of each book first (default 1)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="size of the data set, as for `python -m bench` (a change rebuilds)"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.scale <= 0:
        parser.error("--repeat must be at least 1, --warmup at least 0, --scale above 0")
    return args


def export_main(argv: list[str] | None = None) -> int:
    args = parse_export_args(argv)
    scale = Scale() if args.scale == 1 else Scale().scaled(args.scale)
    wanted = {"build_version": BUILD_VERSION, "scale": asdict(scale)}
    url = database.bench_database_url(os.environ.get("DATABASE_URL"))
    marker = _bench_database(url, wanted, rebuild=args.rebuild, what="the data set")
    _configure_django(url)
    _setup_django()
    _open_enrollment_for_the_run()  # the worklist's "no plan chosen" deadlines, as in `python -m bench`
    _migrate()
    if marker is None:
        marker = _build(scale)
    else:
        print(f"reusing the data set ({marker['result']['counts']['associations']:,} associations)")
    return run_export(marker, repeat=args.repeat, warmup=args.warmup, json_path=args.json)


def run_export(marker: dict, *, repeat: int, warmup: int, json_path: str | None = None, log=print) -> int:
    """Time the exports on the data set `marker` describes; print the table and the targets; 0, or 1 on an error
    or a missed required target."""
    from .export import export_targets, format_breakdown, format_exports, measure_exports, plan_exports

    log(_environment())
    exports = plan_exports(marker)
    load_before = _load()
    log(f"timing {len(exports) - 1} exports: {warmup} warm-up each, then {repeat} rounds; load average {load_before}")
    gc.collect()
    started = time.perf_counter()
    results = measure_exports(exports, repeat=repeat, warmup=warmup)
    load_after = _load()
    log(f"timed in {time.perf_counter() - started:.1f} s; load average {load_after} after")
    log("")
    log(format_exports(results))
    log("\nwhere the time goes (statements by kind, slowest first):")
    for r in results:
        for line in format_breakdown(r):
            log(f"  {line}")
    checks = export_targets(results)
    log("\ntargets (required: a miss fails the run):")
    for t in checks:
        state = "PASS" if t.passed else "FAIL" if t.passed is False else "n/a "
        log(f"  {state}  {t.text}{'  [required]' if t.required else ''}")
    failures = [r for r in results if not r.ok]
    for r in failures:
        log(f"\nERROR {r.export.label} GET {r.export.url}: {r.error}")
    if json_path:
        with open(json_path, "w") as fh:
            json.dump(
                {
                    "environment": _environment(),
                    "load_average": {"before": load_before, "after": load_after},
                    "repeat": repeat,
                    "warmup": warmup,
                    "exports": [r.as_dict() for r in results],
                    "targets": [{"passed": t.passed, "text": t.text, "required": t.required} for t in checks],
                },
                fh,
                indent=2,
            )
        log(f"\nresults written to {json_path}")
    missed = [t for t in checks if t.required and not t.passed]
    return 1 if failures or missed else 0


if __name__ == "__main__":
    sys.exit(main())
