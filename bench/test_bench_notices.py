"""The notices benchmark (`python -m bench notices`) at a tiny size in the test database: every notice is
written and rendered through the services with the page count the bench promises, the PDFs go to a temporary
directory that is gone afterwards, and the bench's notices are deleted."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from notices import services
from notices.models import Notice

from .cli import main, parse_notices_args
from .notices import format_batch, format_table, measure_notices, targets

pytestmark = pytest.mark.django_db


def test_a_tiny_notices_bench_renders_through_the_services_and_leaves_nothing():
    lines = []
    results = measure_notices(batch=5, repeat=2, warmup=0, processes=1, settle=2, log=lines.append)

    assert results.problems == []
    pages = {s.key: s.pages_text for s in results.samples}
    assert (pages["baseline"], pages["html"], pages["one_page"], pages["three_page"]) == ("1", "—", "2", "3")
    assert int(pages["invoice"]) > 2  # 50 lines take the letter past its first page
    assert all(len(s.times) == 2 for s in results.samples)
    batch = results.batch
    assert batch.notices == 5 and len(batch.rss_kib) == 5 and batch.growth_kib is not None
    assert batch.pages == 2 * int(pages["one_page"]) + 2 * int(pages["three_page"]) + int(pages["invoice"])
    assert [t.passed is not None for t in targets(results)] == [True, True]
    assert format_batch(batch) and format_table(results.samples)

    assert not Path(results.media_root).exists()
    assert default_storage.location == str(settings.MEDIA_ROOT)  # the storage is the project's again
    assert not services._sending_deferred.get()  # sending is back to normal after the bench
    assert not Notice.objects.filter(pk__in=results.notice_ids).exists()


def test_notices_subcommand_arguments():
    args = parse_notices_args([])
    assert (args.batch, args.repeat, args.warmup, args.processes) == (200, 60, 3, 2)
    with pytest.raises(SystemExit) as stopped:  # refused before any database is touched
        main(["notices", "--batch", "0"])
    assert stopped.value.code == 2
