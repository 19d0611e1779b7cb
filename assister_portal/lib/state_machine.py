"""One way to declare a state machine and run a transition (DESIGN §2); why our own: README, "State machines".

A machine is data: a model's state field, an append-only event table, and the transitions, each a name (a
TextChoices member whose label is the verb of a refusal), the states it starts from, the state it ends in,
who may make it (a label: the app's services and pages offer a transition only to them, and check the actor
themselves; `run` does not) and whether it needs a reason. `StateMachine.run` makes one in a transaction: lock the row
and read its state again; refuse with `TransitionNotAllowed` unless the transition is declared from that
state (and a reason is given where one is needed); run the transition's `apply` (its own checks, and the
other fields it sets, in `step.fields`); save with `update_fields`; append the event row (<fk>, actor,
from_status, to_status, reason, at); write the audit row (`audit`, given by the app: lib imports no app);
run `effects` (hooks into higher apps); and hand what `after_commit` returns to `transaction.on_commit`.
The first machine is certification's (`certification/services/decisions.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone


class TransitionNotAllowed(ValidationError):
    """A machine refuses a change: not declared from the current state, no reason where one is needed, or a
    check of the transition failed. The message says why in plain words; forms and admin actions show it
    like any ValidationError (`error.messages`), and nothing is changed."""


@dataclass(frozen=True)
class Transition:
    name: str  # a TextChoices member: its label is the verb of the refusal ("Cannot <verb> …")
    sources: frozenset[str]
    target: str
    who: str  # who may make it (an enum of the declaring app); its services check the actor, not `run`
    needs_reason: bool = False
    apply: Callable[[Step], None] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", frozenset(self.sources))


@dataclass
class Step:
    """A transition being run, as `apply`, `audit`, `effects` and `after_commit` see it."""

    transition: Transition
    instance: models.Model  # the row, locked and read again
    source: str
    actor: Any
    reason: str
    request: HttpRequest | None
    at: Any  # the time of the change, also the event row's
    options: dict = field(default_factory=dict)  # what the caller passed on for `apply` (e.g. a period)
    fields: list[str] = field(default_factory=list)  # other fields `apply` set, saved with the state

    @property
    def target(self) -> str:
        return self.transition.target


class StateMachine:
    def __init__(
        self,
        *,
        model: type[models.Model],
        transitions: Iterable[Transition],
        events: tuple[type[models.Model], str],
        audit: Callable[[Step], None],
        refusal: str,
        reason_message: str,
        field: str = "status",
        lock_related: Iterable[str] = (),
        effects: Callable[[Step], None] | None = None,
        after_commit: Callable[[Step], Callable[[], None] | None] | None = None,
    ) -> None:
        """`refusal` has %(action)s and %(status)s; `reason_message` is shown when a reason is missing."""
        self.model, self.field, self.lock_related = model, field, tuple(lock_related)
        self.event_model, self.event_fk = events
        self.audit, self.effects, self.after_commit = audit, effects, after_commit
        self.refusal, self.reason_message = refusal, reason_message
        self.transitions: dict[str, Transition] = {}
        states = {value for value, _label in model._meta.get_field(field).flatchoices}
        for transition in transitions:
            unknown = (transition.sources | {transition.target}) - states
            if unknown or transition.name in self.transitions:
                raise ValueError(
                    f"{model.__name__} transition {transition.name!r}: unknown {unknown} or declared twice"
                )
            self.transitions[transition.name] = transition

    def __iter__(self) -> Iterator[Transition]:
        return iter(self.transitions.values())

    def available(self, state: str, *, who: str | None = None) -> list[Transition]:
        """The transitions declared from `state` (for `who` only, when given), in declaration order."""
        return [t for t in self if state in t.sources and (who is None or t.who == who)]

    def run(
        self,
        instance: models.Model,
        name: str,
        *,
        actor: Any,
        reason: str = "",
        request: HttpRequest | None = None,
        **options: Any,
    ) -> models.Model:
        """Make transition `name` on `instance`'s row; returns the row as saved. See the module's docstring."""
        transition = self.transitions[name]
        with transaction.atomic():
            manager = self.model._default_manager
            row = manager.select_for_update(of=("self",)).select_related(*self.lock_related).get(pk=instance.pk)
            source = getattr(row, self.field)
            if source not in transition.sources:
                status = getattr(row, f"get_{self.field}_display")().lower()
                raise TransitionNotAllowed(
                    self.refusal % {"action": getattr(transition.name, "label", name), "status": status},
                    code="not_allowed",
                )
            reason = reason.strip()
            if transition.needs_reason and not reason:
                raise TransitionNotAllowed(self.reason_message, code="needs_reason")
            step = Step(transition, row, source, actor, reason, request, timezone.now(), options)
            if transition.apply is not None:
                transition.apply(step)
            setattr(row, self.field, transition.target)
            row.save(update_fields=[self.field, *dict.fromkeys(step.fields)])
            self.event_model._default_manager.create(
                **{self.event_fk: row},
                actor=actor,
                from_status=source,
                to_status=transition.target,
                reason=reason,
                at=step.at,
            )
            self.audit(step)
            if self.effects is not None:
                self.effects(step)
            later = self.after_commit(step) if self.after_commit is not None else None
            if later is not None:
                transaction.on_commit(later)
        return row
