"""The dashboard's application columns (issue 12): each client's current application, its determination and
the next step; filtered and sorted by application status; the query count flat at 1 and 50 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.tests.factories import fill, started, submitted
from associations.tests.factories import associate
from clients.tests.factories import make_client
from conftest import sign_in
from notices.models import Notice, NoticeStatus
from notices.services import notice_render
from plans.tests.factories import load_sample_catalog

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_each_clients_application_status_credit_and_next_step(client, broker):
    load_sample_catalog(2027)
    determined = make_client(first_name="Dana", last_name="Determined")
    drafted = make_client(first_name="Drew", last_name="Drafted")
    nothing = make_client(first_name="Nell", last_name="Nothing")
    for c in (determined, drafted, nothing):
        associate(c, broker.assister)
    submitted(fill(started(determined), actor=determined.user), determined.user)
    started(drafted)
    sign_in(client, broker)

    html = client.get(reverse("clients:dashboard")).content.decode()
    assert "Eligibility determined" in html and "Plan with tax credit" in html and "Choose a plan" in html
    assert "Finish and submit the application" in html and "Start an application" in html

    only_drafts = client.get(reverse("clients:dashboard") + "?application_status=draft").content.decode()
    assert "Drew" in only_drafts and "Dana" not in only_drafts and "Nell" not in only_drafts
    none = client.get(reverse("clients:dashboard") + "?application_status=none").content.decode()
    assert "Nell" in none and "Drew" not in none
    ordered = client.get(reverse("clients:dashboard") + "?sort=-application").content.decode()
    assert ordered.index("Dana") < ordered.index("Drew") < ordered.index("Nell")
    hostile = client.get(reverse("clients:dashboard") + "?application_status=%27%3B--&sort=nonsense").content.decode()
    assert hostile.index("Dana") < hostile.index("Drew") < hostile.index("Nell")  # every client, by name
    assert client.get(reverse("clients:dashboard") + "?sort=application%00").status_code == 400


def _dashboard_queries(http) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(reverse("clients:dashboard")).status_code == 200
    return len(captured)


def test_the_dashboard_query_count_with_applications_is_the_same_at_1_and_50_rows(client, broker):
    def add(n, start):
        for i in range(start, start + n):
            c = make_client(first_name="Client", last_name=f"Row{i:02d}")
            associate(c, broker.assister)
            started(c)

    add(1, 0)
    sign_in(client, broker)
    one = _dashboard_queries(client)
    add(49, 1)
    _dashboard_queries(client)  # warm again: building 49 clients can outlast the session's 15-second write interval
    assert _dashboard_queries(client) == one


def test_the_determination_notice_renders_in_english_and_spanish(consumer):
    load_sample_catalog(2027)
    submitted(fill(started(consumer.client), actor=consumer), consumer)
    notice = Notice.objects.get(client=consumer.client, kind="application_determination")
    rendered = notice_render(notice_id=notice.pk)
    assert rendered.status == NoticeStatus.READY and rendered.pages >= 1
    spanish = make_client(language="es")
    submitted(fill(started(spanish), actor=spanish.user), spanish.user)
    notice = Notice.objects.get(client=spanish, kind="application_determination")
    assert notice.language == "es"
    assert notice_render(notice_id=notice.pk).status == NoticeStatus.READY
