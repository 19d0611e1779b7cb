"""Staff see enrollments read-only and decide consumers' "I did not ask for this" reports in the admin (issue 13):
the queue opens on the open reports, oldest first; a decision needs what staff found, goes through the service
and tells both parties; the lists cost the same at 1 and 50 rows; opening a row is audited against the client."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from applications import services
from applications.models import DisputeStatus, EnrollmentDispute
from applications.tests.test_choosing import _select, determined
from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from clients.tests.factories import make_client
from conftest import sign_in
from notices.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(db):
    return UserFactory(role=Role.STAFF, email="enrollments@example.org", mfa=True, groups=("Enrollment reviewers",))


@pytest.fixture
def disputed(broker, open_enrollment, catalog_2027):
    def build(first_name="Dee"):
        household = make_client(first_name=first_name, last_name="Disputer")
        association = associate(household, broker.assister)
        enrollment = _select(determined(household), broker, association)
        return services.enrollment_dispute(
            enrollment=enrollment, action="selected", note="Not me.", actor=household.user
        )

    return build


def _queries(http, url) -> int:
    http.get(url)  # the session's activity clock is saved on the first request after a while: not the list's cost
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


def test_the_group_exists_with_view_and_decide_permissions():
    group = Group.objects.get(name="Enrollment reviewers")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_enrollment", "view_enrollmentdispute", "change_enrollmentdispute", "view_application"} <= codenames
    assert "change_enrollment" not in codenames and "delete_enrollmentdispute" not in codenames


def test_a_reviewer_upholds_a_report_and_both_parties_are_told(client, reviewer, disputed, broker):
    dispute = disputed()
    sign_in(client, reviewer)
    queue = client.get(reverse("admin:applications_enrollmentdispute_changelist"))
    assert dispute.public_id.hex[:8].upper() in queue.content.decode()
    page = client.get(reverse("admin:applications_enrollmentdispute_change", args=[dispute.pk]))
    assert "Decide" in page.content.decode()
    assert AuditEvent.objects.filter(action=Action.CLIENT_VIEWED, actor=reviewer, client=dispute.client).exists()
    url = reverse("admin:applications_enrollmentdispute_decide", args=[dispute.pk])
    response = client.post(url, {"decision": "uphold", "note": ""})
    assert "Say what you found" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    response = client.post(url, {"decision": "uphold", "note": "No record of the client's request."})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.UPHELD and dispute.decided_by == reviewer
    assert Notice.objects.filter(kind="enrollment_dispute", client=dispute.client).count() == 2
    assert Notice.objects.filter(kind="enrollment_dispute_assister", user=broker).count() == 2
    assert AuditEvent.objects.filter(action=Action.ENROLLMENT_DISPUTE_DECIDED, actor=reviewer).exists()
    again = client.post(url, {"decision": "dismiss", "note": "Changed my mind."}, follow=True)
    assert "already decided" in again.content.decode()
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.UPHELD


def test_staff_without_the_duty_cannot_decide(client, exchange_staff, disputed):
    dispute = disputed()
    sign_in(client, exchange_staff)
    url = reverse("admin:applications_enrollmentdispute_decide", args=[dispute.pk])
    assert client.post(url, {"decision": "dismiss", "note": "x"}).status_code in (302, 403, 404)
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN


def test_the_queue_and_the_enrollments_cost_the_same_at_1_and_50_rows(client, reviewer, disputed):
    first = disputed("Row00")
    sign_in(client, reviewer)
    queue = reverse("admin:applications_enrollmentdispute_changelist")
    enrollments = reverse("admin:applications_enrollment_changelist")
    one = (_queries(client, queue), _queries(client, enrollments))
    for n in range(1, 50):
        disputed(f"Row{n:02d}")
    assert (_queries(client, queue), _queries(client, enrollments)) == one
    listed = client.get(queue).context["cl"].result_list
    assert listed[0] == first and len(listed) == 50
    decided = client.get(queue, {"status": "all"}).context["cl"].result_list
    assert len(decided) == 50
    assert client.get(queue, {"status": "bogus"}).status_code == 302  # a bad filter: Django's "?e=1"
    assert EnrollmentDispute.objects.count() == 50
