"""Every write about assisters of record: start, request, confirm, change, end, suspend, restore.

Each function locks the client row (so two starts for one client cannot interleave),
changes the association, appends the Consent history, re-derives the client's
guardian rows, writes the audit trail — all in one transaction — and tells the
people concerned after commit.
"""

import calendar
import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assister_portal.lib import uploads
from assister_portal.lib.locks import advisory_xact_lock
from assister_portal.lib.tokens import signed_token, signed_value
from audit.models import Action, Outcome
from audit.services import audit_record
from certification.hooks import AccessChange
from certification.models import Assister, AssisterKind
from certification.selectors import assister_may_act
from clients import identification
from clients import services as client_services
from clients.models import Client, search_key
from clients.powers import ALWAYS_GRANTED, POWER_CODES, default_powers

from . import selectors, tasks
from .models import (
    Association,
    AssociationNotice,
    AssociationStatus,
    Consent,
    ConsentEvent,
    ConsentEvidence,
    ConsentMethod,
    EndReason,
    InitiatedBy,
)
from .notices import association_notices, client_helpers
from .permissions_sync import permissions_sync

CONSENT_TEXT_VERSION = "2026-1"
REQUEST_VALID_DAYS = 30
OFFLINE_CONSENT_MAX_AGE_DAYS = 60
# A recorded call's reference as the agency's phone system shows it: 6 to 40 letters, digits and hyphens,
# at least 4 of them digits ("none" or "n/a" is not a reference).
CALL_REFERENCE = re.compile(r"(?=(?:[^0-9]*[0-9]){4})[A-Za-z0-9][A-Za-z0-9-]{5,39}")
# Powers pre-ticked for each kind (clients.powers); selecting a plan is a broker's work by default.
DEFAULT_POWERS = {kind: default_powers(kind) for kind in AssisterKind}
CURRENT = (AssociationStatus.ACTIVE, AssociationStatus.SUSPENDED)
NOTICE_FOR = {ConsentEvent.SUSPENDED: AssociationNotice.SUSPENDED, ConsentEvent.RESTORED: AssociationNotice.RESTORED}
END_LINK_SALT = "associations.end-link"
END_LINK_MAX_AGE = 60 * 60 * 24 * 60  # seconds: sixty days
PAUSED = object()  # identification refused while paused


def power_fields(powers) -> dict:
    chosen = set(powers) | ALWAYS_GRANTED
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


def _notify(association: Association, notice: AssociationNotice) -> None:
    """The notices of this change, in its transaction (associations/notices.py)."""
    association_notices(association, notice, end_link_token=end_link_token(association))


def _end_current_of_kind(client: Client, kind: str, *, actor, request, keep: Association | None = None) -> None:
    for old in Association.objects.select_related("assister__agency").filter(
        client=client, kind=kind, status__in=CURRENT
    ):
        if keep is not None and old.pk == keep.pk:
            continue
        _end(old, reason=EndReason.REPLACED, actor=actor, request=request)


def _online_method(association: Association, actor: User | None) -> str:
    """Who did it in the portal, as the consent history says: the assister, or else the client."""
    if actor is not None and actor.pk == association.assister.user_id:
        return ConsentMethod.ASSISTER_ONLINE
    return ConsentMethod.ONLINE


def _end(association: Association, *, reason: str, actor, request, method: str | None = None) -> None:
    association.status = AssociationStatus.ENDED
    association.ended_at = timezone.now()
    association.end_reason = reason
    association.save(update_fields=["status", "ended_at", "end_reason"])
    method = method or _online_method(association, actor)
    _consent(association, ConsentEvent.REVOKED, method=method, actor=actor, reason=reason)
    _audit(Action.ASSOCIATION_ENDED, association, actor, request, reason=reason)
    _notify(association, AssociationNotice.ENDED)


def _activate(association: Association, *, actor, request) -> None:
    """Make a (new or pending) association the client's current one of its kind.

    Only the client, signed in to their own account, may replace a current assister of the kind: however an
    assister starts an association, it never displaces the client's choice.
    """
    replacing = (
        Association.objects.filter(client=association.client, kind=association.kind, status__in=CURRENT)
        .exclude(pk=association.pk)
        .exists()
    )
    if replacing and (actor is None or actor.pk != association.client.user_id):
        raise ValidationError(
            _("This client already has a %(kind)s. Only the client can replace them, in their own account.")
            % {"kind": association.get_kind_display().lower()}
        )
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


