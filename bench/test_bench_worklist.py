"""The worklist in the benchmark (issue 17), at a tiny scale in the test database: the build writes the follow-ups the
worklist reads, as the apps' services would leave them, and the harness's worklist pages answer with every item of the
book, in the same number of queries for a book of 3 clients and one of 12."""

from collections import Counter
from dataclasses import asdict
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from applications.models import (
    Application,
    ApplicationReview,
    ApplicationStatus,
    Enrollment,
    EnrollmentStatus,
    ReviewStatus,
)
from clients.models import ClientKind
from notices.models import Invoice
from verifications.models import OPEN_STATUSES, VerificationRequest
from worklist.selectors import Filters, followups

from . import database
from . import worklist_pages as worklist
from .book_applications import COVERAGE_YEAR, SHOPPER_EMAIL
from .book_followups import DRAFT_SAVED_DAYS, DUE_DAYS
from .build import build
from .measure import Page, open_enrollment_around, time_pages
from .scale import Scale

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(settings):
    # The bench's run sets open enrollment around its date (bench/cli.py): determined applications are "no plan" items.
    settings.OPEN_ENROLLMENT_PERIODS = {COVERAGE_YEAR: open_enrollment_around(timezone.localdate())}
    return build(Scale.tiny())


def test_the_build_writes_the_followups_the_apps_services_would_leave(built):
    now, today = timezone.now(), timezone.localdate()
    applications = Application.objects.exclude(client__email=SHOPPER_EMAIL)
    waiting = set(applications.filter(status=ApplicationStatus.PENDING_VERIFICATION).values_list("pk", flat=True))
    requests = list(VerificationRequest.objects.all())
    assert requests and {r.application_id for r in requests} == waiting  # every one waiting has its requests
    assert {r.status for r in requests} <= set(OPEN_STATUSES)
    assert all(
        today + timedelta(days=DUE_DAYS[0]) <= r.due_date <= today + timedelta(days=DUE_DAYS[1]) for r in requests
    )
    assert all(r.opened_at <= now and r.opened_at >= r.application.submitted_at for r in requests)
    assert max(Counter((r.application_id, r.member_key, r.type) for r in requests).values()) == 1  # one open each

    drafts = applications.filter(status=ApplicationStatus.DRAFT)
    assert all(now - timedelta(days=DRAFT_SAVED_DAYS) <= d.updated_at <= now for d in drafts)
    reviews = ApplicationReview.objects.exclude(application__client__email=SHOPPER_EMAIL)  # theirs: by phone
    assert {(r.application.status, r.status) for r in reviews} <= {(ApplicationStatus.DRAFT, ReviewStatus.PENDING)}
    assert all(
        r.application.data.get("income_confirmed") and r.requested_at >= r.application.updated_at for r in reviews
    )

    enrolled = set(applications.filter(status=ApplicationStatus.ENROLLED).values_list("pk", flat=True))
    enrollments = Enrollment.objects.exclude(client__email=SHOPPER_EMAIL)
    active = enrollments.filter(status=EnrollmentStatus.ACTIVE)
    assert set(active.values_list("application_id", flat=True)) == enrolled
    for ended in enrollments.filter(status=EnrollmentStatus.TERMINATED).select_related("application"):
        assert ended.application.status == ApplicationStatus.DETERMINED  # ending coverage goes back to determined
        assert ended.coverage_start - timedelta(days=1) <= ended.coverage_end and ended.ended_at <= now
    assert all(e.net_premium == e.premium - e.credit_applied >= 0 for e in enrollments)

    invoices = Invoice.objects.select_related("client", "notice")
    assert invoices and {i.client.kind for i in invoices} == {ClientKind.EMPLOYER}
    assert all(i.notice.client_id == i.client_id and i.notice.kind == "invoice" for i in invoices)
    assert all(i.paid_at is None or i.paid_at <= now for i in invoices)


def test_the_worklist_pages_answer_with_every_item_in_as_many_queries_for_3_clients_as_for_12(built):
    marker = {"result": asdict(built)}
    lines = []
    measured, pages, problems = worklist.prepare(marker, log=lines.append)
    assert problems == []
    by_key = {b.key: b for b in measured}
    assert (by_key["worklist_small"].clients, by_key["worklist"].clients) == (3, 12)
    assert by_key["worklist"].items[""] > 0 and by_key["worklist_agency"].items[""] > by_key["worklist"].items[""]
    assert by_key["worklist_small"].items[""] > 0  # an empty page writes no audit row: two fewer queries
    assert len(lines) == 3 and all(" items (" in line for line in lines)
    assert [p.key for p in pages] == [
        "worklist",
        "worklist_documents",
        "worklist_overdue",
        "worklist_small",
        "worklist_agency",
        "worklist_agency_documents",
        "worklist_agency_overdue",
    ]

    results = time_pages([Page("baseline", "baseline", "/", None), *pages], repeat=2, warmup=0)
    assert [r.error for r in results] == [None] * len(results)
    assert worklist.after_timing(measured, results, log=lines.append) == []  # each page says its book's count
    checks = worklist.worklist_targets({r.page.key: r for r in results})
    assert [t.text for t in checks if not t.passed] == []
    assert len(checks) == len(pages) + 2
    r = {r.page.key: r for r in results}
    assert r["worklist_small"].queries == r["worklist"].queries  # the same at 3 and 12 clients
    groups = worklist.worklist_groups(r["worklist_agency"].usual_sql)
    assert (groups["the book's client ids"], groups["follow-ups"], groups["assisters of record"]) == (1, 1, 1)
    for b in measured:  # the page's rows and the count in one statement, whatever the book or the filter
        for suffix, *_rest in b.filters:
            reads = worklist.worklist_groups(r[f"{b.key}{suffix}"].usual_sql)["follow-ups"]
            assert reads == 1, (b.key, suffix)
    # The selector the page pages through lists every item of the book once.
    admin = measured[-1]
    rows = list(followups(User.objects.get(email=admin.email), Filters()))
    assert len(rows) == admin.items[""] == len({(row["fu_kind"], row["fu_ref"]) for row in rows})


def test_each_database_url_benches_in_a_database_of_its_own():
    assert database.bench_database_url(None).endswith("/assister_portal_bench")
    assert database.bench_database_url("postgres://u@h:5432/assister_portal").endswith("/assister_portal_bench")
    url = database.bench_database_url("postgres://u@h:5432/ap_benchwl", database.DOCUMENTS_DB_NAME)
    assert url == "postgres://u@h:5432/assister_portal_bench_documents__ap_benchwl"
    assert database._name(url) == "assister_portal_bench_documents__ap_benchwl"
    with pytest.raises(ValueError, match="not a bench database"):
        database._name("postgres://u@h:5432/ap_benchwl")
