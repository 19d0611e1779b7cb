import pytest

from accounts.models import User
from audit.models import Action, AuditEvent
from conftest import sign_in


@pytest.mark.django_db
def test_staff_deactivate_accounts_from_the_admin_and_it_is_audited(client, superuser_staff, consumer, broker):
    sign_in(client, superuser_staff)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "deactivate", "_selected_action": [consumer.pk, broker.pk]},
        follow=True,
    )
    assert "2 account(s) deactivated." in response.content.decode()
    assert not User.objects.filter(pk__in=[consumer.pk, broker.pk], is_active=True).exists()
    events = AuditEvent.objects.filter(action=Action.ACCOUNT_DEACTIVATED, actor=superuser_staff)
    assert sorted(events.values_list("object_id", flat=True)) == sorted([str(consumer.pk), str(broker.pk)])


@pytest.mark.django_db
def test_user_changelist_query_count_holds_at_50_rows(client, superuser_staff, django_assert_max_num_queries):
    from accounts.tests.factories import UserFactory

    sign_in(client, superuser_staff)
    for _ in range(50):
        UserFactory()
    with django_assert_max_num_queries(12):
        assert client.get("/admin/accounts/user/").status_code == 200
