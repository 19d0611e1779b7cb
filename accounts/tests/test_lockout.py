import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.lockout import LOCKED_MESSAGE
from audit.models import Action, AuditEvent
from conftest import PASSWORD, sign_in

LOCKED_TEXT = str(LOCKED_MESSAGE)[:40]


def fail(client, email, times=1):
    response = None
    for _ in range(times):
        response = client.post("/accounts/login/", {"login": email, "password": "wrong password 123"})
    return response


@pytest.mark.django_db
def test_five_failures_lock_the_account_even_with_the_right_password(client, consumer):
    response = fail(client, consumer.email, 4)
    assert LOCKED_TEXT not in response.content.decode()
    response = fail(client, consumer.email)
    assert LOCKED_TEXT in response.content.decode()

    response = client.post("/accounts/login/", {"login": consumer.email, "password": PASSWORD})

    assert response.status_code == 200
    assert LOCKED_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_unknown_email_gets_the_same_messages_as_a_real_account(client, consumer):
    real = [fail(client, consumer.email).content.decode() for _ in range(5)]
    ghost = [fail(client, "nobody-here@example.org").content.decode() for _ in range(5)]

    def message(html):
        return "locked" if LOCKED_TEXT in html else ("wrong" if "not correct" in html else "other")

    assert [message(h) for h in real] == [message(h) for h in ghost] == ["wrong"] * 4 + ["locked"]


@pytest.mark.django_db
def test_lock_expires_by_itself_after_30_minutes(client, consumer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, consumer.email, 5)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        response = client.post("/accounts/login/", {"login": consumer.email, "password": PASSWORD})
        assert LOCKED_TEXT in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.post("/accounts/login/", {"login": consumer.email, "password": PASSWORD})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(consumer.pk)


@pytest.mark.django_db
def test_failures_spread_over_more_than_15_minutes_do_not_lock(client, consumer):
    start = timezone.now()
    for minute in (0, 4, 8, 12, 16, 20):  # never five inside one 15-minute window
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            response = fail(client, consumer.email)
            assert LOCKED_TEXT not in response.content.decode()


@pytest.mark.django_db
def test_a_success_starts_the_count_again(client, consumer):
    fail(client, consumer.email, 4)
    sign_in(client, consumer)
    client.post("/accounts/logout/")
    response = fail(client, consumer.email, 4)
    assert LOCKED_TEXT not in response.content.decode()


@pytest.mark.django_db
def test_staff_locked_out_cannot_reach_the_admin_either(client, exchange_staff):
    fail(client, exchange_staff.email, 5)
    # The admin has no login form of its own: it sends staff to the portal's login.
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    response = client.post("/admin/login/?next=/admin/", {"username": exchange_staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN).exists()
    assert "_auth_user_id" not in client.session
    response = sign_in(client, exchange_staff)
    assert LOCKED_TEXT in response.content.decode()
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_failures_and_the_lockout_are_audited(client, consumer):
    # Only what follows: the account already has a trail (creating their record).
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    fail(client, consumer.email, 5)
    events = list(AuditEvent.objects.filter(actor_label=consumer.email, id__gt=before).order_by("id"))
    assert [e.action for e in events] == [Action.SIGN_IN_FAILED] * 5 + [Action.LOCKOUT]
    assert all(e.actor_id == consumer.pk and e.ip == "127.0.0.1" and e.request_id for e in events)
    fail(client, consumer.email)
    assert AuditEvent.objects.filter(actor_label=consumer.email).latest("id").action == Action.SIGN_IN_BLOCKED


@pytest.mark.django_db
def test_resetting_the_password_by_email_lifts_the_lock(client, consumer):
    fail(client, consumer.email, 5)
    client.post("/accounts/password/reset/", {"email": consumer.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link)["Location"]
    new_password = "another long passphrase 77"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    response = client.post("/accounts/login/", {"login": consumer.email, "password": new_password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(consumer.pk)
    assert AuditEvent.objects.filter(actor=consumer, action=Action.PASSWORD_RESET).exists()
