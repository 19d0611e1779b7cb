"""Guessing the second factor, as the security tester did: the right password, then code after code.

Wrong TOTP codes, recovery codes and security-key answers count toward the same lockout
as wrong passwords (5 in 15 minutes lock the email for 30), whatever address they come from.
"""

import json
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.db import connection
from django.test import Client
from django.utils import timezone
from fido2.utils import websafe_encode

from accounts.lockout import LOCKED_MESSAGE
from audit.models import Action, AuditEvent
from conftest import PASSWORD, sign_in, totp_code

LOCKED_TEXT = str(LOCKED_MESSAGE)[:40]
AUTHENTICATE = "/accounts/2fa/authenticate/"
# A well-formed WebAuthn assertion from a key the account never registered.
FORGED_ASSERTION = json.dumps(
    {
        "id": websafe_encode(b"forged-id"),
        "rawId": websafe_encode(b"forged-id"),
        "type": "public-key",
        "response": {
            "clientDataJSON": websafe_encode(
                json.dumps(
                    {"type": "webauthn.get", "challenge": websafe_encode(b"x" * 32), "origin": "http://testserver"}
                ).encode()
            ),
            "authenticatorData": websafe_encode(bytes(37)),
            "signature": websafe_encode(b"signature"),
        },
    }
)


