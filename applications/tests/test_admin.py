"""Staff see applications read-only; the list's query count holds at 1 and 50 rows; opening one is audited."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.tests.factories import started
from audit.models import Action, AuditEvent
from clients.tests.factories import make_client
from conftest import sign_in

pytestmark = pytest.mark.django_db


def _changelist_queries(http) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(reverse("admin:applications_application_changelist")).status_code == 200
    return len(captured)


def test_the_changelist_costs_the_same_at_1_and_50_applications_and_a_page_view_is_audited(client, superuser_staff):
    first = started(make_client(first_name="Ann", last_name="Row00"))
    sign_in(client, superuser_staff)
    one = _changelist_queries(client)
    for i in range(1, 50):
        started(make_client(first_name="Ann", last_name=f"Row{i:02d}"))
    assert _changelist_queries(client) == one

    page = client.get(reverse("admin:applications_application_change", args=[first.pk]))
    assert page.status_code == 200
    assert "Save" not in page.content.decode().replace("Saved", "")  # read-only: no save button
    event = AuditEvent.objects.get(action=Action.CLIENT_VIEWED, actor=superuser_staff, client=first.client)
    assert event.details["what"] == f"application {first.short_id} (staff)"
    assert client.get(reverse("admin:applications_application_change", args=["nonsense"])).status_code in (302, 404)
