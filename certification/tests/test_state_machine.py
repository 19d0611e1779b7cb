"""The certification state machine, enumerated from its declaration: every declared transition works from each
of its source states, every undeclared one is refused with TransitionNotAllowed and changes nothing."""

import threading
import time
from collections import deque
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from assister_portal.lib.state_machine import StateMachine, Transition, TransitionNotAllowed
from audit.models import Action, AuditEvent
from certification.models import AssisterKind, Certification, CertificationEvent, CertificationStatus
from certification.notices import DECISIONS
from certification.services import CERTIFICATION_MACHINE, CertificationTransition, Who
from certification.tests.factories import complete_application, make_assister, staff_checks, staff_user
from conftest import sign_in
from notices.models import Notice

MACHINE = CERTIFICATION_MACHINE
CHICAGO = timezone.get_fixed_timezone(-360)
S, T = CertificationStatus, CertificationTransition
DECLARED = [(t.name, source) for t in MACHINE for source in sorted(t.sources)]
UNDECLARED = [(t.name, state) for t in MACHINE for state in S if state not in t.sources]


def path_to(status) -> list[Transition]:
    """The shortest run of declared transitions from a new application (draft) to `status`."""
    paths, queue = {S.DRAFT: []}, deque([S.DRAFT])
    while queue:
        state = queue.popleft()
        for transition in MACHINE.available(state):
            if transition.target not in paths:
                paths[transition.target] = [*paths[state], transition]
                queue.append(transition.target)
    return paths[status]


def make(cert, transition: Transition):
    """Run one transition the way its callers do: applicants act for themselves, staff give a reason,
    approval follows staff checks, and the sweep expires a certification the day after its period."""
    if transition.name == T.APPROVE:
        staff_checks(cert)
    actor = cert.assister.user if transition.who == Who.APPLICANT else None
    if transition.who == Who.STAFF:
        actor = staff_user()
    reason = "Reviewed." if transition.needs_reason else ""
    if transition.name == T.EXPIRE:
        day_after = cert.valid_until + timedelta(days=1)
        with time_machine.travel(datetime(day_after.year, day_after.month, day_after.day, 12, tzinfo=CHICAGO)):
            return MACHINE.run(cert, transition.name, actor=actor, reason=reason)
    return MACHINE.run(cert, transition.name, actor=actor, reason=reason)


def certification_in(status) -> Certification:
    """A navigator's certification in `status`, reached through the machine from a complete draft."""
    assister = make_assister(AssisterKind.NAVIGATOR, state="draft")
    cert = complete_application(assister.certifications.get())
    for transition in path_to(status):
        cert = make(cert, transition)
    assert cert.status == status
    return cert


def test_every_status_is_reachable_from_a_new_application_and_every_transition_is_declared_once():
    assert {status for status in S if status == S.DRAFT or path_to(status)} == set(S)
    assert sorted(t.name for t in MACHINE) == sorted(T)
    assert [t.name for t in MACHINE if t.who == Who.SYSTEM] == [T.EXPIRE]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "source"), DECLARED)
def test_every_declared_transition_works_and_records_its_event_and_audit_row(
    name, source, django_capture_on_commit_callbacks
):
    cert = certification_in(source)
    transition = MACHINE.transitions[name]
    events, audits = cert.events.count(), AuditEvent.objects.filter(action=Action.CERTIFICATION_CHANGED).count()
    mail.outbox.clear()
    before = Notice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        done = make(cert, transition)
    assert done.status == transition.target
    assert Certification.objects.get(pk=cert.pk).status == transition.target
    event = cert.events.order_by("-id").first()
    assert cert.events.count() == events + 1
    assert (event.from_status, event.to_status) == (source, transition.target)
    assert event.reason == ("Reviewed." if transition.needs_reason else "")  # what `make` gave, stripped
    audit = AuditEvent.objects.filter(action=Action.CERTIFICATION_CHANGED).order_by("-id").first()
    assert AuditEvent.objects.filter(action=Action.CERTIFICATION_CHANGED).count() == audits + 1
    assert audit.details == {"action": name, "from": source, "to": transition.target}
    # A decision is a notice to the applicant, rendered and emailed after commit; the applicant's own steps
    # and the start of a review send none.
    notices = Notice.objects.filter(user=cert.assister.user, pk__gt=before)
    expected = DECISIONS[name].code if name in DECISIONS else None
    assert list(notices.values_list("kind", flat=True)) == ([expected] if expected else [])
    emailed = [m for m in mail.outbox if cert.assister.user.email in m.to]
    assert len(emailed) == len(notices)


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(S))
def test_every_undeclared_transition_is_refused_with_one_error_type_and_changes_nothing(
    status, django_capture_on_commit_callbacks
):
    cert = certification_in(status)
    events, audits = CertificationEvent.objects.count(), AuditEvent.objects.count()
    refused = [(name, state) for name, state in UNDECLARED if state == status]
    with django_capture_on_commit_callbacks() as callbacks:
        for name, _state in refused:
            with pytest.raises(TransitionNotAllowed) as error:
                MACHINE.run(cert, name, actor=staff_user(), reason="Trying anyway.")
            label = cert.get_status_display().lower()
            assert error.value.messages == [f"Cannot {T(name).label} a certification that is {label}."]
    assert Certification.objects.get(pk=cert.pk).status == status
    assert (CertificationEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)
    assert callbacks == []


