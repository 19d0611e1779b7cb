"""Agencies, their registration and directory listings, invitations and rosters."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import user_create
from assister_portal.lib.crypto import lookup_hash
from assister_portal.lib.tokens import new_token, token_hash
from audit.models import Action, AuditEvent, Outcome
from audit.services import audit_record
from core.geo import locate_zip
from core.models import County

from .. import hooks, tasks
from ..groups import agency_groups_sync_user
from ..hooks import AccessChange
from ..models import (
    ASSISTER_KIND_FOR_AGENCY,
    Agency,
    AgencyKind,
    AgencyMembership,
    Assister,
    AssisterKind,
    Certification,
    CertificationStatus,
    Invitation,
    InvitationState,
    MembershipRole,
)
from ..periods import renewal_opens_for, today
from ..selectors import OPEN_STATUSES, agency_is_approved, current_certification
from ._common import require
from .decisions import assister_access_changed, certification_submit

LOCATION_FIELDS = ["latitude", "longitude", "location_zip", "location_county"]


def _locate(listing: Agency | Assister, zip_code: str) -> None:
    """Put the listing at its office ZIP code's centroid, or nowhere if that is not a Minnesota ZIP."""
    place = locate_zip(zip_code)
    listing.location_zip = place.zip_code if place else ""
    listing.latitude = place.latitude if place else None
    listing.longitude = place.longitude if place else None
    listing.location_county = County.objects.filter(fips=place.county_fips).first() if place else None


def _locate_assisters_at_agency_address(agency: Agency) -> None:
    """Assisters with no office of their own are listed at the agency's address."""
    Assister.objects.filter(agency=agency, office_zip="").update(
        **{name: getattr(agency, name) for name in LOCATION_FIELDS}
    )


# Characters a person can read aloud and type without confusing them (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V).
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
) -> Agency | None:
    """A public registration: the agency, its first admin (who must then set up MFA), and a submitted review.

    None when the admin's email already has an account: nothing is created, and the view answers as for a
    new account (allauth's enumeration-proof sign-up: "check your email", and its owner is emailed).
    """
    if User.objects.filter(email__iexact=admin_email).exists():
        audit_record(
            action=Action.AGENCY_REGISTERED,
            outcome=Outcome.DENIED,
            actor_label=admin_email,
            request=request,
            details={"what": "the admin's email already has an account"},
        )
        return None
    with transaction.atomic():
        agency = Agency(**agency_fields)
        _clean_agency(agency)
        agency.fein_hash = lookup_hash(agency.fein)
        _locate(agency, agency.zip_code)
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
        agency_groups_sync_user(admin)
        certification = Certification.objects.create(agency=agency)
        certification_submit(certification=certification, actor=admin, request=request)
        audit_record(action=Action.AGENCY_REGISTERED, actor=admin, request=request, target=agency)
    return agency


def agency_update(*, agency: Agency, actor: User, fields: dict, request: HttpRequest | None = None) -> Agency:
    """Edit the registration. Identity fields are frozen once staff have approved the agency."""
    identity = {"kind", "legal_name", "fein", "agency_npn", "contract_number"}
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if identity & set(fields) and agency_is_approved(agency):
            changed = {name for name in identity & set(fields) if getattr(agency, name) != fields[name]}
            require(
                not changed,
                _("Your agency is approved: ask MNsure to change its legal name, kind, FEIN, NPN or contract number."),
            )
        m2m = {name: fields.pop(name) for name in ("languages", "counties") if name in fields}
        for name, value in fields.items():
            setattr(agency, name, value)
        _clean_agency(agency)
        agency.fein_hash = lookup_hash(agency.fein)
        if "zip_code" in fields:
            _locate(agency, agency.zip_code)
        agency.save()
        _locate_assisters_at_agency_address(agency)
        for name, value in m2m.items():
            getattr(agency, name).set(value)
        hooks.listings_changed.send(agency_ids=[agency.pk])
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
        located = []
        if "office_zip" in fields:
            if assister.office_zip:
                _locate(assister, assister.office_zip)
            else:
                for name in LOCATION_FIELDS:
                    setattr(assister, name, getattr(assister.agency, name))
            located = LOCATION_FIELDS
        assister.save(update_fields=[*fields, *located])
        hooks.listings_changed.send(agency_ids=[assister.agency_id])
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


