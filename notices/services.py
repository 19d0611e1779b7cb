"""Every write to notices and invoices (CONVENTIONS: writes go through services).

The outbox: `notice_create` inserts the Notice in the caller's transaction and sends the rendering task
after the commit (a rolled-back event leaves no notice; a committed one always has one, whatever the
broker does, because the sweep finds what the broker lost). The status moves through NOTICE_MACHINE, the
shared kernel's state machine: queued → rendering → ready | failed, rendering → queued when a rendering
stopped part way (the sweep), failed → queued when staff retry.

Rendering is idempotent: the PDF has one storage name per notice and is written under the row's lock only
while the notice is `rendering`, so a second run (a redelivered task, a duplicate) stores no second file;
the "a notice is waiting" email is sent under the row's lock only while `emailed_at` is empty.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.models import User
from assister_portal.lib.state_machine import StateMachine, Step, Transition, TransitionNotAllowed
from audit.models import Action, Outcome
from audit.services import audit_record

from . import kinds, tasks
from .emails import send_notice_waiting
from .kinds import Recipient
from .models import Invoice, Notice, NoticeEvent, NoticeStatus
from .rendering import Rendered, render_pdf

S = NoticeStatus
logger = logging.getLogger(__name__)


class NoticeTransition(models.TextChoices):
    START = "start", gettext_lazy("start preparing")
    FINISH = "finish", gettext_lazy("finish")
    FAIL = "fail", gettext_lazy("mark as failed")
    REQUEUE = "requeue", gettext_lazy("queue again")
    RETRY = "retry", gettext_lazy("retry")


class Who(models.TextChoices):
    SYSTEM = "system"  # the rendering task and the sweep
    STAFF = "staff"  # the admin's "retry" action


T = NoticeTransition


def _started(step: Step) -> None:
    step.instance.attempts += 1
    step.instance.status_changed_at = step.at
    step.fields += ["attempts", "status_changed_at"]


def _moved(step: Step) -> None:
    step.instance.status_changed_at = step.at
    step.fields.append("status_changed_at")
    if step.reason:
        step.instance.last_error = step.reason
        step.fields.append("last_error")


def _finished(step: Step) -> None:
    rendered: Rendered = step.options["rendered"]
    notice = step.instance
    name = notice.pdf.field.generate_filename(notice, "notice.pdf")
    storage = notice.pdf.storage
    if storage.exists(name):  # left by a rendering that stopped after writing: replaced, never a second file
        storage.delete(name)
    notice.pdf.save(name, ContentFile(rendered.pdf), save=False)
    notice.sha256 = hashlib.sha256(rendered.pdf).hexdigest()
    notice.pages = rendered.pages
    notice.ready_at = notice.status_changed_at = step.at
    notice.last_error = ""
    step.fields += ["pdf", "sha256", "pages", "ready_at", "status_changed_at", "last_error"]


def _retried(step: Step) -> None:
    step.instance.attempts = 0
    _moved(step)
    step.fields.append("attempts")


def _audit(step: Step) -> None:
    """The trail records what people see of notices elsewhere (views, downloads); here only failures and
    staff retries, which someone must act on. Every status change is in NoticeEvent."""
    if step.transition.name not in (T.FAIL, T.RETRY):
        return
    notice = step.instance
    audit_record(
        action=Action.NOTICE_FAILED if step.transition.name == T.FAIL else Action.NOTICE_RETRIED,
        actor=step.actor,
        request=step.request,
        outcome=Outcome.FAILURE if step.transition.name == T.FAIL else Outcome.SUCCESS,
        target=notice,
        details={"kind": notice.kind, "attempts": notice.attempts, "reason": step.reason[:500]},
    )


def _after_commit(step: Step):
    notice_id = step.instance.pk
    if step.transition.name in (T.FINISH, T.FAIL):
        # A failed PDF does not hold the email back: the notice reads as a page, and a claim or one-click end
        # link in the email must reach the recipient whatever became of the PDF.
        return lambda: _send(tasks.email_notice, notice_id)
    if step.transition.name == T.RETRY or (step.transition.name == T.REQUEUE and step.options.get("resend", True)):
        return lambda: _send(tasks.render_notice, notice_id)
    return None


NOTICE_MACHINE = StateMachine(
    model=Notice,
    events=(NoticeEvent, "notice"),
    audit=_audit,
    after_commit=_after_commit,
    refusal=gettext_lazy("Cannot %(action)s a notice that is %(status)s."),
    reason_message=gettext_lazy("Give the reason."),
    transitions=[
        Transition(T.START, {S.QUEUED}, S.RENDERING, who=Who.SYSTEM, apply=_started),
        Transition(T.FINISH, {S.RENDERING}, S.READY, who=Who.SYSTEM, apply=_finished),
        Transition(T.FAIL, {S.QUEUED, S.RENDERING}, S.FAILED, who=Who.SYSTEM, needs_reason=True, apply=_moved),
        Transition(T.REQUEUE, {S.RENDERING}, S.QUEUED, who=Who.SYSTEM, needs_reason=True, apply=_moved),
        Transition(T.RETRY, {S.FAILED}, S.QUEUED, who=Who.STAFF, apply=_retried),
    ],
)


# After the broker refused one message, this process leaves the next ones to the sweep for a while instead of
# waiting on Redis for each: a change that writes many notices (a decertification tells every client) would
# otherwise block its page for half a second per notice while Redis is down.
BROKER_PAUSE_SECONDS = 15.0
_broker_unreachable_until = 0.0


def _send(task, notice_id: int) -> bool:
    """Hand a notice to the broker; whether it was. If the broker cannot take it (or, run in-process, the task
    fails), the row stays as it is and the sweep sends it again later: nothing is lost, so the error is
    logged, not raised into the page whose event caused the notice."""
    global _broker_unreachable_until
    if _sending_deferred.get():  # see sending_deferred: the sweep sends it
        return False
    if time.monotonic() < _broker_unreachable_until:
        logger.warning("Notice %s: the broker was unreachable a moment ago; left for the sweep.", notice_id)
        return False
    try:
        task.delay(notice_id)
    except Exception as exc:
        if task.app.conf.task_always_eager:  # no broker (make run, tests): the task ran here, and failed
            logger.exception("Notice %s: %s failed; the sweep sends it again.", notice_id, task.name)
            return False
        if isinstance(exc, KombuOperationalError | ConnectionError | OSError):
            _broker_unreachable_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.exception("Notice %s: %s not sent to the broker; the sweep sends it again.", notice_id, task.name)
        return False
    return True


# --- Creating notices (the outbox) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Addressee:
    """Who a notice is for, as printed on it: their name, postal address lines, email and language."""

    name: str
    first_name: str
    address: list[str] = field(default_factory=list)
    email: str = ""
    language: str = "en"


def notice_create(
    *,
    kind: str,
    addressee: Addressee,
    body: dict,
    client=None,
    user: User | None = None,
    helpers: list[dict] | None = None,
    due: date | None = None,
    email_link: str = "",
) -> Notice:
    """Write a notice in the caller's transaction and render it after the commit.

    `body` is what the kind's template shows (JSON: strings, numbers, ISO dates); `helpers` are the
    recipient's assisters of record with their contact details, for "How to get help"; `due` is the date by
    which the recipient must act, if any; `email_link` is a one-use link the email carries and no page shows.
    """
    spec = kinds.get(kind)
    if (spec.recipient == Recipient.CLIENT) != (client is not None) or (client is None) == (user is None):
        raise ValueError(f"A {kind!r} notice is for a {spec.recipient}: give exactly that recipient.")
    now = timezone.now()
    notice = Notice(
        kind=kind,
        client=client,
        user=user,
        language=addressee.language or "en",
        email_to=addressee.email,
        email_link=email_link,
        created_at=now,
        status_changed_at=now,
        data={
            "recipient": {"name": addressee.name, "first_name": addressee.first_name, "address": addressee.address},
            "helpers": helpers or [],
            "body": body,
            "due": due.isoformat() if due else None,
        },
    )
    notice.full_clean(exclude=["pdf"])
    notice.save()
    NoticeEvent.objects.create(notice=notice, from_status=S.QUEUED, to_status=S.QUEUED, at=now)
    if not _sending_deferred.get():
        transaction.on_commit(lambda: _send(tasks.render_notice, notice.pk))
    return notice


_sending_deferred = contextvars.ContextVar("notices_sending_deferred", default=False)


@contextmanager
def sending_deferred() -> Iterator[None]:
    """Notices created inside are written (the outbox) but not sent to the worker after the commit, and a
    rendering run inside sends no email task: the sweep sends them once they have waited NOTICE_QUEUED_TIMEOUT.
    For bulk loads (the demo's directory of made-up people) that would otherwise render hundreds of PDFs nobody
    reads, one after the other, and for the rendering benchmark (the rendering alone, no broker)."""
    token = _sending_deferred.set(True)
    try:
        yield
    finally:
        _sending_deferred.reset(token)


def user_addressee(user: User) -> Addressee:
    """A user as a notice's recipient: their name, email and preferred language (English when not chosen)."""
    return Addressee(
        name=user.get_full_name() or user.email,
        first_name=user.first_name or user.get_full_name() or "",
        email=user.email,
        language=user.preferred_language.code if user.preferred_language_id else "en",
    )


def notice_for_user(*, kind: str, user: User, body: dict, due: date | None = None) -> Notice:
    return notice_create(kind=kind, addressee=user_addressee(user), body=body, user=user, due=due)


# --- Rendering, emailing, the sweep (called by tasks) --------------------------------------------------


def notice_render(*, notice_id: int) -> Notice | None:
    """Render one notice's PDF and mark it ready (the task's body). Idempotent; see the module docstring."""
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        return None
    if notice.status == S.QUEUED:
        try:
            if notice.attempts >= settings.NOTICE_MAX_ATTEMPTS:
                return NOTICE_MACHINE.run(notice, T.FAIL, actor=None, reason=_gave_up(notice))
            notice = NOTICE_MACHINE.run(notice, T.START, actor=None)
        except TransitionNotAllowed:  # another run took it between our read and the row lock: it is theirs
            return Notice.objects.get(pk=notice_id)
    elif notice.status != S.RENDERING:  # ready or failed: nothing to do (a duplicate or late message)
        return notice
    try:
        rendered = render_pdf(notice)
    except Exception as exc:
        _rendering_stopped(notice, f"{type(exc).__name__}: {exc}")
        raise
    with transaction.atomic():
        current = Notice.objects.select_for_update().get(pk=notice.pk)
        if current.status != S.RENDERING:  # another run finished it first: store nothing
            return current
        return NOTICE_MACHINE.run(current, T.FINISH, actor=None, rendered=rendered)


def _gave_up(notice: Notice) -> str:
    return f"Stopped after {notice.attempts} attempts. Last error: {notice.last_error or 'none recorded'}"[:2000]


def _rendering_stopped(notice: Notice, error: str) -> None:
    """A rendering raised: record why; queue it again, or fail it once the attempts are used up."""
    with transaction.atomic():
        current = Notice.objects.select_for_update().get(pk=notice.pk)
        if current.status != S.RENDERING:
            return
        current.last_error = error[:2000]
        current.save(update_fields=["last_error"])
        if current.attempts >= settings.NOTICE_MAX_ATTEMPTS:
            NOTICE_MACHINE.run(current, T.FAIL, actor=None, reason=_gave_up(current))
        else:
            # Not sent again from here: the task's retry (with backoff) or the sweep sends it.
            NOTICE_MACHINE.run(current, T.REQUEUE, actor=None, reason=error[:2000], resend=False)


def notice_email(*, notice_id: int) -> bool:
    """Email the recipient that a notice is waiting, once. Returns whether an email was sent now."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None or notice.status not in (S.READY, S.FAILED) or notice.emailed_at is not None:
            return False
        if not notice.email_to:  # nobody to email (a client with no address): the link is not kept either
            if notice.email_link:
                notice.email_link = ""
                notice.save(update_fields=["email_link"])
            return False
        send_notice_waiting(notice)
        notice.emailed_at = timezone.now()
        notice.email_link = ""  # the one-use link is not kept once it has left
        notice.save(update_fields=["emailed_at", "email_link"])
        return True


@dataclass
class SweepResult:
    requeued: int = 0
    resent: int = 0
    failed: int = 0
    emails: int = 0


def notices_sweep() -> SweepResult:
    """Periodic (Celery beat): deliver what a lost message, a dead worker or a broker outage left behind.

    - queued longer than NOTICE_QUEUED_TIMEOUT: the rendering task is sent again;
    - rendering longer than NOTICE_RENDERING_TIMEOUT (longer than a task may run): queued again, or failed
      with the reason once NOTICE_MAX_ATTEMPTS renderings have started;
    - ready with its email unsent for NOTICE_QUEUED_TIMEOUT: the email task is sent again.
    """
    now = timezone.now()
    result = SweepResult()
    queued_before = now - timedelta(seconds=settings.NOTICE_QUEUED_TIMEOUT)
    rendering_before = now - timedelta(seconds=settings.NOTICE_RENDERING_TIMEOUT)
    for notice in Notice.objects.filter(status=S.RENDERING, status_changed_at__lt=rendering_before).only("pk"):
        with transaction.atomic():
            current = Notice.objects.select_for_update(skip_locked=True).filter(pk=notice.pk).first()
            if current is None or current.status != S.RENDERING or current.status_changed_at >= rendering_before:
                continue
            if current.attempts >= settings.NOTICE_MAX_ATTEMPTS:
                NOTICE_MACHINE.run(current, T.FAIL, actor=None, reason=_gave_up(current))
                result.failed += 1
            else:
                reason = "The rendering did not finish in time (a worker stopped); queued again."
                NOTICE_MACHINE.run(current, T.REQUEUE, actor=None, reason=reason)
                result.requeued += 1
    for notice_id in Notice.objects.filter(status=S.QUEUED, status_changed_at__lt=queued_before).values_list(
        "pk", flat=True
    ):
        # Stamped first, so a backlog is sent again once per NOTICE_QUEUED_TIMEOUT, not at every sweep.
        if Notice.objects.filter(pk=notice_id, status=S.QUEUED, status_changed_at__lt=queued_before).update(
            status_changed_at=now
        ) and _send(tasks.render_notice, notice_id):
            result.resent += 1
    unsent = Notice.objects.filter(
        status__in=(S.READY, S.FAILED), emailed_at__isnull=True, status_changed_at__lt=queued_before
    ).exclude(email_to="")
    for notice_id in unsent.values_list("pk", flat=True):
        if _send(tasks.email_notice, notice_id):
            result.emails += 1
    return result


def notice_retry(*, notice: Notice, actor: User, request: HttpRequest | None = None) -> Notice:
    """Staff send a failed notice back to be rendered (the admin's "retry" action)."""
    return NOTICE_MACHINE.run(notice, T.RETRY, actor=actor, request=request)


def notice_mark_read(*, notice: Notice, actor: User) -> Notice:
    """The recipient opened it (only the recipient's own opening marks it read, never an assister's)."""
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
        notice.refresh_from_db(fields=["read_at"])
        audit_record(action=Action.NOTICE_READ, actor=actor, target=notice, details={"kind": notice.kind})
    return notice


# --- Invoices ------------------------------------------------------------------------------------------


def invoice_create(
    *,
    client,
    addressee: Addressee,
    period_start: date,
    period_end: date,
    lines: list[tuple[str, Decimal]],
    due_date: date,
    helpers: list[dict] | None = None,
    kind: str = "invoice",
) -> Invoice:
    """A bill and its notice, in one transaction. Amounts are Decimals in dollars; the total is their sum."""
    if not lines:
        raise ValidationError("An invoice needs at least one line.")
    cents = [Decimal(amount).quantize(Decimal("0.01")) for _description, amount in lines]
    total = sum(cents, Decimal("0.00"))
    stored = [
        {"description": description, "amount": str(amount)}
        for (description, _a), amount in zip(lines, cents, strict=True)
    ]
    with transaction.atomic():
        notice = notice_create(
            kind=kind,
            addressee=addressee,
            client=client,
            helpers=helpers,
            due=due_date,
            body={
                "period_start": period_start.isoformat(),
                "period_end": period_end.isoformat(),
                "lines": stored,
                "total": str(total),
                "due_date": due_date.isoformat(),
            },
        )
        invoice = Invoice(
            client=client,
            notice=notice,
            period_start=period_start,
            period_end=period_end,
            lines=stored,
            amount=total,
            due_date=due_date,
        )
        invoice.full_clean()
        invoice.save()
    return invoice


def invoice_mark_paid(*, invoice: Invoice, actor: User, request: HttpRequest | None = None) -> Invoice:
    with transaction.atomic():
        current = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if current.paid_at is not None:
            raise ValidationError("This invoice is already marked paid.")
        current.paid_at, current.paid_by = timezone.now(), actor
        current.save(update_fields=["paid_at", "paid_by"])
        audit_record(action=Action.INVOICE_PAID, actor=actor, request=request, target=current, client=current.client)
    return current
