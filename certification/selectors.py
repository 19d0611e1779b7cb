"""Reads about agencies, memberships and certifications, written so the query count does not grow with rows."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When

from accounts.models import User
from assister_portal.lib.followups import rows as followup_rows

from .models import (
    OPEN_STATUSES,
    Agency,
    AgencyKind,
    AgencyMembership,
    Assister,
    AssisterKind,
    Certification,
    CertificationStatus,
    Invitation,
    MembershipRole,
)
from .periods import today


def current_q(prefix: str = "") -> Q:
    """Q for an approved certification whose period includes today."""
    day = today()
    return Q(
        **{
            f"{prefix}status": CertificationStatus.APPROVED,
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


@dataclass(frozen=True)
class Listing:
    """Whether the public directory lists an assister or an agency today, and what is missing.

    The rule is the directory's (`directory.selectors.listed_assisters` and `listed_agencies`), read here from
    certification data because the directory app sits above this one; directory/tests/test_listing_status.py
    checks that the two agree. An assister is listed when they may act for clients (certified, a member of
    a certified agency), chose to be listed, and their office is in Minnesota. An agency is listed when it is
    certified, chose to be listed and its office is in Minnesota, and, for a navigator organization, once at
    least one of its navigators is listed.
    """

    certified: bool
    opted_in: bool
    placed: bool  # the office is in Minnesota, so the map can place it
    navigator_org: bool = False
    has_listed_navigator: bool = False

    @property
    def listed(self) -> bool:
        return (
            self.certified and self.opted_in and self.placed and (self.has_listed_navigator or not self.navigator_org)
        )


def listed_assisters() -> QuerySet[Assister]:
    """Assisters in the public directory today: who may act, opted in, with an office in Minnesota.

    The one definition of the listing rule: the directory searches with it, and "My certification" and
    "My agency" explain it (`assister_listing`, `agency_listing`)."""
    return assisters_who_may_act().filter(directory_opt_in=True, latitude__isnull=False)


def listed_agencies() -> QuerySet[Agency]:
    """Certified, opted-in agencies in Minnesota; a navigator organization only with a listed navigator."""
    listed_navigator = listed_assisters().filter(agency=OuterRef("pk"), kind=AssisterKind.NAVIGATOR)
    return Agency.objects.filter(
        Exists(Certification.objects.filter(current_q(), agency=OuterRef("pk"))),
        ~Q(kind=AgencyKind.NAVIGATOR_ORG) | Exists(listed_navigator),
        directory_opt_in=True,
        latitude__isnull=False,
    )


def assister_listing(assister: Assister) -> Listing:
    return Listing(
        certified=assisters_who_may_act().filter(pk=assister.pk).exists(),
        opted_in=assister.directory_opt_in,
        placed=assister.latitude is not None,
    )


def agency_listing(agency: Agency) -> Listing:
    navigator_org = agency.kind == AgencyKind.NAVIGATOR_ORG
    listed_navigators = listed_assisters().filter(agency=agency, kind=AssisterKind.NAVIGATOR)
    return Listing(
        certified=agency_is_approved(agency),
        opted_in=agency.directory_opt_in,
        placed=agency.latitude is not None,
        navigator_org=navigator_org,
        has_listed_navigator=navigator_org and listed_navigators.exists(),
    )


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


# --- The worklist's follow-ups (issue 17) -----------------------------------------------------------------------

CERTIFICATION_EXPIRING = "certification_expiring"


def followups_certification(user, day: date) -> QuerySet:
    """The user's own certification (an assister's; an agency admin's agency's) that ends within the first reminder
    (settings.CERTIFICATION_REMINDER_DAYS) and has no renewal sent to staff yet, on `day`. Not a client's item."""
    renewal_sent = Certification.objects.filter(renews=OuterRef("pk")).exclude(
        status__in=[CertificationStatus.DRAFT, CertificationStatus.WITHDRAWN]
    )
    admin_of_agency = AgencyMembership.objects.filter(
        user=user, agency=OuterRef("agency"), role=MembershipRole.ADMIN, ended_at__isnull=True
    )
    return followup_rows(
        Certification.objects.filter(
            Q(assister__user=user) | Q(Exists(admin_of_agency)),
            status=CertificationStatus.APPROVED,
            valid_from__lte=day,
            valid_until__range=(day, day + timedelta(days=max(settings.CERTIFICATION_REMINDER_DAYS))),
        ).exclude(Exists(renewal_sent)),
        kind=CERTIFICATION_EXPIRING,
        client=None,
        deadline=F("valid_until"),
        since=F("decided_at"),
        ref=F("public_id"),
        detail=Case(When(agency__isnull=False, then=Value("agency")), default=Value("assister")),
    )
