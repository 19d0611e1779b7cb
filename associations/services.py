"""Every write about assisters of record: start, request, confirm, change, end, suspend, restore.

Each function locks the client row (so two starts for one client cannot interleave),
changes the association, appends the Consent history, re-derives the client's
guardian rows, writes the audit trail — all in one transaction — and tells the
people concerned after commit.
"""

import calendar
from datetime import date, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from certification.models import Assister, AssisterKind
from certification.selectors import assister_may_act
from clients.models import POWER_CODES, Client, search_key

from . import tasks
from .models import (
    Association,
    AssociationStatus,
    Consent,
    ConsentEvent,
    ConsentMethod,
    EndReason,
    InitiatedBy,
)
from .permissions_sync import permissions_sync

CONSENT_TEXT_VERSION = "2026-1"
REQUEST_VALID_DAYS = 30
# Powers pre-ticked for each kind; selecting a plan is a broker's work by default.
DEFAULT_POWERS = {
    AssisterKind.BROKER: list(POWER_CODES),
    AssisterKind.NAVIGATOR: [c for c in POWER_CODES if c != "select_plan_for_client"],
    AssisterKind.CAC: [c for c in POWER_CODES if c != "select_plan_for_client"],
}
CURRENT = (AssociationStatus.ACTIVE, AssociationStatus.SUSPENDED)
END_LINK_SALT = "associations.end-link"
END_LINK_MAX_AGE = 60 * 60 * 24 * 60  # seconds: sixty days


def power_fields(powers) -> dict:
    chosen = set(powers) | {"view_client"}
    unknown = chosen - set(POWER_CODES)
    if unknown:
        raise ValidationError(_("Unknown power: %(power)s.") % {"power": ", ".join(sorted(unknown))})
    return {field: code in chosen for code, field in Association.POWER_FIELDS.items()}


def broker_effective_date(started: date) -> date:
    """For commissions: the first of the month after the association starts."""
    last = calendar.monthrange(started.year, started.month)[1]
    return date(started.year, started.month, last) + timedelta(days=1)


def _lock_client(client: Client) -> Client:
    return Client.objects.select_for_update().get(pk=client.pk)


def _consent(
    association: Association,
    event: str,
    *,
    method: str,
    actor: User | None,
    given_by: User | None = None,
    reason: str = "",
    **evidence,
) -> Consent:
    return Consent.objects.create(
        association=association,
        event=event,
        powers=association.powers,
        method=method,
        consent_text_version=CONSENT_TEXT_VERSION,
        purpose=_("Help applying for and keeping health coverage through MNsure"),
        given_by=given_by,
        recorded_by=actor,
        agency_name=str(association.assister.agency),
        reason=reason,
        **evidence,
    )


def _audit(action: str, association: Association, actor, request, **details) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        target=association,
        client=association.client,
        details={
            "association": str(association.public_id),
            "kind": association.kind,
            "status": association.status,
            **details,
        },
    )


def _notify(association: Association, event: str) -> None:
    transaction.on_commit(lambda: tasks.send_association_email.delay(association.pk, event))


def _end_current_of_kind(client: Client, kind: str, *, actor, request, keep: Association | None = None) -> None:
    for old in Association.objects.select_related("assister__agency").filter(
        client=client, kind=kind, status__in=CURRENT
    ):
        if keep is not None and old.pk == keep.pk:
            continue
        _end(old, reason=EndReason.REPLACED, actor=actor, request=request)


def _end(association: Association, *, reason: str, actor, request, method=ConsentMethod.ONLINE) -> None:
    association.status = AssociationStatus.ENDED
    association.ended_at = timezone.now()
    association.end_reason = reason
    association.save(update_fields=["status", "ended_at", "end_reason"])
    _consent(association, ConsentEvent.REVOKED, method=method, actor=actor, reason=reason)
    _audit(Action.ASSOCIATION_ENDED, association, actor, request, reason=reason)
    _notify(association, f"ended:{reason}")


