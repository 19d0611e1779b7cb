"""Every write of the certification app: registration, invitations, rosters, applications, decisions.

Status changes go through `_transition`, which locks the row, checks the state
machine, appends a CertificationEvent, writes the audit trail and schedules the
decision email after commit.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from accounts.services import user_create
from assister_portal.lib.crypto import lookup_hash
from audit.models import Action
from audit.services import audit_record, client_ip

from . import tasks
from .models import (
    ASSISTER_KIND_FOR_AGENCY,
    Agency,
    AgencyKind,
    AgencyMembership,
    Assister,
    AssisterKind,
    BackgroundStudy,
    Certification,
    CertificationEvent,
    Invitation,
    IssuedAssisterId,
    MembershipRole,
    Status,
)
from .periods import period_end_for, today
from .requirements import missing
from .selectors import OPEN_STATUSES, agency_is_approved, current_certification

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
# Decisions that cut (or restore) access to clients.
ACCESS_LOST = {"suspend", "decertify", "expire"}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require(condition: bool, message: str, field: str | None = None) -> None:
    if not condition:
        raise ValidationError({field: message} if field else message)


# --- Agencies -----------------------------------------------------------------


def _clean_agency(agency: Agency) -> None:
    errors = {}
    if agency.kind == AgencyKind.BROKER_AGENCY and not agency.agency_npn:
        errors["agency_npn"] = _("A broker agency must give its agency NPN.")
    if agency.kind != AgencyKind.BROKER_AGENCY and not agency.contract_number:
        errors["contract_number"] = _("Navigator and counselor organizations must give their contract or grant number.")
    if errors:
        raise ValidationError(errors)
    agency.full_clean(exclude=["fein_hash"])


def agency_register(
    *,
    agency_fields: dict,
    admin_email: str,
    admin_password: str,
    admin_first_name: str,
    admin_last_name: str,
    request: HttpRequest | None,
) -> Agency:
    """A public registration: the agency, its first admin (who must then set up MFA), and a submitted review."""
    with transaction.atomic():
        agency = Agency(**agency_fields)
        _clean_agency(agency)
        agency.fein_hash = lookup_hash(agency.fein)
        admin = user_create(
            email=admin_email,
            password=admin_password,
            role=Role.AGENCY_ADMIN,
            actor=None,
            first_name=admin_first_name,
            last_name=admin_last_name,
            request=request,
        )
        agency.save()
        AgencyMembership.objects.create(user=admin, agency=agency, role=MembershipRole.ADMIN)
        certification = Certification.objects.create(agency=agency)
        _transition(certification, "submit", actor=admin, request=request)
        audit_record(action=Action.AGENCY_REGISTERED, actor=admin, request=request, target=agency)
    return agency


def agency_update(*, agency: Agency, actor: User, fields: dict, request: HttpRequest | None = None) -> Agency:
    """Edit the registration. Identity fields are frozen once staff have approved the agency."""
    identity = {"kind", "legal_name", "fein", "agency_npn", "contract_number"}
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if identity & set(fields) and agency_is_approved(agency):
            changed = {name for name in identity & set(fields) if getattr(agency, name) != fields[name]}
            _require(
                not changed,
                _("Your agency is approved: ask MNsure to change its legal name, kind, FEIN, NPN or contract number."),
            )
        m2m = {name: fields.pop(name) for name in ("languages", "counties") if name in fields}
        for name, value in fields.items():
            setattr(agency, name, value)
        _clean_agency(agency)
        agency.fein_hash = lookup_hash(agency.fein)
        agency.save()
        for name, value in m2m.items():
            getattr(agency, name).set(value)
        audit_record(
            action=Action.AGENCY_UPDATED,
            actor=actor,
            request=request,
            target=agency,
            details={"fields": sorted([*fields, *m2m])},
        )
    return agency


def assister_update_profile(
    *, assister: Assister, actor: User, fields: dict, request: HttpRequest | None = None
) -> Assister:
    """The assister's directory listing (contact, languages, counties, services, hours, accessibility)."""
    with transaction.atomic():
        assister = Assister.objects.select_for_update().get(pk=assister.pk)
        m2m = {name: fields.pop(name) for name in ("languages", "counties") if name in fields}
        for name, value in fields.items():
            setattr(assister, name, value)
        assister.full_clean()
        assister.save(update_fields=list(fields))
        for name, value in m2m.items():
            getattr(assister, name).set(value)
        audit_record(
            action=Action.PROFILE_UPDATED,
            actor=actor,
            request=request,
            target=assister,
            details={"fields": sorted([*fields, *m2m])},
        )
    return assister


# --- Invitations and rosters ----------------------------------------------------


