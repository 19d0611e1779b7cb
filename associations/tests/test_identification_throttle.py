"""Issue 9 §1, first layer: "Find a client" cannot be used to guess the last four of an SSN.

The attack as reported: a certified broker of another agency posts the consumer's name and date of birth with
one guess of the SSN's last four after another, with no limit, until one matches. Failures are now counted per
searcher and per person searched for, in the database, under a lock.
"""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from associations.models import Association
from audit.models import Action, AuditEvent
from certification.models import AssisterKind
from certification.tests.factories import make_assister, staff_user
from clients.identification import PAUSED_MESSAGE
from clients.models import Client, IdentificationFailure, IdentificationLock, IdentificationScope
from clients.tests.factories import make_client
from conftest import sign_in

FIND = reverse("clients:find")
NOT_MATCHED = "We could not match those details to a client."
PAUSED = str(PAUSED_MESSAGE).replace("'", "&#x27;")


@pytest.fixture
def victim():
    return make_client(
        first_name="Ana", last_name="García", date_of_birth=date(1990, 2, 3), ssn="987-65-4321", email="ana@example.org"
    )


@pytest.fixture
def attacker(client):
    """A certified broker of another agency, signed in."""
    assister = make_assister(AssisterKind.BROKER)
    sign_in(client, assister.user)
    return assister


def guess(last4: str, **overrides) -> dict:
    return {"first_name": "Ana", "last_name": "Garcia", "date_of_birth": "02/03/1990", "ssn_last4": last4} | overrides


@pytest.mark.django_db
def test_guessing_the_last_four_stops_after_five_misses_even_for_the_right_answer(
    client, attacker, victim, django_capture_on_commit_callbacks
):
    staff = staff_user()
    mail.outbox.clear()
    for wrong in ("0000", "0001", "0002", "0003", "0004"):
        with django_capture_on_commit_callbacks(execute=True):
            html = client.post(FIND, guess(wrong)).content.decode()
        assert NOT_MATCHED in html

    response = client.post(FIND, guess("4321"))  # the right answer, sixth try

    html = response.content.decode()
    assert response.status_code == 200 and PAUSED in html
    assert NOT_MATCHED not in html  # nothing says which part failed, or that the person exists
    assert not Association.objects.filter(client=victim).exists()
    assert IdentificationLock.objects.filter(scope=IdentificationScope.ACTOR, key=str(attacker.user.pk)).exists()
    assert AuditEvent.objects.filter(action=Action.CLIENT_LOOKUP_FAILED, actor=attacker.user).count() == 5
    assert AuditEvent.objects.filter(action=Action.IDENTIFICATION_LOCKED, actor=attacker.user).count() == 1
    assert AuditEvent.objects.filter(action=Action.IDENTIFICATION_BLOCKED, actor=attacker.user).count() == 1
    alerts = [m for m in mail.outbox if staff.email in m.to]
    assert len(alerts) == 1
    assert attacker.user.email in alerts[0].subject and "paused for 30 minutes" in alerts[0].body
    assert "4321" not in alerts[0].body and "García" not in alerts[0].body


@pytest.mark.django_db
def test_the_pause_lasts_thirty_minutes_then_searching_works_again(client, attacker, victim):
    for wrong in ("0000", "0001", "0002", "0003", "0004"):
        client.post(FIND, guess(wrong))
    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        client.cookies.clear()  # the idle timeout ended the session meanwhile
        sign_in(client, attacker.user)
        assert PAUSED in client.post(FIND, guess("4321")).content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        client.cookies.clear()
        sign_in(client, attacker.user)
        assert client.post(FIND, guess("4321")).status_code == 302
    assert Association.objects.filter(client=victim, assister=attacker).exists()


@pytest.mark.django_db
def test_misses_spread_over_more_than_fifteen_minutes_do_not_pause(client, attacker, victim):
    start = timezone.now()
    for n, wrong in enumerate(("0000", "0001", "0002", "0003", "0004", "0005")):
        with time_machine.travel(start + timedelta(minutes=4 * n)):  # within the idle timeout each time
            assert NOT_MATCHED in client.post(FIND, guess(wrong)).content.decode()
    assert not IdentificationLock.objects.exists()


@pytest.mark.django_db
def test_one_person_is_protected_however_many_assisters_try(client, settings, victim):
    settings.IDENTIFY_PERSON_MAX_FAILURES = 3
    for n in range(3):
        other = make_assister(AssisterKind.BROKER)
        sign_in(client, other.user)
        assert NOT_MATCHED in client.post(FIND, guess(f"000{n}")).content.decode()
        client.post(reverse("account_logout"))
    fourth = make_assister(AssisterKind.NAVIGATOR)
    sign_in(client, fourth.user)

    html = client.post(FIND, guess("4321")).content.decode()

    assert PAUSED in html
    assert not Association.objects.exists()
    assert IdentificationLock.objects.filter(scope=IdentificationScope.PERSON).count() == 1
    # Another person is not affected, and the table never holds the name, date of birth or SSN.
    make_client(first_name="Bo", last_name="Other", date_of_birth=date(1970, 1, 1), ssn="111-22-3334")
    assert (
        client.post(FIND, guess("3334", first_name="Bo", last_name="Other", date_of_birth="1970-01-01")).status_code
        == 302
    )
    stored = " ".join(IdentificationFailure.objects.values_list("key", flat=True))
    assert "garcia" not in stored.lower() and "1990" not in stored