def wrong_code(user) -> str:
    """Six digits the authenticator app does not show now (nor in the step either side)."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    step = int(time.time()) // 30
    valid = {format_hotp_value(hotp_value(secret, step + i)) for i in (-1, 0, 1)}
    return next(code for code in (f"{d}" * 6 for d in range(10)) if code not in valid)


def start_sign_in(client, user, **extra):
    """The password step, with the right password: it leads to the code page."""
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, **extra)
    assert response.status_code == 302 and response["Location"].startswith(AUTHENTICATE), response
    return response


def guess(client, code, **extra) -> str:
    return client.post(AUTHENTICATE, {"code": code}, **extra).content.decode()


def recovery_code(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()[0]


@pytest.mark.django_db
def test_five_wrong_codes_lock_the_account_and_then_the_right_code_is_refused(client, broker):
    start_sign_in(client, broker)
    for _ in range(4):
        page = guess(client, wrong_code(broker))
        assert "Incorrect code" in page and LOCKED_TEXT not in page
    assert LOCKED_TEXT in guess(client, wrong_code(broker))

    page = guess(client, totp_code(broker))

    assert LOCKED_TEXT in page
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN).exists()


@pytest.mark.django_db
def test_the_lock_holds_from_another_address(client, broker):
    start_sign_in(client, broker)
    for _ in range(5):
        guess(client, wrong_code(broker))

    # The same pending sign-in, the right code, from elsewhere.
    assert LOCKED_TEXT in guess(client, totp_code(broker), REMOTE_ADDR="203.0.113.9")
    # A fresh sign-in from elsewhere: the password step is refused with the lockout message.
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    response = elsewhere.post("/accounts/login/", {"login": broker.email, "password": PASSWORD})
    assert response.status_code == 200 and LOCKED_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session and "_auth_user_id" not in elsewhere.session


@pytest.mark.django_db
def test_the_right_code_works_again_after_30_minutes(client, broker):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        start_sign_in(client, broker)
        for _ in range(5):
            guess(client, wrong_code(broker))
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        response = client.post("/accounts/login/", {"login": broker.email, "password": PASSWORD})
        assert LOCKED_TEXT in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        start_sign_in(client, broker)
        response = client.post(AUTHENTICATE, {"code": totp_code(broker)})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(broker.pk)


@pytest.mark.django_db
def test_wrong_codes_and_the_refused_right_code_are_in_the_audit_trail(client, broker):
    # Only what follows: the account already has a trail (joining, certification).
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    start_sign_in(client, broker)
    for _ in range(5):
        guess(client, wrong_code(broker), HTTP_USER_AGENT="guesser/1.0")
    guess(client, totp_code(broker))

    events = list(AuditEvent.objects.filter(actor_label=broker.email, id__gt=before).order_by("id"))
    assert [e.action for e in events] == [Action.SIGN_IN_FAILED] * 5 + [Action.LOCKOUT, Action.SIGN_IN_BLOCKED]
    assert all(e.actor_id == broker.pk and e.ip == "127.0.0.1" and e.request_id for e in events)
    assert events[0].details == {"factor": "code", "reauthentication": False}
    assert events[0].user_agent == "guesser/1.0"
    assert events[-1].details == {"factor": "code", "reauthentication": False}


@pytest.mark.django_db
def test_wrong_passwords_and_wrong_codes_count_together(client, broker):
    for _ in range(3):
        client.post("/accounts/login/", {"login": broker.email, "password": "wrong password 123"})
    start_sign_in(client, broker)
    assert LOCKED_TEXT not in guess(client, wrong_code(broker))
    assert LOCKED_TEXT in guess(client, wrong_code(broker))


@pytest.mark.django_db
def test_signing_in_again_with_the_password_does_not_reset_the_count_of_wrong_codes(client, broker):
    """Otherwise four guesses, the password again, four more guesses... for ever."""
    start_sign_in(client, broker)
    for _ in range(4):
        guess(client, wrong_code(broker))
    client.post("/accounts/logout/")
    start_sign_in(client, broker)
    assert LOCKED_TEXT in guess(client, wrong_code(broker))


@pytest.mark.django_db
def test_a_completed_sign_in_starts_the_count_again(client, broker):
    start_sign_in(client, broker)
    for _ in range(4):
        guess(client, wrong_code(broker))
    assert client.post(AUTHENTICATE, {"code": totp_code(broker)}).status_code == 302
    client.post("/accounts/logout/")
    start_sign_in(client, broker)
    for _ in range(4):
        assert LOCKED_TEXT not in guess(client, wrong_code(broker))


@pytest.mark.django_db
def test_wrong_recovery_codes_count_and_a_right_one_is_refused_while_locked(client, broker):
    start_sign_in(client, broker)
    for guess_number in range(5):
        guess(client, f"{10000000 + guess_number}")  # recovery codes have 8 digits
    right = recovery_code(broker)

    assert LOCKED_TEXT in guess(client, right)
    assert "_auth_user_id" not in client.session
    assert (
        right
        in Authenticator.objects.get(user=broker, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()
    )


@pytest.mark.django_db
def test_answers_from_a_security_key_that_is_not_the_accounts_count_too(client, broker):
    start_sign_in(client, broker)
    for _ in range(5):
        response = client.post(AUTHENTICATE, {"credential": FORGED_ASSERTION})
        assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    failures = AuditEvent.objects.filter(actor=broker, action=Action.SIGN_IN_FAILED)
    assert [e.details["factor"] for e in failures] == ["security_key"] * 5
    assert AuditEvent.objects.filter(actor=broker, action=Action.LOCKOUT).exists()
    assert LOCKED_TEXT in guess(client, totp_code(broker))


@pytest.mark.django_db
def test_a_malformed_security_key_answer_is_a_wrong_answer_not_a_server_error(client, broker):
    start_sign_in(client, broker)
    response = client.post(AUTHENTICATE, {"credential": '{"id": "forged", "type": "public-key"}'})
    assert response.status_code == 200
    assert AuditEvent.objects.get(actor=broker, action=Action.SIGN_IN_FAILED).details["factor"] == "security_key"


@pytest.mark.django_db
def test_wrong_codes_at_reauthentication_count_toward_the_lock(client, broker):
    sign_in(client, broker)
    for _ in range(5):
        client.post("/accounts/2fa/reauthenticate/", {"code": wrong_code(broker)})

    response = client.post("/accounts/2fa/reauthenticate/", {"code": totp_code(broker)})

    assert response.status_code == 200 and LOCKED_TEXT in response.content.decode()
    failures = AuditEvent.objects.filter(actor=broker, action=Action.SIGN_IN_FAILED)
    assert [e.details for e in failures] == [{"factor": "code", "reauthentication": True}] * 5
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"login": broker.email, "password": PASSWORD})
    assert LOCKED_TEXT in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_wrong_codes_cannot_all_be_checked_before_the_lock(broker):
    """Eight sign-ins waiting at the code page guess at once: five are counted, the rest refused."""
    clients = [Client() for _ in range(8)]
    for each in clients:
        start_sign_in(each, broker)
    code = wrong_code(broker)
    barrier = threading.Barrier(len(clients))
    pages = [""] * len(clients)

    def attempt(i):
        try:
            barrier.wait()
            pages[i] = guess(clients[i], code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    actions = list(AuditEvent.objects.filter(actor=broker).values_list("action", flat=True))
    assert actions.count(Action.SIGN_IN_FAILED) == 5
    assert actions.count(Action.LOCKOUT) == 1
    assert actions.count(Action.SIGN_IN_BLOCKED) == 3
    assert sum(LOCKED_TEXT in page for page in pages) == 4  # the fifth failure and the three refused
