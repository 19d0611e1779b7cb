"""The change pages cost the same number of queries at 1 and 50 reports (CONVENTIONS: every list and detail view):
My changes, the client page's section, a report's page with its history, and the staff queue."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from associations.tests.factories import associate
from changes import services
from conftest import sign_in

pytestmark = pytest.mark.django_db


def _count(http, url) -> int:
    http.get(url)  # the session's activity clock may be saved on a first request: not the page's cost
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


def _report(client, n):
    return services.change_report_submit(
        client=client,
        event="other",
        effective_date=timezone.localdate(),
        details={"description": f"Change {n}"},
        actor=client.user,
    )


def test_my_changes_the_client_page_and_the_queue_cost_the_same_with_1_and_50_reports(consumer, broker):
    associate(consumer.client, broker.assister)
    reviewer = UserFactory(role=Role.STAFF, email="queue@example.org", mfa=True, groups=("Change reviewers",))
    assert Group.objects.filter(name="Change reviewers").exists()
    first = _report(consumer.client, 0)
    services.change_report_ask(report=first, question="When?", actor=reviewer)
    own, assister, staff = HttpClient(), HttpClient(), HttpClient()  # each signs in once (a TOTP code is used once)
    sign_in(own, consumer)
    sign_in(assister, broker)
    sign_in(staff, reviewer)
    urls = [reverse("changes:mine"), reverse("changes:detail", args=[first.public_id])]
    page_url = reverse("clients:detail", args=[consumer.client.public_id])
    queue_url = reverse("admin:changes_changereport_changelist")
    before = ([_count(own, url) for url in urls], _count(assister, page_url), _count(staff, queue_url))
    for n in range(1, 50):
        report = _report(consumer.client, n)
        services.change_report_review(report=report, actor=reviewer)
    after = ([_count(own, url) for url in urls], _count(assister, page_url), _count(staff, queue_url))
    assert after == before
    assert len(own.get(urls[0]).context["reports"]) == 50