def agency_renew(*, agency: Agency, actor: User, request: HttpRequest | None = None) -> Certification:
    """Ask MNsure to certify the agency for the next period (from August 1), or again after a lapse.

    The registration on file is what staff review; the admin edits it first if anything changed.
    """
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        require(
            not Certification.objects.filter(agency=agency, status__in=OPEN_STATUSES).exists(),
            _("MNsure is already reviewing your agency."),
        )
        require(
            not Certification.objects.filter(agency=agency, status=CertificationStatus.DECERTIFIED).exists(),
            _("Your agency was decertified. Contact MNsure before applying again."),
        )
        current = current_certification(agency=agency)
        if current is not None:
            opens = renewal_opens_for(current.valid_until)
            require(today() >= opens, _("Renewal opens on %(date)s.") % {"date": opens})
            require(not Certification.objects.filter(renews=current).exists(), _("Your agency has already renewed."))
        renewal = Certification.objects.create(agency=agency, is_renewal=True, renews=current)
        certification_submit(certification=renewal, actor=actor, request=request)
        audit_record(action=Action.RENEWAL_STARTED, actor=actor, request=request, target=renewal)
    return renewal


# --- Invitations and rosters ----------------------------------------------------


# How many invitations an agency admin may send. Each invitation emails a stranger, so an admin's invitations (new and resent) are limited per hour
# and per day (settings.INVITATIONS_PER_HOUR, INVITATIONS_PER_DAY). They are counted in the database,
# from the audit trail: every invitation sent is already an INVITATION_SENT row with its actor and
# time, so there is nothing new to store, the count is the same in every web process and survives a
# restart or a cache flush (the per-IP limits in the cache do not), and a refusal is itself audited.
# A transaction-scoped advisory lock per admin makes parallel posts count one at a time (the pattern
# of accounts.lockout and clients.identification).


