import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import Role, User
from audit.models import Action, AuditEvent
from conftest import PASSWORD, sign_in, totp_code


@pytest.mark.django_db
def test_consumer_signs_up_verifies_email_by_code_signs_out_and_in(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "New.Person@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.role == Role.CONSUMER
    assert len(mail.outbox) == 1
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[0].body, re.MULTILINE).group(1)

    response = client.post(response["Location"], {"code": code})

    assert response.status_code == 302
    assert user.emailaddress_set.get().verified
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    sign_in(client, user)
    assert client.session["_auth_user_id"] == str(user.pk)
    actions = list(AuditEvent.objects.filter(actor=user).order_by("id").values_list("action", flat=True))
    assert actions == [Action.SIGN_IN, Action.SIGN_OUT, Action.SIGN_IN]


@pytest.mark.django_db
def test_unverified_email_cannot_sign_in(client):
    client.post("/accounts/signup/", {"email": "fresh@example.org", "password1": PASSWORD, "password2": PASSWORD})
    client.cookies.clear()
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):  # past the resend cool-down
        response = client.post("/accounts/login/", {"login": "fresh@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and "confirm" in response["Location"]
    assert len(mail.outbox) == 1  # a new code is sent instead


@pytest.mark.django_db
def test_there_are_no_usernames(client):
    assert "username" not in [f.name for f in User._meta.get_fields()]
    response = client.get("/accounts/signup/")
    assert 'name="username"' not in response.content.decode()


@pytest.mark.django_db
def test_sign_in_with_mfa_asks_for_the_code_and_records_the_sign_in(client, broker):
    response = client.post("/accounts/login/", {"login": broker.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": "000000" if totp_code(broker) != "000000" else "111111"}
    )
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(broker)})
    assert client.session["_auth_user_id"] == str(broker.pk)
    event = AuditEvent.objects.filter(actor=broker, action=Action.SIGN_IN).get()
    assert event.ip == "127.0.0.1"
    assert len(event.request_id) == 32


@pytest.mark.django_db
def test_sign_in_issues_a_new_session_key(client, consumer):
    client.get("/accounts/login/")
    client.session["anonymous"] = True
    session = client.session
    session["marker"] = "before"
    session.save()
    before = session.session_key
    sign_in(client, consumer)
    assert client.session.session_key != before


@pytest.mark.django_db
def test_request_id_from_the_proxy_is_kept_in_the_response_and_the_audit_row(client, consumer):
    response = client.post(
        "/accounts/login/",
        {"login": consumer.email, "password": PASSWORD},
        headers={"X-Request-ID": "lb-1234567890abcdef", "User-Agent": "PortalTest/1.0"},
    )
    assert response["X-Request-ID"] == "lb-1234567890abcdef"
    event = AuditEvent.objects.get(action=Action.SIGN_IN)
    assert (event.request_id, event.user_agent) == ("lb-1234567890abcdef", "PortalTest/1.0")


@pytest.mark.django_db
def test_a_malformed_request_id_is_replaced(client):
    response = client.get("/", headers={"X-Request-ID": "<script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