def _activate(association: Association, *, actor, request) -> None:
    """Make a (new or pending) association the client's current one of its kind."""
    _end_current_of_kind(association.client, association.kind, actor=actor, request=request, keep=association)
    now = timezone.now()
    association.status = AssociationStatus.ACTIVE
    association.started_at = now
    if association.kind == AssisterKind.BROKER:
        association.effective_date = broker_effective_date(timezone.localdate(now))
    association.save()


def _new_pending(client: Client, assister: Assister, *, initiated_by: str, powers, **extra) -> Association:
    """An unsaved request from the assister, or by the client, before consent makes it active."""
    return Association(
        client=client,
        assister=assister,
        agency_id=assister.agency_id,  # an assister never changes agency
        kind=assister.kind,
        status=AssociationStatus.PENDING,
        initiated_by=initiated_by,
        **power_fields(DEFAULT_POWERS[assister.kind] if powers is None else powers),
        **extra,
    )


def association_create_with_offline_consent(
    *, client: Client, assister: Assister, actor: User, powers=None, request: HttpRequest | None = None, **consent
) -> Association:
    """For an account the assister creates on the client's behalf: the request and its offline consent at once."""
    association = _new_pending(client, assister, initiated_by=InitiatedBy.ASSISTER, powers=powers)
    association.save()
    return association_record_offline_consent(association=association, actor=actor, request=request, **consent)


def _require_assister_may_act(assister: Assister) -> None:
    if not assister_may_act(assister.user):
        raise ValidationError(_("This assister is not currently certified, so they cannot be chosen."))


def association_start_by_consumer(
    *, client: Client, assister: Assister, powers, actor: User, request: HttpRequest | None = None
) -> Association:
    """The consumer chose an assister and agreed to the consent text: active at once."""
    _require_assister_may_act(assister)
    with transaction.atomic():
        client = _lock_client(client)
        # A request this assister already sent becomes the association; otherwise a new one.
        association = Association.objects.filter(
            client=client, assister=assister, status=AssociationStatus.PENDING
        ).first() or _new_pending(client, assister, initiated_by=InitiatedBy.CONSUMER, powers=powers)
        for field, value in power_fields(powers).items():
            setattr(association, field, value)
        association.save()
        _activate(association, actor=actor, request=request)
        _consent(association, ConsentEvent.GRANTED, method=ConsentMethod.ONLINE, actor=actor, given_by=actor)
        permissions_sync(client)
        _audit(Action.ASSOCIATION_STARTED, association, actor, request, powers=association.powers)
        _notify(association, "started")
    return association


def association_request(
    *,
    assister: Assister,
    actor: User,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    email: str = "",
    ssn_last4: str = "",
    request: HttpRequest | None = None,
) -> Association:
    """The assister asks to become a client's assister of record; the client confirms in their account."""
    _require_assister_may_act(assister)
    not_found = ValidationError(
        _("We could not match those details to a client. Check them with the client, or create the client's account.")
    )
    if not (email or ssn_last4):
        raise ValidationError(_("Give the client's email address or the last four digits of their SSN."))
    candidates = Client.objects.filter(
        search_first=search_key(first_name), search_last=search_key(last_name), date_of_birth=date_of_birth
    )
    matches = [
        c
        for c in candidates
        if (email and c.email and c.email.lower() == email.strip().lower()) or (ssn_last4 and c.ssn_last4 == ssn_last4)
    ]
    if len(matches) != 1:
        audit_record(action=Action.CLIENT_LOOKUP_FAILED, actor=actor, request=request, outcome="failure")
        raise not_found
    with transaction.atomic():
        client = _lock_client(matches[0])
        if Association.objects.filter(
            client=client, assister=assister, status__in=[*CURRENT, AssociationStatus.PENDING]
        ).exists():
            raise ValidationError(_("You already have a request or an association with this client."))
        association = _new_pending(
            client,
            assister,
            initiated_by=InitiatedBy.ASSISTER,
            powers=None,
            request_expires_at=timezone.now() + timedelta(days=REQUEST_VALID_DAYS),
        )
        association.save()
        _consent(association, ConsentEvent.REQUESTED, method=ConsentMethod.ONLINE, actor=actor)
        _audit(Action.ASSOCIATION_REQUESTED, association, actor, request)
        _notify(association, "requested")
    return association


