"""The export benchmark (`python -m bench export`) at a tiny scale in the test database: it streams each book whole,
counts the audit rows it wrote and rolls them back, and prints the table and the targets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Action, AuditEvent

from .book_applications import COVERAGE_YEAR
from .build import build, build_info
from .cli import main, parse_export_args, run_export
from .export import export_targets, measure_exports, plan_exports
from .measure import open_enrollment_around
from .scale import Scale

pytestmark = pytest.mark.django_db


@pytest.fixture
def marker(settings):
    today = timezone.localdate()
    settings.OPEN_ENROLLMENT_PERIODS = {COVERAGE_YEAR: open_enrollment_around(today)}
    scale = Scale.tiny()
    return build_info(scale, build(scale))


def test_a_tiny_export_bench_streams_every_book_whole_and_leaves_no_audit_rows(marker):
    exports = plan_exports(marker)
    assert [e.key for e in exports] == ["baseline", "export_assister", "export_agency_enrolled", "export_agency"]
    agency = exports[-1]
    assert agency.expected_rows == Scale.tiny().big_agency_associations

    results = measure_exports(exports, repeat=2, warmup=0)

    for r in results:
        assert r.ok, r.error
    for r in results[1:]:
        assert r.rows == [r.export.expected_rows] * 2 and r.audited == r.rows
        assert r.peak_bytes and max(r.sent_bytes) > 0
        assert min(r.queries) > 0
        kinds = {kind for kind, _n, _ms in r.breakdown}
        assert "INSERT audit_auditevent" in kinds and r.breakdown_total_ms > 0
        assert "SELECT follow-ups UNION ALL (next_deadlines)" in kinds
    assert len(results[0].times_ms) == 2 * 12  # the baseline's rounds
    checks = export_targets(results)
    assert all(t.passed for t in checks if t.required), [t.text for t in checks]
    assert not AuditEvent.objects.filter(action=Action.CLIENT_LIST_VIEWED).exists()  # every export rolled back


def test_the_export_run_prints_the_table_and_exits_0(marker):
    lines = []

    assert run_export(marker, repeat=1, warmup=0, log=lines.append) == 0

    text = "\n".join(lines)
    assert "export: agency admin's whole book (20 rows)" in text
    assert "peak MB" in text and "p95 ×base" in text
    assert "where the time goes" in text and "INSERT audit_auditevent" in text
    assert "PASS" in text and "FAIL" not in text


def test_export_subcommand_arguments():
    args = parse_export_args([])
    assert (args.repeat, args.warmup, args.scale) == (5, 1, 1.0)
    with pytest.raises(SystemExit) as stopped:  # refused before any database is touched
        main(["export", "--repeat", "0"])
    assert stopped.value.code == 2


def test_the_run_says_when_an_export_answers_with_no_file(marker, monkeypatch):
    from certification.models import Certification

    # The big assister's certification lapsed: the export sends them back to the dashboard, no file.
    Certification.objects.filter(assister__user__email=marker["result"]["big_assister_email"]).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    lines = []

    assert run_export(marker, repeat=1, warmup=0, log=lines.append) == 1

    assert any(line.startswith("\nERROR export: assister's whole book") and "HTTP 302" in line for line in lines)
