"""Status changes of certifications and their effect on an assister's access to clients.

The state machine is data, CERTIFICATION_MACHINE below, run by the shared kernel
(`assister_portal.lib.state_machine`): it locks the row, checks the transition from the
current state, saves, appends the CertificationEvent, writes the audit row, and here also
changes access to clients and the directory listings in the same transaction, then emails
the decision after commit.
"""

import secrets
from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assister_portal.lib.state_machine import StateMachine, Step, Transition, TransitionNotAllowed
from audit.models import Action
from audit.services import audit_record

from .. import hooks
from ..hooks import AccessChange
from ..models import (
    OPEN_STATUSES,
    Assister,
    BackgroundStudy,
    Certification,
    CertificationEvent,
    CertificationStatus,
    IssuedAssisterId,
)
from ..notices import certification_decision_notices
from ..periods import period_end_for, today
from ..requirements import missing
from ._common import require

# Characters a person can read aloud and type without confusing them (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V).
ASSISTER_ID_ALPHABET = "ACDEFHJKMNPQRTWXY34679"
ASSISTER_ID_LENGTH = 9


class CertificationTransition(models.TextChoices):
    """The transitions of a certification; the label is the verb a refusal uses ("Cannot approve …")."""

    SUBMIT = "submit", gettext_lazy("submit")
    WITHDRAW = "withdraw", gettext_lazy("withdraw")
    START_REVIEW = "start_review", gettext_lazy("start reviewing")
    APPROVE = "approve", gettext_lazy("approve")
    DENY = "deny", gettext_lazy("deny")
    REQUEST_INFO = "request_info", gettext_lazy("request more information on")
    SUSPEND = "suspend", gettext_lazy("suspend")
    REINSTATE = "reinstate", gettext_lazy("reinstate")
    DECERTIFY = "decertify", gettext_lazy("decertify")
    EXPIRE = "expire", gettext_lazy("expire")


class Who(models.TextChoices):
    """Who may make a transition: the applicant (an assister, or an agency's admin), staff, the daily sweep."""

    APPLICANT = "applicant"
    STAFF = "staff"
    SYSTEM = "system"


# Decisions that cut (or restore) access to clients, and how.
ACCESS_CHANGES = {
    CertificationTransition.SUSPEND: AccessChange.SUSPENDED,
    CertificationTransition.DECERTIFY: AccessChange.DECERTIFIED,
    CertificationTransition.EXPIRE: AccessChange.EXPIRED,
    CertificationTransition.REINSTATE: AccessChange.REINSTATED,
    CertificationTransition.APPROVE: AccessChange.CERTIFIED,
}
# Only approvals put a listing in the directory; any move into or out of them may change it.
DIRECTORY_STATUSES = {CertificationStatus.APPROVED}


# --- What particular transitions do besides changing the status ---------------------


def _issue_assister_id() -> str:
    for _attempt in range(20):
        value = "".join(secrets.choice(ASSISTER_ID_ALPHABET) for _ in range(ASSISTER_ID_LENGTH))
        try:
            with transaction.atomic():
                IssuedAssisterId.objects.create(value=value)
            return value
        except IntegrityError:
            continue
    raise RuntimeError("Could not issue a unique assister ID")  # ~10^12 values: practically unreachable


def _submitted(step: Step) -> None:
    step.instance.submitted_at = step.at
    step.fields.append("submitted_at")


def _decided(step: Step) -> None:
    step.instance.decided_at = step.at
    step.fields.append("decided_at")


def _approve(step: Step) -> None:
    """Every requirement met; the period (given, after the renewed one, or from today); the assister ID."""
    certification, period = step.instance, step.options.get("period")
    problems = missing(certification)
    if problems:
        raise TransitionNotAllowed(
            _("Cannot approve: %(missing)s.") % {"missing": "; ".join(str(item.label) for item in problems)}
        )
    renews = certification.renews
    if period is not None:
        certification.valid_from, certification.valid_until = period
    elif renews is not None and renews.valid_until and renews.valid_until >= today():
        certification.valid_from = renews.valid_until + timedelta(days=1)
        certification.valid_until = period_end_for(certification.valid_from)
    else:
        certification.valid_from = today()
        certification.valid_until = period_end_for(certification.valid_from)
    if certification.assister_id and not certification.assister.assister_id:
        assister = certification.assister
        assister.assister_id = _issue_assister_id()
        assister.save(update_fields=["assister_id"])
    _decided(step)
    step.fields += ["valid_from", "valid_until"]


