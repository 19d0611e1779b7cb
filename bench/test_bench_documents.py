"""The documents benchmark (`python -m bench documents`) at a tiny size in the test database: the queue's rows are
built, every upload goes through the pipeline and is stored and scanned as the bench promises (clean with clamd, "not
scanned" without), the numbers are printed against the baselines, and what the pipeline wrote is gone afterwards."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from notices import services as notice_services
from notices.models import Notice
from verifications.models import Document, RequestStatus, VerificationRequest

from .cli import documents_queue_size, main, parse_documents_args
from .documents import build_queue, format_pipeline, format_queue, measure_documents, scan_costs

NUMBER = r"\d+\.\d"


# Real commits, as in the bench's own database: the virus scan runs when document_upload's transaction commits.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_tiny_documents_bench_times_the_pipeline_and_the_queue_and_prints_the_numbers(clamd_address):
    lines = []
    info = build_queue(12, log=lines.append)
    assert (info["requests"], info["applications"], info["documents"]) == (12, 8, 30)
    assert VerificationRequest.objects.filter(status=RequestStatus.SUBMITTED).count() == 12

    results = measure_documents(info, repeat=2, warmup=0, clamd_address=clamd_address, log=lines.append)

    assert results.problems == []
    assert [r.page.key for r in results.pages if r.ok] == ["baseline", "queue", "queue_income_due"]
    assert all(len(s.times["total"]) == 2 for s in results.samples)
    jpeg, pdf = results.sample("jpeg_clamd"), results.sample("pdf_clamd")
    assert 0.9 * 1024 * 1024 < jpeg.sent_bytes < 1.2 * 1024 * 1024 and jpeg.stored_bytes > 0
    assert len(jpeg.times["sanitize"]) == len(jpeg.times["store"]) == 2 and pdf.stored_bytes > 0

    pipeline = format_pipeline(results.samples)
    for sample in results.samples:
        assert re.search(rf"^{re.escape(sample.label)}\s+2\s+[\d,]+\s+[\d,]+\s", pipeline, re.M), sample.label
    assert re.search(r"^baseline: 40 × 30 PNG.*  1\.0\s+1\.0$", pipeline, re.M)  # its own ratio
    # n, KB sent and stored; sanitize, store+scan and total p50 and p95 ms; p50 and p95 × the baseline's
    assert re.search(rf"^JPEG photo 1\.\d\d MB, clamd\s+2\s+[\d,]+\s+[\d,]+(\s+{NUMBER}){{8}}$", pipeline, re.M)
    costs = scan_costs(results.samples)
    assert len(costs) == 2 and all(re.search(rf"INSTREAM alone {NUMBER} ms$", line) for line in costs)
    queue = "\n".join(format_queue(results.pages))
    assert re.search(
        rf"^staff queue: waiting for review \(12 submitted\), first page\s+2(\s+{NUMBER}){{3}}", queue, re.M
    )
    assert re.search(r"^staff queue: waiting for review \(12 submitted\), first page: \d+ queries: ", queue, re.M)

    # What the pipeline wrote is gone; the queue is as built; the storage is the project's again.
    assert not VerificationRequest.objects.filter(pk__in=results.request_ids).exists()
    assert not Document.objects.filter(request_id__in=results.request_ids).exists()
    assert not Notice.objects.filter(client__user__email=info["uploader"]).exists()
    assert VerificationRequest.objects.count() == 12
    assert not Path(results.media_root).exists()
    assert default_storage.location == str(settings.MEDIA_ROOT)
    assert not notice_services._sending_deferred.get()


@pytest.mark.django_db
def test_documents_subcommand_arguments():
    args = parse_documents_args([])
    assert (args.repeat, args.warmup, args.scale, args.clamd) == (30, 3, 1.0, None)
    assert documents_queue_size(1.0) == 10_000 and documents_queue_size(0.1) == 1_000
    with pytest.raises(SystemExit) as stopped:  # refused before any database is touched
        main(["documents", "--repeat", "0"])
    assert stopped.value.code == 2
