"""The worklist's writes (issue 17): reminders an assister sends clients about their open items, and the daily
digest to each assister. Both read the items again from the apps' rows (worklist.selectors) so nothing ticked on a
stale page, or forged, is reminded of."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import DIGEST_ROLES, User
from associations.notices import client_helpers
from associations.permissions_sync import clients_visible_q
from audit.models import Action
from audit.services import audit_record, audit_record_for_client_ids
from clients.models import Client
from clients.notices import notice_for_client
from notices.emails import body_language

# `tasks` sends the digest email and its daily task calls this module: the module, not its names, is imported.
from . import notices, selectors, tasks
from .kinds import BY_CODE
from .models import DigestSent, FollowUpReminder

logger = logging.getLogger(__name__)

MAX_REMINDERS = 100  # items one request may remind of (a page of the worklist is 50)


@dataclass
class RemindResult:
    sent: int = 0
    already: int = 0  # reminded today already (one a day per client and item)
    refused: int = 0  # no longer open, not in the book, not a client's item, or view_client not granted


def _parse(keys: list[str]) -> set[tuple[str, str]]:
    wanted = set()
    for key in keys:
        kind, _sep, ref = key.partition(":")
        if kind in BY_CODE and BY_CODE[kind].reminder and ref and len(ref) <= 64:
            wanted.add((kind, ref))
    return wanted


def followups_remind(
    *, actor: User, keys: list[str], request: HttpRequest | None = None, today: date | None = None
) -> RemindResult:
    """Send each ticked item's client a reminder notice about that item (`keys` are "kind:ref" from the page).

    Only items still open in the actor's book, only to clients whose association grants the actor `view_client`,
    at most one notice per client, item and day (a database constraint). Each one is audited against the client."""
    today = today or timezone.localdate()
    wanted = _parse(keys[:MAX_REMINDERS])
    result = RemindResult(refused=len(set(keys[:MAX_REMINDERS])) - len(wanted))
    if not wanted:
        return result
    filters = selectors.Filters(kinds=tuple({kind for kind, _ref in wanted}), refs=tuple({ref for _k, ref in wanted}))
    rows = [
        row
        for row in selectors.followups(actor, filters, today=today)
        if (row["fu_kind"], row["fu_ref"]) in wanted and row["fu_client_pk"]
    ]
    result.refused += len(wanted) - len(rows)
    visible = Client.objects.filter(
        clients_visible_q(actor, "view_client"), pk__in={row["fu_client_pk"] for row in rows}
    ).select_related("user", "preferred_language", "employer")
    clients = {client.pk: client for client in visible}
    sender = actor.get_full_name() or actor.email
    for row in rows:
        client = clients.get(row["fu_client_pk"])
        if client is None:
            result.refused += 1
            continue
        kind = BY_CODE[row["fu_kind"]]
        try:
            with transaction.atomic():
                if FollowUpReminder.objects.filter(
                    client=client, kind=kind.code, ref=row["fu_ref"], day=today
                ).exists():
                    result.already += 1
                    continue
                notice = notice_for_client(
                    kind=notices.REMINDER.code,
                    client=client,
                    body={
                        "item": kind.code,
                        "deadline": row["fu_deadline"].isoformat() if row["fu_deadline"] else None,
                        "sender": sender,
                    },
                    helpers=client_helpers(client),
                    due=row["fu_deadline"],
                )
                FollowUpReminder.objects.create(
                    client=client, kind=kind.code, ref=row["fu_ref"], day=today, notice=notice, sent_by=actor
                )
                audit_record(
                    action=Action.FOLLOWUP_REMINDED,
                    actor=actor,
                    request=request,
                    target=notice,
                    client=client,
                    details={"item": kind.code, "ref": row["fu_ref"]},
                )
        except IntegrityError:  # the same reminder from another request a moment ago
            result.already += 1
            continue
        result.sent += 1
    return result


# --- The daily digest ----------------------------------------------------------------------------------------


@dataclass
class Digest:
    new: dict[str, int] = field(default_factory=dict)  # kind code → items that appeared in the last day
    overdue: dict[str, int] = field(default_factory=dict)  # kind code → items past their deadline
    overdue_first_names: list[str] = field(default_factory=list)  # at most 10, no other personal data
    named_client_ids: list[int] = field(default_factory=list)  # whose first name it gives (each audited)

    @property
    def empty(self) -> bool:
        return not self.new and not self.overdue


def digest_for(user: User, today: date) -> Digest:
    """What the digest says: counts of follow-ups new since the last digest (or in the last day) and of overdue ones,
    per kind (two queries)."""
    digest = Digest()
    last = DigestSent.objects.filter(user=user).order_by("-at").values_list("at", flat=True).first()
    since = last or timezone.make_aware(datetime.combine(today - timedelta(days=1), time.min))
    for row in selectors.followups(user, today=today):
        kind = row["fu_kind"]
        if row["fu_since"] and row["fu_since"] >= since:
            digest.new[kind] = digest.new.get(kind, 0) + 1
        if row["fu_severity"] == selectors.Severity.OVERDUE:
            digest.overdue[kind] = digest.overdue.get(kind, 0) + 1
            name = row["fu_client_first_name"]
            if name and len(digest.overdue_first_names) < 10 and name not in digest.overdue_first_names:
                digest.overdue_first_names.append(name)
                digest.named_client_ids.append(row["fu_client_pk"])
    return digest


def digest_send(*, user: User, today: date | None = None) -> bool:
    """Send `user` today's digest unless they turned it off, it was sent today already, or nothing is new or overdue.
    The DigestSent row and the email go together: the email is sent after the row commits, so a digest is never sent
    twice for a day (a lost email is not resent)."""
    today = today or timezone.localdate()
    if not user.is_active or not user.daily_digest or user.role not in DIGEST_ROLES or not user.email:
        return False
    digest = digest_for(user, today)
    if digest.empty:
        return False
    try:
        with transaction.atomic():
            DigestSent.objects.create(
                user=user, day=today, new=sum(digest.new.values()), overdue=sum(digest.overdue.values())
            )
            # The clients it names (first name only) see it in "Who viewed my information".
            audit_record_for_client_ids(
                action=Action.CLIENT_LIST_VIEWED,
                actor=user,
                client_ids=digest.named_client_ids,
                details={"what": "digest"},
            )
            language = body_language(user.preferred_language.code if user.preferred_language_id else "en")
            context = {
                "first_name": user.first_name,
                "day": today.isoformat(),
                "new": digest.new,
                "overdue": digest.overdue,
                "overdue_first_names": digest.overdue_first_names,
                "worklist_path": reverse("worklist:list"),
                "language": language,
            }
            transaction.on_commit(lambda: tasks.send_digest_email.delay(user.email, context))
    except IntegrityError:
        return False
    return True


def digests_send_all(today: date | None = None) -> int:
    """The daily task's body: every assister and agency staff member who wants the digest and has not had today's."""
    today = today or timezone.localdate()
    sent = 0
    users = (
        User.objects.filter(role__in=DIGEST_ROLES, is_active=True, daily_digest=True)
        .exclude(email="")
        .exclude(Q(pk__in=DigestSent.objects.filter(day=today).values("user_id")))
        .select_related("preferred_language")
        .order_by("pk")
    )
    for user in users.iterator(chunk_size=500):
        try:
            sent += digest_send(user=user, today=today)
        except Exception:  # one person's failure must not stop the others' digests
            logger.exception("The daily digest to user %s failed.", user.pk)
    return sent
