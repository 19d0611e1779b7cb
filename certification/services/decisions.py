"""Status changes of certifications and their effect on an assister's access to clients.

Every change goes through `_transition`, which locks the row, checks the state
machine, appends a CertificationEvent, writes the audit trail and schedules the
decision email after commit.
"""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.models import Action
from audit.services import audit_record

from .. import hooks, tasks
from ..hooks import AccessChange
from ..models import (
    Assister,
    BackgroundStudy,
    Certification,
    CertificationEvent,
    IssuedAssisterId,
    Status,
)
from ..periods import period_end_for, today
from ..requirements import missing
from ..selectors import OPEN_STATUSES
from ._common import require

# Characters a person can read aloud and type without confusing them (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V).
ASSISTER_ID_ALPHABET = "ACDEFHJKMNPQRTWXY34679"
ASSISTER_ID_LENGTH = 9


class TransitionError(ValidationError):
    """The state machine (or a requirement) forbids this change; the message says why."""


# action: (allowed from, to, reason required, who may do it)
TRANSITIONS = {
    "submit": ({Status.DRAFT, Status.INFO_REQUESTED}, Status.SUBMITTED, False, "applicant"),
    "withdraw": (set(OPEN_STATUSES), Status.WITHDRAWN, False, "applicant"),
    "start_review": ({Status.SUBMITTED}, Status.IN_REVIEW, False, "staff"),
    "approve": ({Status.SUBMITTED, Status.IN_REVIEW}, Status.APPROVED, True, "staff"),
    "deny": ({Status.SUBMITTED, Status.IN_REVIEW}, Status.DENIED, True, "staff"),
    "request_info": ({Status.SUBMITTED, Status.IN_REVIEW}, Status.INFO_REQUESTED, True, "staff"),
    "suspend": ({Status.APPROVED}, Status.SUSPENDED, True, "staff"),
    "reinstate": ({Status.SUSPENDED}, Status.APPROVED, True, "staff"),
    "decertify": ({Status.APPROVED, Status.SUSPENDED}, Status.DECERTIFIED, True, "staff"),
    "expire": ({Status.APPROVED, Status.SUSPENDED}, Status.EXPIRED, False, "system"),
}
ACTION_VERBS = {
    "submit": gettext_lazy("submit"),
    "withdraw": gettext_lazy("withdraw"),
    "start_review": gettext_lazy("start reviewing"),
    "approve": gettext_lazy("approve"),
    "deny": gettext_lazy("deny"),
    "request_info": gettext_lazy("request more information on"),
    "suspend": gettext_lazy("suspend"),
    "reinstate": gettext_lazy("reinstate"),
    "decertify": gettext_lazy("decertify"),
    "expire": gettext_lazy("expire"),
}
STAFF_DECISIONS = [action for action, spec in TRANSITIONS.items() if spec[3] == "staff" and action != "start_review"]
# Only approvals put a listing in the directory; any move into or out of them may change it.
DIRECTORY_STATUSES = {Status.APPROVED}
# Decisions that cut (or restore) access to clients, and how.
ACCESS_CHANGES = {
    "suspend": AccessChange.SUSPENDED,
    "decertify": AccessChange.DECERTIFIED,
    "expire": AccessChange.EXPIRED,
    "reinstate": AccessChange.REINSTATED,
    "approve": AccessChange.CERTIFIED,
}


# --- Decisions -----------------------------------------------------------------


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


def _approve(certification: Certification, period: tuple | None = None) -> None:
    problems = missing(certification)
    if problems:
        raise TransitionError(
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


def _transition(
    certification: Certification,
    action: str,
    *,
    actor: User | None,
    reason: str = "",
    request: HttpRequest | None = None,
    period: tuple | None = None,
) -> Certification:
    allowed_from, to_status, reason_required, _who = TRANSITIONS[action]
    with transaction.atomic():
        certification = (
            Certification.objects.select_for_update(of=("self",))
            .select_related("assister", "agency", "renews")
            .get(pk=certification.pk)
        )
        from_status = certification.status
        if from_status not in allowed_from:
            raise TransitionError(
                _("Cannot %(action)s a certification that is %(status)s.")
                % {"action": ACTION_VERBS[action], "status": certification.get_status_display().lower()}
            )
        reason = reason.strip()
        if reason_required and not reason:
            raise TransitionError(_("Give a reason: it is recorded and shown to the applicant."))
        if action == "approve":
            _approve(certification, period)
        if action == "reinstate" and certification.valid_until < today():
            raise TransitionError(_("Cannot reinstate: the certification period has ended."))
        certification.status = to_status
        now = timezone.now()
        if action == "submit":
            certification.submitted_at = now
        if action in {"approve", "deny"}:
            certification.decided_at = now
        certification.save(update_fields=["status", "submitted_at", "decided_at", "valid_from", "valid_until"])
        CertificationEvent.objects.create(
            certification=certification,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            at=now,
        )
        audit_record(
            action=Action.CERTIFICATION_CHANGED,
            actor=actor,
            request=request,
            target=certification,
            details={"action": action, "from": from_status, "to": to_status},
        )
        if action in ACCESS_CHANGES:
            _access_changed(certification, action=action, actor=actor, request=request)
        if to_status in DIRECTORY_STATUSES or from_status in DIRECTORY_STATUSES:
            agency_id = certification.agency_id or certification.assister.agency_id
            hooks.listings_changed.send(agency_ids=[agency_id])
        if _who in ("staff", "system"):
            transaction.on_commit(lambda: tasks.send_decision_email.delay(certification.pk, action))
    return certification


def certification_submit(
    *, certification: Certification, actor: User, request: HttpRequest | None = None
) -> Certification:
    return _transition(certification, "submit", actor=actor, request=request)


def certification_withdraw(
    *, certification: Certification, actor: User, request: HttpRequest | None = None
) -> Certification:
    return _transition(certification, "withdraw", actor=actor, request=request)


def certification_decide(
    *, certification: Certification, action: str, actor: User, reason: str, request: HttpRequest | None = None
) -> Certification:
    """Staff decisions: approve, deny, request_info, suspend, reinstate, decertify (each with a reason)."""
    if action not in STAFF_DECISIONS:
        raise TransitionError(_("Unknown decision."))
    return _transition(certification, action, actor=actor, reason=reason, request=request)


def certification_import_approved(
    *, certification: Certification, actor: User, valid_from, valid_until, reason: str
) -> Certification:
    """Record an approval MNsure made before the portal existed (its manual process), with its original period."""
    if valid_from > valid_until or (valid_until - valid_from).days > 366:
        raise TransitionError(_("The period must start before it ends and last at most a year."))
    return _transition(certification, "approve", actor=actor, reason=reason, period=(valid_from, valid_until))


def certification_start_review(
    *, certification: Certification, actor: User, request: HttpRequest | None = None
) -> Certification:
    return _transition(certification, "start_review", actor=actor, request=request)


def certification_expire(*, certification: Certification) -> Certification:
    return _transition(certification, "expire", actor=None, reason="The certification period ended.")


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
            certification.status in (Status.SUBMITTED, Status.IN_REVIEW, Status.INFO_REQUESTED),
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


def _access_changed(certification: Certification, *, action: str, actor: User | None, request) -> None:
    change = ACCESS_CHANGES[action]
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
