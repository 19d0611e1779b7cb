"""Bulk reminders from the worklist and the daily digest (issue 17)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from applications.tests.factories import started
from associations.models import EndReason
from associations.services import association_end
from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from clients.tests.factories import make_client
from conftest import sign_in
from core.models import Language
from notices.models import Notice
from verifications.models import VerificationRequest
from verifications.tests.factories import with_income_request
from worklist import services
from worklist.models import DigestSent, FollowUpReminder

pytestmark = pytest.mark.django_db


def _household(assister, first_name, **kwargs):
    client = make_client(first_name=first_name, last_name="Household")
    associate(client, assister, **kwargs)
    return client


def _key(request) -> str:
    return f"documents_due:{request.public_id}"


def test_the_broker_reminds_ticked_clients_once_a_day_each_audited(client, broker, catalog_2027):
    first = _household(broker.assister, "First")
    second = _household(broker.assister, "Second")
    _a, one = with_income_request(first)
    _b, two = with_income_request(second)
    sign_in(client, broker)
    response = client.post(reverse("worklist:remind"), {"item": [_key(one), _key(two)], "back": "?kind=documents_due"})
    assert response.status_code == 302 and response["Location"] == reverse("worklist:list") + "?kind=documents_due"
    for household, request in ((first, one), (second, two)):
        notice = Notice.objects.get(client=household, kind="followup_reminder")
        assert notice.data["body"]["item"] == "documents_due"
        assert notice.data["body"]["deadline"] == request.due_date.isoformat()
        assert FollowUpReminder.objects.get(client=household).notice == notice
        # The client sees who did it in "Who viewed my information".
        assert AuditEvent.objects.filter(action=Action.FOLLOWUP_REMINDED, client=household, actor=broker).count() == 1
    page = client.get(reverse("worklist:list"))
    assert "Reminders sent for 2 items." in page.content.decode()

    again = client.post(reverse("worklist:remind"), {"item": [_key(one)]}, follow=True)
    assert "already reminded of today" in again.content.decode()
    assert Notice.objects.filter(client=first, kind="followup_reminder").count() == 1


def test_the_database_allows_one_reminder_per_client_item_and_day(broker, catalog_2027):
    household = _household(broker.assister, "Once")
    _a, request = with_income_request(household)
    assert services.followups_remind(actor=broker, keys=[_key(request)]).sent == 1
    reminder = FollowUpReminder.objects.get()
    with pytest.raises(IntegrityError):
        FollowUpReminder.objects.create(
            client=household,
            kind=reminder.kind,
            ref=reminder.ref,
            day=reminder.day,
            notice=Notice.objects.exclude(pk=reminder.notice_id).first(),
            sent_by=broker,
        )


def test_forged_and_foreign_items_are_refused_and_nothing_is_sent(client, broker, outsider_assister, catalog_2027):
    mine = _household(broker.assister, "Mine")
    _a, request = with_income_request(mine)
    # The outsider posts the broker's client's item, a made-up one and a kind with no reminder.
    result = services.followups_remind(
        actor=outsider_assister,
        keys=[_key(request), "documents_due:not-a-uuid", "certification_expiring:x", "nonsense", ":"],
    )
    assert (result.sent, result.refused) == (0, 5)
    assert not Notice.objects.filter(kind="followup_reminder").exists()
    sign_in(client, outsider_assister)
    response = client.post(reverse("worklist:remind"), {"item": [_key(request)]}, follow=True)
    assert "could not be reminded of" in response.content.decode()
    assert not FollowUpReminder.objects.exists()


def test_a_client_who_ended_the_association_after_the_page_loaded_is_not_reminded(client, broker, catalog_2027):
    household = _household(broker.assister, "Left")
    _a, request = with_income_request(household)
    sign_in(client, broker)
    assert _key(request) in client.get(reverse("worklist:list")).content.decode()
    association_end(association=household.associations.get(), actor=household.user, reason=EndReason.RESCINDED)
    result = services.followups_remind(actor=broker, keys=[_key(request)])
    assert (result.sent, result.refused) == (0, 1) and not FollowUpReminder.objects.exists()


def test_a_resolved_item_is_not_reminded_of(broker, catalog_2027):
    household = _household(broker.assister, "Done")
    _a, request = with_income_request(household)
    VerificationRequest.objects.filter(pk=request.pk).update(status="accepted")
    assert services.followups_remind(actor=broker, keys=[_key(request)]).refused == 1


def test_the_form_asks_for_at_least_one_item(client, broker):
    sign_in(client, broker)
    page = client.post(reverse("worklist:remind"), {}, follow=True)
    assert "Tick at least one item to send a reminder about." in page.content.decode()


# --- The daily digest -----------------------------------------------------------------------------------------


def _stale(household):
    Application.objects.filter(pk=started(household).pk).update(updated_at=timezone.now() - timedelta(days=20))


def test_the_digest_counts_new_and_overdue_items_with_first_names_only(
    broker, catalog_2027, mailoutbox, django_capture_on_commit_callbacks
):
    household = make_client(first_name="Olga", last_name="Overdue-Surname")
    associate(household, broker.assister)
    _a, request = with_income_request(household)
    VerificationRequest.objects.filter(pk=request.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    new = make_client(first_name="Nina", last_name="Newly-Surname")
    associate(new, broker.assister)
    with_income_request(new)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send_all() == 2  # the broker, and their agency's admin (the agency's book)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [broker.email, broker.assister.agency.memberships.get(role="admin").user.email]
    )
    email = next(m for m in mailoutbox if m.to == [broker.email])
    assert "Documents due: 1" in email.body  # overdue
    assert "Documents due: 2" in email.body  # new since yesterday: both requests were opened today
    assert "Olga" in email.body and "Overdue-Surname" not in email.body and "Newly-Surname" not in email.body
    assert reverse("worklist:list") in email.body
    assert str(request.public_id) not in email.body
    # Never twice for the same day.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send_all() == 0
    assert len(mailoutbox) == 2
    assert DigestSent.objects.get(user=broker).overdue == 1


def test_nothing_new_or_overdue_sends_no_digest(broker, catalog_2027, mailoutbox):
    _stale(make_client(first_name="Quiet"))  # not in the broker's book
    assert services.digests_send_all() == 0 and mailoutbox == []


def test_the_digest_can_be_turned_off_in_preferences_and_is_in_the_users_language(
    client, broker, navigator, catalog_2027, mailoutbox, django_capture_on_commit_callbacks
):
    for assister in (broker, navigator):
        household = make_client(first_name="Pat")
        associate(household, assister.assister)
        with_income_request(household)
    sign_in(client, broker)
    page = client.get(reverse("accounts:preferences"))
    assert "Send me a daily email of new and overdue follow-ups" in page.content.decode()
    english = Language.objects.get(code="en")
    response = client.post(reverse("accounts:preferences"), {"preferred_language": english.pk})
    assert response.status_code == 302
    broker.refresh_from_db()
    assert broker.daily_digest is False
    assert AuditEvent.objects.filter(
        action=Action.PREFERENCES_CHANGED, actor=broker, details__daily_digest=False
    ).exists()
    navigator.preferred_language = Language.objects.get(code="es")
    navigator.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.digests_send_all()
    assert broker.email not in [m.to[0] for m in mailoutbox]
    spanish = next(m for m in mailoutbox if m.to == [navigator.email])
    assert "Documentos pendientes: 1" in spanish.body
    assert "Sus seguimientos de hoy" in spanish.subject
    assert "Esto es lo que hay que hacer en su cartera de clientes." in spanish.body


def test_consumers_see_no_digest_choice(client, consumer):
    sign_in(client, consumer)
    assert "daily email of new and overdue" not in client.get(reverse("accounts:preferences")).content.decode()


@pytest.mark.parametrize(
    ("back", "location"),
    [
        ("//evil.example/x", ""),
        ("?kind=documents_due&next=https://evil.example", "?kind=documents_due"),
        ("?severity=0&page=2", "?severity=0&page=2"),
        ("?kind=%E2%80%A8x", ""),
        ("?kind=a%0d%0aSet-Cookie:x", ""),
    ],
)
def test_the_way_back_keeps_only_the_worklists_own_filters(client, broker, back, location):
    sign_in(client, broker)
    response = client.post(reverse("worklist:remind"), {"item": ["documents_due:x"], "back": back})
    assert response.status_code == 302 and response["Location"] == reverse("worklist:list") + location


def test_consumers_and_staff_cannot_send_reminders(client, consumer, exchange_staff, broker, catalog_2027):
    household = _household(broker.assister, "Target")
    _a, request = with_income_request(household)
    for user in (consumer, exchange_staff):
        client.logout()
        sign_in(client, user)
        assert client.post(reverse("worklist:remind"), {"item": [_key(request)]}).status_code in (403, 404)
    assert not FollowUpReminder.objects.exists()


def test_the_digest_is_audited_for_each_client_it_names(broker, catalog_2027, django_capture_on_commit_callbacks):
    household = make_client(first_name="Named")
    associate(household, broker.assister)
    _a, request = with_income_request(household)
    VerificationRequest.objects.filter(pk=request.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.digest_send(user=broker)
    event = AuditEvent.objects.get(action=Action.CLIENT_LIST_VIEWED, client=household, actor=broker)
    assert event.details == {"what": "digest"}