def _lock_association(association: Association, *statuses) -> Association:
    association = (
        Association.objects.select_for_update().select_related("assister__agency", "client").get(pk=association.pk)
    )
    if statuses and association.status not in statuses:
        raise ValidationError(
            _("This has already changed: it is now “%(status)s”.") % {"status": association.get_status_display()}
        )
    return association


def association_confirm(
    *, association: Association, powers, actor: User, request: HttpRequest | None = None
) -> Association:
    """The consumer confirms a pending request (and may change the powers first)."""
    with transaction.atomic():
        _lock_client(association.client)
        association = _lock_association(association, AssociationStatus.PENDING)
        if association.request_expires_at and association.request_expires_at <= timezone.now():
            raise ValidationError(
                _("This request has expired. Ask the assister to send a new one, or choose them yourself.")
            )
        _require_assister_may_act(association.assister)
        for field, value in power_fields(powers).items():
            setattr(association, field, value)
        _activate(association, actor=actor, request=request)
        _consent(association, ConsentEvent.GRANTED, method=ConsentMethod.ONLINE, actor=actor, given_by=actor)
        permissions_sync(association.client)
        _audit(Action.ASSOCIATION_STARTED, association, actor, request, powers=association.powers)
        _notify(association, "started")
    return association


def association_decline(*, association: Association, actor: User, request: HttpRequest | None = None) -> Association:
    with transaction.atomic():
        association = _lock_association(association, AssociationStatus.PENDING)
        association.status = AssociationStatus.DECLINED
        association.ended_at = timezone.now()
        association.save(update_fields=["status", "ended_at"])
        _consent(association, ConsentEvent.DECLINED, method=ConsentMethod.ONLINE, actor=actor, given_by=actor)
        _audit(Action.ASSOCIATION_DECLINED, association, actor, request)
        _notify(association, "declined")
    return association


def association_record_offline_consent(
    *,
    association: Association,
    actor: User,
    method: str,
    attestation: str,
    evidence=None,
    call_reference: str = "",
    request: HttpRequest | None = None,
) -> Association:
    """The assister records consent the client gave on paper or by phone: active, and the client is told."""
    if method not in (ConsentMethod.PAPER_FORM, ConsentMethod.RECORDED_CALL):
        raise ValidationError(_("Choose how the client gave consent."))
    if method == ConsentMethod.PAPER_FORM and not evidence:
        raise ValidationError({"evidence": _("Upload the signed consent form (PDF, JPEG or PNG).")})
    if method == ConsentMethod.RECORDED_CALL and not call_reference.strip():
        raise ValidationError({"call_reference": _("Give the reference of the recorded call.")})
    if not attestation.strip():
        raise ValidationError({"attestation": _("Confirm that the client gave this consent.")})
    with transaction.atomic():
        _lock_client(association.client)
        association = _lock_association(association, AssociationStatus.PENDING)
        _require_assister_may_act(association.assister)
        _activate(association, actor=actor, request=request)
        _consent(
            association,
            ConsentEvent.GRANTED,
            method=method,
            actor=actor,
            evidence=evidence or "",
            call_reference=call_reference.strip(),
            attestation=attestation.strip(),
        )
        permissions_sync(association.client)
        _audit(Action.ASSOCIATION_STARTED, association, actor, request, method=method, powers=association.powers)
        _notify(association, "offline_consent")
    return association


def association_change_powers(
    *, association: Association, powers, actor: User, request: HttpRequest | None = None
) -> Association:
    with transaction.atomic():
        _lock_client(association.client)
        association = _lock_association(association, *CURRENT)
        for field, value in power_fields(powers).items():
            setattr(association, field, value)
        association.save()
        _consent(association, ConsentEvent.CHANGED, method=ConsentMethod.ONLINE, actor=actor, given_by=actor)
        permissions_sync(association.client)
        _audit(Action.ASSOCIATION_CHANGED, association, actor, request, powers=association.powers)
    return association