@pytest.mark.django_db
def test_the_state_is_read_again_under_the_lock_so_a_stale_copy_cannot_make_a_forbidden_move():
    stale = certification_in(S.SUBMITTED)
    make(Certification.objects.get(pk=stale.pk), MACHINE.transitions[T.APPROVE])
    assert stale.status == S.SUBMITTED  # the caller's copy is out of date…
    with pytest.raises(TransitionNotAllowed, match="Cannot withdraw a certification that is approved"):
        MACHINE.run(stale, T.WITHDRAW, actor=stale.assister.user)  # …the machine decides on the row as it is now


def _waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transition_waits_for_the_row_lock_and_then_decides_on_the_state_it_finds():
    """The order is fixed: we approve and keep our transaction open; the other transition starts and is seen
    (by PostgreSQL) waiting for a lock; only then do we commit; it finishes after our commit, refused."""
    cert = certification_in(S.IN_REVIEW)
    staff_checks(cert)
    staff = staff_user()
    outcome, started = {}, threading.Event()

    def deny_at_the_same_time():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cursor.fetchone()[0]
            started.set()
            try:
                MACHINE.run(cert, T.DENY, actor=staff, reason="Incomplete.")
                outcome["denied"] = True
            except TransitionNotAllowed as error:
                outcome["refused"] = error.messages
            outcome["finished_at"] = time.monotonic()
        finally:
            started.set()
            connection.close()

    other = threading.Thread(target=deny_at_the_same_time)
    with transaction.atomic():
        MACHINE.run(cert, T.APPROVE, actor=staff, reason="All checks passed.")  # holds the row lock until commit
        other.start()
        assert started.wait(timeout=30)
        deadline, waited = time.monotonic() + 30, False
        while other.is_alive() and time.monotonic() < deadline:
            if _waiting_for_a_lock(outcome["pid"]):
                waited = True
                break
            time.sleep(0.01)
        assert waited, f"the other transition did not wait for our lock: {outcome}"
        assert "finished_at" not in outcome
        committed_at = time.monotonic()  # just before the commit, which releases the lock
    other.join(timeout=30)
    assert not other.is_alive()
    assert outcome["finished_at"] > committed_at  # it went on only once we had committed
    assert {key: outcome[key] for key in outcome.keys() - {"pid", "finished_at"}} == {
        "refused": ["Cannot deny a certification that is approved."]
    }
    assert list(cert.events.order_by("id").values_list("to_status", flat=True))[-1] == S.APPROVED


@pytest.mark.django_db
def test_a_refusal_reaches_the_applicant_as_a_plain_message_and_changes_nothing(client):
    """Staff see refusals the same way: test_admin_review.py (bulk actions and the decide page)."""
    cert = certification_in(S.SUBMITTED)
    sign_in(client, cert.assister.user)
    response = client.post("/certification/application/submit/", follow=True)  # a second click, or a stale tab
    assert "Cannot submit a certification that is submitted." in response.content.decode()
    assert cert.events.count() == 1


def test_a_machine_refuses_a_declaration_with_an_unknown_state_or_a_name_declared_twice():
    def declare(*transitions):
        return StateMachine(
            model=Certification,
            transitions=transitions,
            events=(CertificationEvent, "certification"),
            audit=lambda step: None,
            refusal="Cannot %(action)s: %(status)s.",
            reason_message="Give a reason.",
        )

    with pytest.raises(ValueError, match="unknown"):
        declare(Transition(T.SUBMIT, {"nowhere"}, S.SUBMITTED, who=Who.APPLICANT))
    with pytest.raises(ValueError, match="declared twice"):
        declare(
            Transition(T.SUBMIT, {S.DRAFT}, S.SUBMITTED, who=Who.APPLICANT),
            Transition(T.SUBMIT, {S.INFO_REQUESTED}, S.SUBMITTED, who=Who.APPLICANT),
        )
    machine = declare(Transition(T.SUBMIT, {S.DRAFT}, S.SUBMITTED, who=Who.APPLICANT))
    assert [t.name for t in machine.available(S.DRAFT, who=Who.APPLICANT)] == [T.SUBMIT]
    assert machine.available(S.DRAFT, who=Who.STAFF) == []