@pytest.mark.django_db
def test_a_person_who_does_not_exist_is_counted_and_answered_the_same_way(client, settings, attacker):
    settings.IDENTIFY_PERSON_MAX_FAILURES = 2
    for wrong in ("0000", "0001"):
        assert NOT_MATCHED in client.post(FIND, guess(wrong, last_name="Nobody")).content.decode()
    assert PAUSED in client.post(FIND, guess("0002", last_name="Nobody")).content.decode()


@pytest.mark.django_db
def test_refusals_as_a_duplicate_when_creating_an_account_count_as_misses(client, attacker, victim):
    """Creating an account on behalf answers "may already have an account": it identifies, so it is counted."""
    url = reverse("clients:create_on_behalf")
    form = {
        "kind": "household",
        "first_name": "Ana",
        "last_name": "García",
        "date_of_birth": "02/03/1990",
        "email": "someone@example.org",
        "method": "recorded_call",
        "call_reference": "CALL-2026-0042",
        "call_time": "12:01 AM",
        "call_participants": "Ana García (client), me",
        "consent_date": timezone.localdate().strftime("%m/%d/%Y"),
        "attestation": "on",
    }
    for n in range(5):
        html = client.post(url, form | {"ssn": f"123-45-000{n}"}).content.decode()
        assert "This person may already have an account." in html
    html = client.post(url, form | {"first_name": "Zed", "ssn": "123-45-6799"}).content.decode()
    assert PAUSED in html
    assert not Client.objects.filter(first_name="Zed").exists()
    assert IdentificationFailure.objects.filter(scope=IdentificationScope.ACTOR).count() == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_guesses_cannot_get_past_the_limit(attacker, victim):
    """Ten guesses at once, each on its own connection: the count is serialized, so only five are checked."""
    from django.core.exceptions import ValidationError

    from associations.services import association_request

    outcomes: list[str] = []
    barrier = threading.Barrier(10)

    def try_one(n: int) -> None:
        try:
            barrier.wait()
            association_request(
                assister=attacker,
                actor=attacker.user,
                first_name="Ana",
                last_name="García",
                date_of_birth=date(1990, 2, 3),
                ssn_last4=f"00{n:02d}",
            )
        except ValidationError as exc:
            outcomes.append("paused" if str(PAUSED_MESSAGE) in exc.messages else "miss")
        finally:
            connection.close()

    threads = [threading.Thread(target=try_one, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["miss"] * 5 + ["paused"] * 5
    assert IdentificationFailure.objects.filter(scope=IdentificationScope.ACTOR).count() == 5


@pytest.mark.django_db
def test_giving_both_the_email_and_the_last_four_is_one_guess_not_two(client, attacker, victim):
    """A wrong email with the right last four (or the reverse) does not match: every detail given must."""
    html = client.post(FIND, guess("4321", email="someone-else@example.org")).content.decode()
    assert NOT_MATCHED in html
    html = client.post(FIND, guess("0000", email="ana@example.org")).content.decode()
    assert NOT_MATCHED in html
    assert not Association.objects.exists()
    assert client.post(FIND, guess("4321", email="ANA@example.org")).status_code == 302


@pytest.mark.django_db
def test_probing_one_ssn_under_many_names_is_counted_against_the_ssn(client, settings, victim):
    """Self-signed-up accounts each try the victim's SSN with a new name: the SSN's own limit stops them."""
    from accounts.models import Role
    from accounts.tests.factories import UserFactory
    from core.models import County, Language

    settings.IDENTIFY_PERSON_MAX_FAILURES = 3
    profile = {
        "kind": "household",
        "date_of_birth": "1970-01-01",
        "ssn": "987-65-4321",
        "street": "1 Main St",
        "city": "Duluth",
        "zip_code": "55802",
        "county": County.objects.get(name="Hennepin").pk,
        "preferred_language": Language.objects.get(code="en").pk,
    }
    answers = []
    for n in range(4):
        prober = UserFactory(role=Role.CONSUMER, email=f"prober{n}@example.org")
        client.cookies.clear()
        sign_in(client, prober, follow=False)
        html = client.post(
            reverse("associations:profile"), profile | {"first_name": f"Name{n}", "last_name": f"Other{n}"}
        ).content.decode()
        answers.append("match a record we already have" in html)
    assert answers == [True, True, True, False]  # the fourth account is paused, whatever the name
    assert not Client.objects.filter(user__email__startswith="prober").exists()
