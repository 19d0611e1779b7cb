"""Throttling attempts to identify a person (DESIGN §8): "Find a client", duplicates refused when an assister
creates an account on behalf, and a consumer's own details that match someone else's record.

Each is an oracle: the answer tells the searcher whether a person with these details exists. So failures are
counted in the database, per searcher (5 in 15 minutes pause that searcher for 30) and per person searched for,
however many searchers try (10 in 24 hours pause searches for that person for 24 hours). A person's keys are
keyed hashes of the name and date of birth as typed, and of the SSN when one is typed, so a person who does not
exist is counted the same way as one who does, probing one SSN under many names is counted against the SSN, and
the table identifies no one. Checks and counts for one searcher and one person take turns under
transaction-scoped advisory locks (the login lockout's pattern), so a burst of parallel guesses cannot all be
checked before the limit is reached. Every failure and refusal is audited; exchange staff are emailed when a
searcher reaches the limit. The message is the same whichever limit was reached and never says which detail
failed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.crypto import lookup_hash
from assister_portal.lib.locks import advisory_xact_lock
from audit.models import Action, Outcome
from audit.services import audit_record

from . import tasks
from .models import IdentificationFailure, IdentificationLock, IdentificationScope, search_key

PAUSED_MESSAGE = _(
    "Too many searches did not match, so searching is paused for now. Try again later, or ask the client to "
    "choose you in their account (they can find you by your assister ID)."
)


@dataclass(frozen=True)
class Limit:
    max_failures: int
    window: object  # timedelta
    duration: object  # timedelta


def _limits() -> dict[str, Limit]:
    return {
        IdentificationScope.ACTOR: Limit(
            settings.IDENTIFY_MAX_FAILURES, settings.IDENTIFY_WINDOW, settings.IDENTIFY_LOCK
        ),
        IdentificationScope.PERSON: Limit(
            settings.IDENTIFY_PERSON_MAX_FAILURES, settings.IDENTIFY_PERSON_WINDOW, settings.IDENTIFY_PERSON_LOCK
        ),
    }


def person_keys(first_name: str, last_name: str, date_of_birth: date, ssn: str = "") -> tuple[str, ...]:
    """Keyed hashes of the person as typed: name and date of birth (accents and case ignored, like the search),
    and the SSN when one is given, so probing one SSN under many names is counted against that SSN too."""
    keys = [lookup_hash(f"identify:{search_key(first_name)}|{search_key(last_name)}|{date_of_birth.isoformat()}")]
    digits = "".join(ch for ch in ssn or "" if ch.isdigit())
    if digits:
        keys.append(lookup_hash(f"identify-ssn:{digits}"))
    return tuple(keys)


def _keys(actor, people: Sequence[str]) -> list[tuple[str, str]]:
    return [(IdentificationScope.ACTOR, str(actor.pk)), *((IdentificationScope.PERSON, key) for key in people)]


def identification_serialize(*, actor, people: Sequence[str]) -> None:
    """Within the caller's transaction, wait for other attempts by this searcher, then for each person key.

    Always in that order, so two attempts never wait for each other in a cycle. Also what makes two saves of
    the same person (or the same SSN) take turns, so both cannot pass a duplicate check at once.
    """
    advisory_xact_lock(*(f"identify:{scope}:{key}" for scope, key in _keys(actor, people)))


def identification_is_paused(*, actor, people: Sequence[str]) -> bool:
    now = timezone.now()
    return any(
        IdentificationLock.objects.filter(scope=scope, key=key, locked_until__gt=now).exists()
        for scope, key in _keys(actor, people)
    )


def identification_refused(*, actor, what: str, request: HttpRequest | None) -> None:
    """An attempt made while paused: audited, nothing else counted."""
    audit_record(
        action=Action.IDENTIFICATION_BLOCKED,
        outcome=Outcome.DENIED,
        actor=actor,
        request=request,
        details={"what": what},
    )


def identification_failed(*, actor, people: Sequence[str], what: str, request: HttpRequest | None) -> bool:
    """Record a failed identification (inside the serialized transaction); pause on reaching a limit.

    Returns True when this failure paused the searcher or the person.
    """
    now = timezone.now()
    audit_record(
        action=Action.CLIENT_LOOKUP_FAILED,
        outcome=Outcome.FAILURE,
        actor=actor,
        request=request,
        details={"what": what},
    )
    paused = False
    for scope, key in _keys(actor, people):
        IdentificationFailure.objects.create(scope=scope, key=key, actor=actor, what=what, at=now)
        limit = _limits()[scope]
        window_start = now - limit.window
        last_lock = IdentificationLock.objects.filter(scope=scope, key=key).aggregate(at=Max("locked_until"))["at"]
        if last_lock and last_lock > window_start:
            window_start = last_lock  # failures before the last pause ended were already counted
        failures = IdentificationFailure.objects.filter(scope=scope, key=key, at__gt=window_start).count()
        if failures < limit.max_failures:
            continue
        IdentificationLock.objects.update_or_create(
            scope=scope,
            key=key,
            defaults={"locked_at": now, "locked_until": now + limit.duration, "actor": actor},
        )
        audit_record(
            action=Action.IDENTIFICATION_LOCKED,
            outcome=Outcome.DENIED,
            actor=actor,
            request=request,
            details={"scope": scope, "what": what, "minutes": int(limit.duration.total_seconds() // 60)},
        )
        if scope == IdentificationScope.ACTOR:
            _alert_staff(actor)
        paused = True
    return paused


def _alert_staff(actor) -> None:
    actor_id = actor.pk
    transaction.on_commit(lambda: tasks.send_identification_alert.delay(actor_id), robust=True)