def _send_invitation(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _token_hash(token)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + timedelta(days=settings.INVITATION_VALID_DAYS)
    return token


def invitation_create(
    *, agency: Agency, actor: User, email: str, role: str, assister_kind: str = "", request: HttpRequest | None = None
) -> tuple[Invitation, str]:
    email = email.strip().lower()
    _require(agency_is_approved(agency), _("Your agency must be approved by MNsure before you can invite anyone."))
    if role == MembershipRole.ASSISTER:
        allowed = ASSISTER_KIND_FOR_AGENCY[agency.kind]
        _require(
            assister_kind in allowed,
            _("A %(agency)s can invite only: %(kinds)s.")
            % {
                "agency": agency.get_kind_display().lower(),
                "kinds": ", ".join(str(AssisterKind(k).label).lower() for k in allowed),
            },
            "assister_kind",
        )
    else:
        assister_kind = ""
    _require(
        not User.objects.filter(email__iexact=email).exists(),
        _("This email address already has an account. Invite the address the person will use for their work."),
        "email",
    )
    with transaction.atomic():
        invitation = Invitation(agency=agency, email=email, role=role, assister_kind=assister_kind, invited_by=actor)
        token = _send_invitation(invitation)
        invitation.full_clean(exclude=["token_hash"])
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            raise ValidationError(
                {"email": _("This address already has an open invitation. Resend it instead.")}
            ) from None
        audit_record(
            action=Action.INVITATION_SENT, actor=actor, request=request, target=invitation, details={"email": email}
        )
        transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation.pk, token))
    return invitation, token


def invitation_resend(*, invitation: Invitation, actor: User, request: HttpRequest | None = None) -> str:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _require(
            invitation.accepted_at is None and invitation.revoked_at is None,
            _("This invitation was already accepted or revoked."),
        )
        token = _send_invitation(invitation)
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        audit_record(
            action=Action.INVITATION_SENT, actor=actor, request=request, target=invitation, details={"resent": True}
        )
        transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation.pk, token))
    return token