def _invitation_limit_reached(*, actor: User, request: HttpRequest | None, email: str) -> bool:
    """Within the caller's transaction: True, with the refusal audited, if `actor` may send no more now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"invite:{actor.pk}"])
    now = timezone.now()
    sent = AuditEvent.objects.filter(
        action=Action.INVITATION_SENT, outcome=Outcome.SUCCESS, actor=actor, at__gte=now - timedelta(days=1)
    ).aggregate(day=Count("pk"), hour=Count("pk", filter=Q(at__gte=now - timedelta(hours=1))))
    if sent["hour"] < settings.INVITATIONS_PER_HOUR and sent["day"] < settings.INVITATIONS_PER_DAY:
        return False
    audit_record(
        action=Action.INVITATION_SENT,
        outcome=Outcome.DENIED,
        actor=actor,
        request=request,
        details={"email": email, "refused": "limit", "last_hour": sent["hour"], "last_day": sent["day"]},
    )
    return True


def _limit_error() -> ValidationError:
    return ValidationError(
        _(
            "You have sent as many invitations as we allow for now (%(hour)s an hour, %(day)s a day). "
            "Try again later. If you need to invite more people at once, contact MNsure."
        )
        % {"hour": settings.INVITATIONS_PER_HOUR, "day": settings.INVITATIONS_PER_DAY},
        code="rate_limited",
    )


def _send_invitation(invitation: Invitation) -> str:
    token, invitation.token_hash = new_token()
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + timedelta(days=settings.INVITATION_VALID_DAYS)
    return token


def invitation_create(
    *, agency: Agency, actor: User, email: str, role: str, assister_kind: str = "", request: HttpRequest | None = None
) -> tuple[Invitation, str]:
    email = email.strip().lower()
    require(agency_is_approved(agency), _("Your agency must be approved by MNsure before you can invite anyone."))
    if role == MembershipRole.ASSISTER:
        allowed = ASSISTER_KIND_FOR_AGENCY[agency.kind]
        require(
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
    # An address that already has an account is invited like any other: the answer, the pending row and
    # the audit trail are the same, so the page cannot be used to learn who has an account. Only the email
    # differs (tasks.send_invitation_email): the account's owner is told that someone tried, and no link.
    with transaction.atomic():
        limited = _invitation_limit_reached(actor=actor, request=request, email=email)
        if not limited:
            invitation = Invitation(
                agency=agency, email=email, role=role, assister_kind=assister_kind, invited_by=actor
            )
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
    if limited:
        raise _limit_error()  # outside the transaction, so the audited refusal is kept
    return invitation, token


def invitation_resend(*, invitation: Invitation, actor: User, request: HttpRequest | None = None) -> str:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        require(
            agency_is_approved(invitation.agency),
            _("Your agency must be approved by MNsure before you can invite anyone."),
        )
        require(
            invitation.accepted_at is None and invitation.revoked_at is None,
            _("This invitation was already accepted or revoked."),
        )
        limited = _invitation_limit_reached(actor=actor, request=request, email=invitation.email)
        if not limited:
            token = _send_invitation(invitation)
            invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
            audit_record(
                action=Action.INVITATION_SENT,
                actor=actor,
                request=request,
                target=invitation,
                details={"resent": True},
            )
            transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation.pk, token))
    if limited:
        raise _limit_error()
    return token


def invitation_revoke(*, invitation: Invitation, actor: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        require(
            invitation.accepted_at is None and invitation.revoked_at is None,
            _("This invitation was already accepted or revoked."),
        )
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(action=Action.INVITATION_REVOKED, actor=actor, request=request, target=invitation)


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link points at, if it can still be used."""
    invitation = Invitation.objects.select_related("agency").filter(token_hash=token_hash(token)).first()
    if invitation is None or invitation.state != InvitationState.PENDING:
        return None
    return invitation


def invitation_accept(
    *, token: str, first_name: str, last_name: str, password: str, request: HttpRequest | None = None
) -> User:
    """Create the invited person's account. The link came by email, so the address is verified."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
        require(
            invitation is not None and invitation.state == InvitationState.PENDING,
            _("This invitation link has expired or was already used. Ask your agency administrator to send a new one."),
        )
        require(
            agency_is_approved(invitation.agency),
            _("This agency cannot take new members right now. Ask your agency administrator."),
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
        agency_groups_sync_user(user)
        if invitation.role == MembershipRole.ASSISTER:
            assister = Assister.objects.create(
                user=user,
                agency=invitation.agency,
                kind=invitation.assister_kind,
                legal_first_name=first_name,
                legal_last_name=last_name,
                **{name: getattr(invitation.agency, name) for name in LOCATION_FIELDS},
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
        require(membership.ended_at is None, _("This person is no longer a member."))
        Agency.objects.select_for_update().get(pk=membership.agency_id)  # one roster change at a time
        if membership.role == MembershipRole.ADMIN:
            admins = AgencyMembership.objects.filter(
                agency_id=membership.agency_id, role=MembershipRole.ADMIN, ended_at__isnull=True
            )
            require(
                admins.count() > 1,
                _("An agency needs at least one administrator. Add another before removing this one."),
            )
        membership.ended_at = timezone.now()
        membership.ended_by = actor
        membership.save(update_fields=["ended_at", "ended_by"])
        agency_groups_sync_user(membership.user)
        audit_record(
            action=Action.MEMBER_REMOVED,
            actor=actor,
            request=request,
            target=membership,
            details={"email": membership.user.email},
        )
        assister = Assister.objects.filter(user=membership.user).first()
        if assister is not None:
            assister_access_changed(
                assister=assister, change=AccessChange.REMOVED_FROM_AGENCY, actor=actor, request=request
            )
            hooks.listings_changed.send(agency_ids=[membership.agency_id])
