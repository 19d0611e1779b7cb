import pytest

from audit.models import Action, AuditEvent
from audit.tests.factories import audit_event, audit_events
from conftest import sign_in


@pytest.fixture
def staff_client(client, superuser_staff):
    sign_in(client, superuser_staff)
    return client


@pytest.mark.django_db
def test_staff_browse_events_read_only(staff_client, consumer):
    event = audit_event(action=Action.LOCKOUT, actor=consumer, outcome="denied")
    listing = staff_client.get("/admin/audit/auditevent/")
    assert listing.status_code == 200
    assert consumer.email in listing.content.decode()
    detail = staff_client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert 'name="_save"' not in html and "deletelink" not in html
    assert staff_client.get("/admin/audit/auditevent/add/").status_code == 403
    assert staff_client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert staff_client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "sign_out"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == Action.LOCKOUT


@pytest.mark.django_db
def test_changelist_query_count_does_not_grow_with_rows(staff_client, consumer, django_assert_max_num_queries):
    audit_events(50, actor=consumer)
    with django_assert_max_num_queries(12):
        assert staff_client.get("/admin/audit/auditevent/").status_code == 200
