from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.services import user_deactivate
from audit.models import Action, AuditEvent
from conftest import PASSWORD, sign_in


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "minutes"), [("broker", 15), ("agency_admin", 15), ("consumer", 30)])
def test_idle_timeout_by_role(client, request, persona, minutes):
    user = request.getfixturevalue(persona)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, user)
        assert signed_in(client)
    with time_machine.travel(start + timedelta(minutes=minutes, seconds=-5), tick=False):
        assert client.get("/").status_code == 200  # activity renews the clock
    with time_machine.travel(start + timedelta(minutes=2 * minutes - 10), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=3 * minutes), tick=False):
        response = client.get("/accounts/email/", follow=True)
    assert not signed_in(client)
    assert response.redirect_chain[0][0] == "/accounts/login/?next=/accounts/email/"
    assert "You were signed out because you were inactive" in response.content.decode()
    expired = AuditEvent.objects.get(action=Action.SESSION_EXPIRED)
    assert expired.actor == user and expired.details == {"reason": "idle"}
    assert not AuditEvent.objects.filter(action=Action.SIGN_OUT).exists()


@pytest.mark.django_db
def test_absolute_limit_of_12_hours_even_while_active(client, consumer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, consumer)
    for hour in range(1, 12):
        with time_machine.travel(start + timedelta(hours=hour), tick=False):
            # a keep-alive every 20 minutes would not help either; one request an hour stands for activity
            session = client.session
            session["policy.last_active_at"] = (start + timedelta(hours=hour, minutes=-1)).timestamp()
            session.save()
            assert client.get("/").status_code == 200
            assert signed_in(client)
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        session = client.session
        session["policy.last_active_at"] = (start + timedelta(hours=12)).timestamp()
        session.save()
        response = client.get("/", follow=True)
    assert not signed_in(client)
    assert "12-hour limit" in response.content.decode()


@pytest.mark.django_db
def test_idle_warning_is_on_every_signed_in_page_with_the_role_timeout(client, broker, consumer):
    sign_in(client, broker)
    html = client.get("/").content.decode()
    assert 'data-idle-seconds="900"' in html and 'data-warning-seconds="120"' in html
    client.post("/accounts/logout/")
    sign_in(client, consumer)
    assert 'data-idle-seconds="1800"' in client.get("/").content.decode()
    client.post("/accounts/logout/")
    assert "data-idle-seconds" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_stay_signed_in_renews_the_clock(client, broker):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, broker)
    with time_machine.travel(start + timedelta(minutes=13, seconds=30), tick=False):
        response = client.post("/accounts/session/keepalive/", headers={"Accept": "application/json"})
        assert response.status_code == 204
    with time_machine.travel(start + timedelta(minutes=27), tick=False):
        assert client.get("/").status_code == 200
        assert signed_in(client)


@pytest.mark.django_db
def test_deactivating_an_account_ends_all_its_sessions(exchange_staff, consumer):
    phone, laptop = Client(), Client()
    sign_in(phone, consumer)
    sign_in(laptop, consumer)
    user_deactivate(user=consumer, actor=exchange_staff)
    for device in (phone, laptop):
        response = device.get("/accounts/email/")
        assert response.status_code == 302
        assert not signed_in(device)
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_DEACTIVATED, object_id=str(consumer.pk)).exists()


@pytest.mark.django_db
def test_changing_the_password_ends_every_session_of_the_user(consumer):
    phone, laptop = Client(), Client()
    sign_in(phone, consumer)
    sign_in(laptop, consumer)
    new_password = "a brand new passphrase 2026"
    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert not signed_in(laptop)
    phone.get("/accounts/email/")
    assert not signed_in(phone)
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED, actor=consumer).count() == 1
    sign_in(laptop, consumer, password=new_password)
    assert signed_in(laptop)


@pytest.mark.django_db
def test_session_cookie_dies_with_the_browser_and_is_httponly(client, consumer):
    response = sign_in(client, consumer, follow=False)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["expires"] == ""  # a browser-session cookie; the server enforces the 12 hours
    assert Session.objects.count() == 1


@pytest.mark.django_db
def test_an_htmx_request_after_the_session_ends_reloads_the_whole_page(client, broker):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, broker)
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        response = client.get("/clients/?q=ab", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/")
