"""Reads about agencies, memberships and certifications, written so the query count does not grow with rows."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User

from .models import Agency, AgencyMembership, Assister, Certification, Invitation, MembershipRole, Status
from .periods import today

OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.INFO_REQUESTED)


def current_q(prefix: str = "") -> Q:
    """Q for an approved certification whose period includes today."""
    day = today()
    return Q(
        **{
            f"{prefix}status": Status.APPROVED,
            f"{prefix}valid_from__lte": day,
            f"{prefix}valid_until__gte": day,
        }
    )


def current_certification(*, assister: Assister | None = None, agency: Agency | None = None) -> Certification | None:
    qs = Certification.objects.filter(current_q())
    qs = qs.filter(assister=assister) if assister is not None else qs.filter(agency=agency)
    return qs.order_by("-valid_until").first()


def latest_certification(*, assister: Assister | None = None, agency: Agency | None = None) -> Certification | None:
    qs = Certification.objects.all()
    qs = qs.filter(assister=assister) if assister is not None else qs.filter(agency=agency)
    return qs.order_by("-created_at", "-id").first()


def open_certification(*, assister: Assister | None = None, agency: Agency | None = None) -> Certification | None:
    qs = Certification.objects.filter(status__in=OPEN_STATUSES)
    qs = qs.filter(assister=assister) if assister is not None else qs.filter(agency=agency)
    return qs.first()


def agency_is_approved(agency: Agency) -> bool:
    return Certification.objects.filter(current_q(), agency=agency).exists()


def active_membership(user) -> AgencyMembership | None:
    if not user.is_authenticated:
        return None
    return AgencyMembership.objects.select_related("agency").filter(user=user, ended_at__isnull=True).first()


def assisters_who_may_act() -> QuerySet[Assister]:
    """Assisters who may act for clients today: certified, still members of their agency, agency certified."""
    return Assister.objects.filter(
        Exists(Certification.objects.filter(current_q(), assister=OuterRef("pk"))),
        Exists(Certification.objects.filter(current_q(), agency=OuterRef("agency"))),
        Exists(
            AgencyMembership.objects.filter(user=OuterRef("user"), agency=OuterRef("agency"), ended_at__isnull=True)
        ),
    )


def assister_may_act(user) -> bool:
    """One query: is this user an assister who may act for clients right now?"""
    if not user.is_authenticated:
        return False
    return assisters_who_may_act().filter(user=user).exists()


def roster(agency: Agency) -> list[AgencyMembership]:
    """Active members with each assister's latest certification, in a fixed number of queries."""
    latest = Certification.objects.order_by("-created_at", "-id")
    memberships = (
        AgencyMembership.objects.filter(agency=agency, ended_at__isnull=True)
        .select_related("user", "user__assister")
        .prefetch_related(Prefetch("user__assister__certifications", queryset=latest, to_attr="certs"))
        .order_by("role", "user__last_name", "user__email")
    )
    return list(memberships)


def pending_invitations(agency: Agency) -> QuerySet[Invitation]:
    return Invitation.objects.filter(agency=agency, accepted_at__isnull=True, revoked_at__isnull=True).select_related(
        "invited_by"
    )


def agency_admins(agency: Agency) -> QuerySet:
    return User.objects.filter(
        memberships__agency=agency,
        memberships__role=MembershipRole.ADMIN,
        memberships__ended_at__isnull=True,
        is_active=True,
    )