def client_create_on_behalf(
    *,
    assister: Assister,
    actor: User,
    fields: dict,
    employer: dict | None,
    consent: dict,
    request: HttpRequest | None = None,
) -> tuple[Client, str]:
    """An assister creates a client's account with the client's consent given on paper or by phone.

    The client record (`clients.services`), the association and its consent in one transaction; the client is
    emailed a link to claim the account. Returns (client, claim token).
    """
    if not fields.get("email"):
        raise ValidationError({"email": _("The client's email is needed to send them the link to claim the account.")})
    consent = dict(consent)
    powers = consent.pop("powers", None)
    with uploads.uploads_atomic():  # the signed consent form, if any, is stored only if all of this commits
        refusal = client_services.client_unclaimed_refusal(actor=actor, fields=fields, request=request)
        if refusal is None:
            client = client_services.client_create_unclaimed(
                actor=actor, fields=fields, employer=employer, request=request
            )
            association_create_with_offline_consent(
                client=client, assister=assister, actor=actor, powers=powers, request=request, **consent
            )
            token = client_services.claim_invitation_send(client=client, helpers=client_helpers(client))
    # Raised after the transaction, so the failure just counted stays counted.
    if refusal is not None:
        raise refusal
    return client, token


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
        _notify(association, AssociationNotice.STARTED)
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
    """The assister asks to become a client's assister of record; the client confirms in their account.

    Identifying the client is throttled per assister and per person searched for (`clients.identification`);
    the answer never says which detail did not match.
    """
    _require_assister_may_act(assister)
    if not (email or ssn_last4):
        raise ValidationError(_("Give the client's email address or the last four digits of their SSN."))
    people = identification.person_keys(first_name, last_name, date_of_birth)
    with transaction.atomic():
        identification.identification_serialize(actor=actor, people=people)
        if identification.identification_is_paused(actor=actor, people=people):
            identification.identification_refused(actor=actor, what="find a client", request=request)
            found = PAUSED
        else:
            candidates = Client.objects.filter(
                search_first=search_key(first_name), search_last=search_key(last_name), date_of_birth=date_of_birth
            )
            # Every detail given must match: with both, a request is still one guess, not two.
            matches = [
                c
                for c in candidates
                if (not email or (c.email and c.email.lower() == email.strip().lower()))
                and (not ssn_last4 or c.ssn_last4 == ssn_last4)
            ]
            found = matches[0] if len(matches) == 1 else None
            if found is None:
                identification.identification_failed(actor=actor, people=people, what="find a client", request=request)
    # Raised after the transaction, so the failure just counted stays counted.
    if found is PAUSED:
        raise ValidationError(identification.PAUSED_MESSAGE)
    if found is None:
        raise ValidationError(
            _(
                "We could not match those details to a client. "
                "Check them with the client, or create the client's account."
            )
        )
    with transaction.atomic():
        client = _lock_client(found)
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
        _consent(association, ConsentEvent.REQUESTED, method=ConsentMethod.ASSISTER_ONLINE, actor=actor)
        _audit(Action.ASSOCIATION_REQUESTED, association, actor, request)
        _notify(association, AssociationNotice.REQUESTED)
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
        _notify(association, AssociationNotice.STARTED)
    return association


def association_decline(*, association: Association, actor: User, request: HttpRequest | None = None) -> Association:
    with transaction.atomic():
        association = _lock_association(association, AssociationStatus.PENDING)
        association.status = AssociationStatus.DECLINED
        association.ended_at = timezone.now()
        association.save(update_fields=["status", "ended_at"])
        _consent(association, ConsentEvent.DECLINED, method=ConsentMethod.ONLINE, actor=actor, given_by=actor)
        _audit(Action.ASSOCIATION_DECLINED, association, actor, request)
        _notify(association, AssociationNotice.DECLINED)
    return association