def association_end(
    *, association: Association, actor: User, reason: str, request: HttpRequest | None = None
) -> Association:
    """The client ends it (rescinded) or the assister releases the client (released)."""
    if reason not in (EndReason.RESCINDED, EndReason.RELEASED):
        raise ValidationError(_("Unknown reason."))
    with transaction.atomic():
        _lock_client(association.client)
        association = _lock_association(association, *CURRENT)
        _end(association, reason=reason, actor=actor, request=request)
        permissions_sync(association.client)
    return association


def end_link_token(association: Association) -> str:
    """A signed token for the one-click "end this" link in the notice emailed to the client."""
    return signing.dumps(str(association.public_id), salt=END_LINK_SALT)


def association_for_end_link(token: str) -> Association | None:
    try:
        public_id = signing.loads(token, salt=END_LINK_SALT, max_age=END_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        Association.objects.select_related("assister__agency", "assister__user", "client__user")
        .filter(public_id=public_id)
        .first()
    )


def associations_follow_assister(
    *, assister: Assister, reason: str, actor: User | None, request: HttpRequest | None = None
) -> None:
    """What a change in the assister's standing does to their clients (called by certification).

    Decertification or leaving the agency ends every association; suspension or a lapse
    suspends them; reinstatement or a new certification restores the suspended ones.
    """
    ending = {
        "decertified": EndReason.DECERTIFIED,
        "agency_decertified": EndReason.DECERTIFIED,
        "removed_from_agency": EndReason.REMOVED,
    }
    suspending = {"suspended", "expired", "agency_suspended", "agency_expired"}
    restoring = {"reinstated", "agency_reinstated", "certified", "agency_certified"}
    if reason in ending:
        targets, statuses = ending[reason], CURRENT
    elif reason in suspending:
        targets, statuses = AssociationStatus.SUSPENDED, (AssociationStatus.ACTIVE,)
    elif reason in restoring:
        if not assister_may_act(assister.user):
            return
        targets, statuses = AssociationStatus.ACTIVE, (AssociationStatus.SUSPENDED,)
    else:
        raise ValueError(f"unknown reason {reason!r}")
    for association in Association.objects.filter(assister=assister, status__in=statuses).select_related("client"):
        with transaction.atomic():
            _lock_client(association.client)
            association = _lock_association(association, *statuses)
            if reason in ending:
                _end(association, reason=ending[reason], actor=actor, request=request, method=ConsentMethod.SYSTEM)
            else:
                association.status = targets
                association.save(update_fields=["status"])
                event = ConsentEvent.SUSPENDED if targets == AssociationStatus.SUSPENDED else ConsentEvent.RESTORED
                _consent(association, event, method=ConsentMethod.SYSTEM, actor=actor, reason=reason)
                _audit(Action.ASSOCIATION_CHANGED, association, actor, request, reason=reason)
                _notify(association, event)
            permissions_sync(association.client)
    if reason in ending or reason in suspending:
        # Requests of an assister who can no longer act lapse too.
        _expire_pending(Association.objects.filter(assister=assister, status=AssociationStatus.PENDING))


def _expire_pending(queryset) -> int:
    expired = 0
    for association in queryset.select_related("assister__agency", "client"):
        with transaction.atomic():
            association = _lock_association(association, AssociationStatus.PENDING)
            association.status = AssociationStatus.EXPIRED
            association.ended_at = timezone.now()
            association.save(update_fields=["status", "ended_at"])
            _consent(association, ConsentEvent.EXPIRED, method=ConsentMethod.SYSTEM, actor=None)
            expired += 1
    return expired


def associations_expire_requests() -> int:
    """Pending requests older than 30 days expire (daily beat)."""
    return _expire_pending(
        Association.objects.filter(status=AssociationStatus.PENDING, request_expires_at__lt=timezone.now())
    )