def _reinstate(step: Step) -> None:
    if step.instance.valid_until < today():
        raise TransitionNotAllowed(_("Cannot reinstate: the certification period has ended."))


def _audit(step: Step) -> None:
    audit_record(
        action=Action.CERTIFICATION_CHANGED,
        actor=step.actor,
        request=step.request,
        target=step.instance,
        details={"action": step.transition.name, "from": step.source, "to": step.target},
    )


def _effects(step: Step) -> None:
    """In the transaction: access to clients (associations' hook), then the directory's listings."""
    certification = step.instance
    change = ACCESS_CHANGES.get(step.transition.name)
    if change is not None:
        _access_changed(certification, change=change, actor=step.actor, request=step.request)
    if step.target in DIRECTORY_STATUSES or step.source in DIRECTORY_STATUSES:
        agency_id = certification.agency_id or certification.assister.agency_id
        hooks.listings_changed.send(agency_ids=[agency_id])
    _decision_notices(step)


def _decision_notices(step: Step) -> None:
    """Staff decisions and the sweep's expiry are notices to the applicant and the agency's admins."""
    if step.transition.who != Who.APPLICANT:
        certification_decision_notices(step.instance, step.transition.name, step.reason)


S, T = CertificationStatus, CertificationTransition
CERTIFICATION_MACHINE = StateMachine(
    model=Certification,
    events=(CertificationEvent, "certification"),
    lock_related=("assister", "agency", "renews"),
    audit=_audit,
    effects=_effects,
    refusal=gettext_lazy("Cannot %(action)s a certification that is %(status)s."),
    reason_message=gettext_lazy("Give a reason: it is recorded and shown to the applicant."),
    transitions=[
        Transition(T.SUBMIT, {S.DRAFT, S.INFO_REQUESTED}, S.SUBMITTED, who=Who.APPLICANT, apply=_submitted),
        Transition(T.WITHDRAW, set(OPEN_STATUSES), S.WITHDRAWN, who=Who.APPLICANT),
        Transition(T.START_REVIEW, {S.SUBMITTED}, S.IN_REVIEW, who=Who.STAFF),
        Transition(T.APPROVE, {S.SUBMITTED, S.IN_REVIEW}, S.APPROVED, who=Who.STAFF, needs_reason=True, apply=_approve),
        Transition(T.DENY, {S.SUBMITTED, S.IN_REVIEW}, S.DENIED, who=Who.STAFF, needs_reason=True, apply=_decided),
        Transition(T.REQUEST_INFO, {S.SUBMITTED, S.IN_REVIEW}, S.INFO_REQUESTED, who=Who.STAFF, needs_reason=True),
        Transition(T.SUSPEND, {S.APPROVED}, S.SUSPENDED, who=Who.STAFF, needs_reason=True),
        Transition(T.REINSTATE, {S.SUSPENDED}, S.APPROVED, who=Who.STAFF, needs_reason=True, apply=_reinstate),
        Transition(T.DECERTIFY, {S.APPROVED, S.SUSPENDED}, S.DECERTIFIED, who=Who.STAFF, needs_reason=True),
        Transition(T.EXPIRE, {S.APPROVED, S.SUSPENDED}, S.EXPIRED, who=Who.SYSTEM),
    ],
)
# What staff decide from the admin, with a reason (starting a review is not a decision).
STAFF_DECISIONS = [t.name for t in CERTIFICATION_MACHINE if t.who == Who.STAFF and t.name != T.START_REVIEW]


# --- Services --------------------------------------------------------------------


def certification_submit(
    *, certification: Certification, actor: User, request: HttpRequest | None = None
) -> Certification:
    return CERTIFICATION_MACHINE.run(certification, T.SUBMIT, actor=actor, request=request)