def offline_consent_errors(
    *, method: str, given_on, attestation: str, evidence, call_reference: str, call_at, call_participants: str
) -> dict:
    """What is missing or wrong in consent recorded offline, by field (DESIGN §6: evidence that means something)."""
    errors = {}
    today = timezone.localdate()
    if method not in (ConsentMethod.PAPER_FORM, ConsentMethod.RECORDED_CALL):
        errors["method"] = _("Choose how the client gave consent.")
    if given_on is None:
        errors["consent_date"] = _("Enter the date the client gave consent.")
    elif given_on > today:
        errors["consent_date"] = _("The date cannot be in the future.")
    elif given_on < today - timedelta(days=OFFLINE_CONSENT_MAX_AGE_DAYS):
        errors["consent_date"] = _(
            "Consent recorded here must have been given in the last %(days)s days. Ask the client to give it again."
        ) % {"days": OFFLINE_CONSENT_MAX_AGE_DAYS}
    if method == ConsentMethod.PAPER_FORM and not evidence:
        errors["evidence"] = _("Upload the signed consent form (PDF, JPEG or PNG).")
    if method == ConsentMethod.RECORDED_CALL:
        if not CALL_REFERENCE.fullmatch(call_reference.strip()):
            errors["call_reference"] = _(
                "Give the reference of the recorded call as your phone system shows it: 6 to 40 letters, "
                "digits and hyphens, with at least 4 digits, like CALL-2026-0042."
            )
        if call_at is None:
            errors["call_time"] = _("Enter the time of the call, like 2:30 PM.")
        elif call_at > timezone.now():
            errors["call_time"] = _("The call cannot be in the future.")
        elif given_on is not None and timezone.localtime(call_at).date() != given_on:
            errors["call_time"] = _("The call must be on the date the client gave consent.")
        if not call_participants.strip():
            errors["call_participants"] = _("Name everyone who was on the call, like “Ana García (client), me”.")
    if not attestation.strip():
        errors["attestation"] = _("Confirm that the client gave this consent.")
    return errors


def _flag_if_unusual(actor: User, request) -> bool:
    """True when this assister has already recorded the daily number of offline consents staff review."""
    advisory_xact_lock(f"offline-consent:{actor.pk}")  # one count at a time per assister
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    earlier = Consent.objects.filter(
        recorded_by=actor,
        event=ConsentEvent.GRANTED,
        method__in=[ConsentMethod.PAPER_FORM, ConsentMethod.RECORDED_CALL],
        at__gte=start,
    ).count()
    if earlier < settings.OFFLINE_CONSENT_DAILY_FLAG:
        return False
    audit_record(
        action=Action.OFFLINE_CONSENT_FLAGGED,
        outcome=Outcome.SUCCESS,
        actor=actor,
        request=request,
        details={"today": earlier + 1, "limit": settings.OFFLINE_CONSENT_DAILY_FLAG},
    )
    actor_id, count = actor.pk, earlier + 1
    transaction.on_commit(lambda: tasks.send_offline_consent_alert.delay(actor_id, count), robust=True)
    return True