def invitation_revoke(*, invitation: Invitation, actor: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _require(
            invitation.accepted_at is None and invitation.revoked_at is None,
            _("This invitation was already accepted or revoked."),
        )
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(action=Action.INVITATION_REVOKED, actor=actor, request=request, target=invitation)


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link points at, if it can still be used."""
    invitation = Invitation.objects.select_related("agency").filter(token_hash=_token_hash(token)).first()
    if invitation is None or invitation.state != "pending":
        return None
    return invitation


def invitation_accept(
    *, token: str, first_name: str, last_name: str, password: str, request: HttpRequest | None = None
) -> User:
    """Create the invited person's account. The link came by email, so the address is verified."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
        _require(
            invitation is not None and invitation.state == "pending",
            _("This invitation link has expired or was already used. Ask your agency administrator to send a new one."),
        )
        role = Role.ASSISTER if invitation.role == MembershipRole.ASSISTER else Role.AGENCY_SUPPORT
        user = user_create(
            email=invitation.email,
            password=password,
            role=role,
            actor=None,
            first_name=first_name,
            last_name=last_name,
            email_verified=True,
            request=request,
        )
        AgencyMembership.objects.create(user=user, agency=invitation.agency, role=invitation.role)
        if invitation.role == MembershipRole.ASSISTER:
            assister = Assister.objects.create(
                user=user,
                agency=invitation.agency,
                kind=invitation.assister_kind,
                legal_first_name=first_name,
                legal_last_name=last_name,
            )
            Certification.objects.create(assister=assister)
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        audit_record(action=Action.INVITATION_ACCEPTED, actor=user, request=request, target=invitation)
    return user


def membership_end(*, membership: AgencyMembership, actor: User, request: HttpRequest | None = None) -> None:
    """Remove a member from the agency; an assister loses access to clients at once."""
    with transaction.atomic():
        membership = AgencyMembership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        _require(membership.ended_at is None, _("This person is no longer a member."))
        if membership.role == MembershipRole.ADMIN:
            admins = AgencyMembership.objects.filter(
                agency_id=membership.agency_id, role=MembershipRole.ADMIN, ended_at__isnull=True
            )
            _require(
                admins.count() > 1,
                _("An agency needs at least one administrator. Add another before removing this one."),
            )
        membership.ended_at = timezone.now()
        membership.ended_by = actor
        membership.save(update_fields=["ended_at", "ended_by"])
        audit_record(
            action=Action.MEMBER_REMOVED,
            actor=actor,
            request=request,
            target=membership,
            details={"email": membership.user.email},
        )
        assister = Assister.objects.filter(user=membership.user).first()
        if assister is not None:
            assister_access_lost(assister=assister, reason="removed_from_agency", actor=actor, request=request)


# --- The application -----------------------------------------------------------


def certification_save_application(
    *,
    certification: Certification,
    actor: User,
    assister_fields: dict,
    certification_fields: dict,
    request: HttpRequest | None = None,
) -> Certification:
    with transaction.atomic():
        certification = (
            Certification.objects.select_for_update(of=("self",)).select_related("assister").get(pk=certification.pk)
        )
        _require(
            certification.status in (Status.DRAFT, Status.INFO_REQUESTED),
            _("This application was already submitted; you can change it only if MNsure asks for more information."),
        )
        assister = certification.assister
        for name, value in assister_fields.items():
            setattr(assister, name, value)
        assister.full_clean()
        assister.save(update_fields=list(assister_fields))
        for name, value in certification_fields.items():
            setattr(certification, name, value)
        if assister.kind != AssisterKind.BROKER:
            certification.coi_answered = True
        certification.full_clean()
        certification.save(update_fields=[*certification_fields, "coi_answered"])
    return certification


def certification_sign_agreement(
    *, certification: Certification, actor: User, typed_name: str, request: HttpRequest | None = None
) -> Certification:
    with transaction.atomic():
        certification = (
            Certification.objects.select_for_update(of=("self",)).select_related("assister").get(pk=certification.pk)
        )
        _require(
            certification.status in (Status.DRAFT, Status.INFO_REQUESTED),
            _("This application can no longer be changed."),
        )
        expected = certification.assister.full_name
        _require(
            " ".join(typed_name.split()).casefold() == " ".join(expected.split()).casefold(),
            _("Type your full legal name exactly as above (%(name)s) to sign.") % {"name": expected},
            "typed_name",
        )
        certification.agreement_version = settings.ASSISTER_AGREEMENT_VERSION
        certification.agreement_signed_name = typed_name.strip()
        certification.agreement_signed_at = timezone.now()
        certification.agreement_signed_ip = client_ip(request) if request is not None else None
        certification.save(
            update_fields=["agreement_version", "agreement_signed_name", "agreement_signed_at", "agreement_signed_ip"]
        )
        audit_record(
            action=Action.AGREEMENT_SIGNED,
            actor=actor,
            request=request,
            target=certification,
            details={"version": certification.agreement_version},
        )
    return certification


def certification_renew(*, assister: Assister, actor: User, request: HttpRequest | None = None) -> Certification:
    """Start the renewal for the next period, prefilled from the current certification."""
    from .periods import renewal_opens_for

    with transaction.atomic():
        current = current_certification(assister=assister)
        _require(current is not None, _("Only a current certification can be renewed; apply again instead."))
        _require(
            today() >= renewal_opens_for(current.valid_until),
            _("Renewal opens on %(date)s.") % {"date": renewal_opens_for(current.valid_until)},
        )
        _require(not Certification.objects.filter(renews=current).exists(), _("You have already started this renewal."))
        copied = [
            "training_completed_on",
            "training_certificate_number",
            "license_number",
            "license_expires_on",
            "eo_carrier",
            "eo_policy_number",
            "eo_expires_on",
            "coi_other_insurance_lines",
            "coi_insurer_employment",
            "coi_spouse_insurer_employment",
            "coi_financial_ties",
        ]
        renewal = Certification.objects.create(
            assister=assister, is_renewal=True, renews=current, **{name: getattr(current, name) for name in copied}
        )
        audit_record(action=Action.RENEWAL_STARTED, actor=actor, request=request, target=renewal)
    return renewal


def certification_apply_again(*, assister: Assister, actor: User, request: HttpRequest | None = None) -> Certification:
    """A new application after a denial, withdrawal, expiry or lapse (not after decertification)."""
    with transaction.atomic():
        _require(
            not Certification.objects.filter(assister=assister, status__in=OPEN_STATUSES).exists(),
            _("You already have an application in progress."),
        )
        _require(current_certification(assister=assister) is None, _("You are certified; renew instead."))
        _require(
            not Certification.objects.filter(assister=assister, status=Status.DECERTIFIED).exists(),
            _("You were decertified. Contact MNsure before applying again."),
        )
        return Certification.objects.create(assister=assister)


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
        if action in ACCESS_LOST or action == "reinstate":
            _access_changed(certification, action=action, actor=actor, request=request)
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
        _require(
            certification.status in (Status.SUBMITTED, Status.IN_REVIEW, Status.INFO_REQUESTED),
            _("Checks are recorded while an application is under review."),
        )
        fields = []
        if background_study is not None:
            _require(background_study in BackgroundStudy.values, _("Unknown background study result."))
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
    reason = {"suspend": "suspended", "decertify": "decertified", "expire": "expired", "reinstate": "reinstated"}[
        action
    ]
    if certification.assister_id:
        assister_access_lost(assister=certification.assister, reason=reason, actor=actor, request=request)
    else:
        for assister in Assister.objects.filter(agency=certification.agency_id).select_related("agency"):
            assister_access_lost(assister=assister, reason=f"agency_{reason}", actor=actor, request=request)


def assister_access_lost(
    *, assister: Assister, reason: str, actor: User | None, request: HttpRequest | None = None
) -> None:
    """The one place where an assister's standing changes: suspension, expiry, decertification,
    removal from the agency, the agency's own lapse — and reinstatement, which restores it.

    Whether an assister may act is always derived (`selectors.assister_may_act`), so access
    stops on the next request. Later issues add the effect on clients here: suspending or
    ending the assister's associations in the same transaction as the change that caused it.
    """
    audit_record(
        action=Action.ASSISTER_ACCESS_CHANGED,
        actor=actor,
        request=request,
        target=assister,
        details={"reason": reason, "assister_id": assister.assister_id},
    )