def certification_withdraw(
    *, certification: Certification, actor: User, request: HttpRequest | None = None
) -> Certification:
    return CERTIFICATION_MACHINE.run(certification, T.WITHDRAW, actor=actor, request=request)


def certification_decide(
    *,
    certification: Certification,
    action: CertificationTransition,
    actor: User,
    reason: str,
    request: HttpRequest | None = None,
) -> Certification:
    """Staff decisions: approve, deny, request_info, suspend, reinstate, decertify (each with a reason)."""
    if action not in STAFF_DECISIONS:
        raise TransitionNotAllowed(_("Unknown decision."))
    return CERTIFICATION_MACHINE.run(certification, action, actor=actor, reason=reason, request=request)


def certification_import_approved(
    *, certification: Certification, actor: User, valid_from, valid_until, reason: str
) -> Certification:
    """Record an approval MNsure made before the portal existed (its manual process), with its original period."""
    if valid_from > valid_until or (valid_until - valid_from).days > 366:
        raise TransitionNotAllowed(_("The period must start before it ends and last at most a year."))
    return CERTIFICATION_MACHINE.run(
        certification, T.APPROVE, actor=actor, reason=reason, period=(valid_from, valid_until)
    )


def certification_start_review(
    *, certification: Certification, actor: User, request: HttpRequest | None = None
) -> Certification:
    return CERTIFICATION_MACHINE.run(certification, T.START_REVIEW, actor=actor, request=request)


def certification_expire(*, certification: Certification) -> Certification:
    return CERTIFICATION_MACHINE.run(certification, T.EXPIRE, actor=None, reason="The certification period ended.")


def certification_record_check(
    *,
    certification: Certification,
    actor: User,
    background_study: str | None = None,
    license_verified: bool | None = None,
    request: HttpRequest | None = None,
) -> Certification:
    """Staff record a background study result or verify a broker's license (checklist items)."""
    with transaction.atomic():
        certification = Certification.objects.select_for_update().get(pk=certification.pk)
        require(
            certification.status
            in (CertificationStatus.SUBMITTED, CertificationStatus.IN_REVIEW, CertificationStatus.INFO_REQUESTED),
            _("Checks are recorded while an application is under review."),
        )
        fields = []
        if background_study is not None:
            require(background_study in BackgroundStudy.values, _("Unknown background study result."))
            certification.background_study = background_study
            fields.append("background_study")
        if license_verified is not None:
            certification.license_verified_by_staff = license_verified
            fields.append("license_verified_by_staff")
        certification.save(update_fields=fields)
        audit_record(
            action=Action.CERTIFICATION_CHECK_RECORDED,
            actor=actor,
            request=request,
            target=certification,
            details={name: getattr(certification, name) for name in fields},
        )
    return certification


# --- Access to clients -----------------------------------------------------------


def _access_changed(certification: Certification, *, change: AccessChange, actor: User | None, request) -> None:
    if certification.assister_id:
        assister_access_changed(assister=certification.assister, change=change, actor=actor, request=request)
    else:
        for assister in Assister.objects.filter(agency=certification.agency_id).select_related("agency", "user"):
            assister_access_changed(assister=assister, change=change.for_agency, actor=actor, request=request)


def assister_access_changed(
    *, assister: Assister, change: AccessChange, actor: User | None, request: HttpRequest | None = None
) -> None:
    """The one place where an assister's standing changes reaches their clients: suspension,
    expiry, decertification, removal from the agency, the agency's own lapse — and
    reinstatement or a new certification, which restore what a suspension took away.

    Whether an assister may act is always derived (`selectors.assister_may_act`), so access
    stops on the next request; the associations follow here, in the same transaction, through
    the `assister_access_changed` hook that associations registers (certification.hooks).
    """
    audit_record(
        action=Action.ASSISTER_ACCESS_CHANGED,
        actor=actor,
        request=request,
        target=assister,
        details={"reason": change.value, "assister_id": assister.assister_id},
    )
    hooks.assister_access_changed.send(assister=assister, change=change, actor=actor, request=request)