def association_record_offline_consent(
    *,
    association: Association,
    actor: User,
    method: str,
    given_on: date | None,
    attestation: str,
    evidence=None,
    call_reference: str = "",
    call_at: datetime | None = None,
    call_participants: str = "",
    request: HttpRequest | None = None,
) -> Association:
    """The assister records consent the client gave on paper or by phone: active, and the client is told.

    Only for a client with no account and no current assister of this kind (`offline_consent_refusal`): anyone
    else confirms the request in their own account, so an assister can never displace the client's choice.
    A signed form goes through the upload pipeline; a call needs its reference, time and who was on it.
    """
    errors = offline_consent_errors(
        method=method,
        given_on=given_on,
        attestation=attestation,
        evidence=evidence,
        call_reference=call_reference,
        call_at=call_at,
        call_participants=call_participants,
    )
    if errors:
        raise ValidationError(errors)
    if method == ConsentMethod.PAPER_FORM and not isinstance(evidence, uploads.SanitizedFile):
        # Checked before anything is written: a refused file leaves no trace, and its message names the problem.
        try:
            evidence = uploads.sanitize_upload(evidence)
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from exc
    with uploads.uploads_atomic():
        _lock_client(association.client)
        association = _lock_association(association, AssociationStatus.PENDING)
        _require_assister_may_act(association.assister)
        refusal = selectors.offline_consent_refusal(association)
        if refusal:
            raise ValidationError(refusal)
        _activate(association, actor=actor, request=request)
        consent = _consent(
            association,
            ConsentEvent.GRANTED,
            method=method,
            actor=actor,
            given_on=given_on,
            call_reference=call_reference.strip() if method == ConsentMethod.RECORDED_CALL else "",
            call_at=call_at if method == ConsentMethod.RECORDED_CALL else None,
            call_participants=call_participants.strip() if method == ConsentMethod.RECORDED_CALL else "",
            attestation=attestation.strip(),
            flagged=_flag_if_unusual(actor, request),
        )
        if method == ConsentMethod.PAPER_FORM:
            uploads.quarantined_file_store(
                instance=ConsentEvidence(consent=consent, uploaded_by=actor), sanitized=evidence
            )
        permissions_sync(association.client)
        _audit(Action.ASSOCIATION_STARTED, association, actor, request, method=method, powers=association.powers)
        _notify(association, AssociationNotice.OFFLINE_CONSENT)
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
    return signed_token(str(association.public_id), END_LINK_SALT)


def association_for_end_link(token: str) -> Association | None:
    public_id = signed_value(token, END_LINK_SALT, max_age=END_LINK_MAX_AGE)
    if public_id is None:
        return None
    return (
        Association.objects.select_related("assister__agency", "assister__user", "client__user")
        .filter(public_id=public_id)
        .first()
    )


# What each change in an assister's standing does to their associations (certification.hooks.AccessChange).
ENDING = {
    AccessChange.DECERTIFIED: EndReason.DECERTIFIED,
    AccessChange.AGENCY_DECERTIFIED: EndReason.DECERTIFIED,
    AccessChange.REMOVED_FROM_AGENCY: EndReason.REMOVED,
}
SUSPENDING = {
    AccessChange.SUSPENDED,
    AccessChange.EXPIRED,
    AccessChange.AGENCY_SUSPENDED,
    AccessChange.AGENCY_EXPIRED,
}
RESTORING = {
    AccessChange.REINSTATED,
    AccessChange.AGENCY_REINSTATED,
    AccessChange.CERTIFIED,
    AccessChange.AGENCY_CERTIFIED,
}


def associations_follow_assister(
    *, assister: Assister, change: AccessChange, actor: User | None, request: HttpRequest | None = None
) -> None:
    """What a change in the assister's standing does to their clients: the handler of certification's
    `assister_access_changed` hook (registered in AssociationsConfig.ready), run in certification's transaction.

    Decertification or leaving the agency ends every association; suspension or a lapse
    suspends them; reinstatement or a new certification restores the suspended ones.
    """
    reason = change.value  # recorded in the consent history and the audit trail
    if change in ENDING:
        targets, statuses = ENDING[change], CURRENT
    elif change in SUSPENDING:
        targets, statuses = AssociationStatus.SUSPENDED, (AssociationStatus.ACTIVE,)
    elif change in RESTORING:
        if not assister_may_act(assister.user):
            return
        targets, statuses = AssociationStatus.ACTIVE, (AssociationStatus.SUSPENDED,)
    else:
        raise ValueError(f"no rule for {change!r}")
    for association in Association.objects.filter(assister=assister, status__in=statuses).select_related("client"):
        with transaction.atomic():
            _lock_client(association.client)
            association = _lock_association(association, *statuses)
            if change in ENDING:
                _end(association, reason=ENDING[change], actor=actor, request=request, method=ConsentMethod.SYSTEM)
            else:
                association.status = targets
                association.save(update_fields=["status"])
                event = ConsentEvent.SUSPENDED if targets == AssociationStatus.SUSPENDED else ConsentEvent.RESTORED
                _consent(association, event, method=ConsentMethod.SYSTEM, actor=actor, reason=reason)
                _audit(Action.ASSOCIATION_CHANGED, association, actor, request, reason=reason)
                _notify(association, NOTICE_FOR[event])
            permissions_sync(association.client)
    if change in ENDING or change in SUSPENDING:
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
