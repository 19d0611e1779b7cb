"""Reads about associations, written so the query count does not grow with the rows.

For the consumer's pages: their assisters, requests and history, who viewed their information. For the
assister's pages: the book of clients (a list of active associations, one row per assister of record,
limited to clients the viewer holds `view_client` on through the guardian rows, DESIGN §5: an assister
sees their own associations, agency admins and support staff see their agency's), the requests an
assister sent, and a client's history with one agency.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.models import AuditEvent
from certification.models import AgencyMembership, Assister, AssisterKind, Certification, CertificationStatus
from certification.selectors import active_membership, assisters_who_may_act
from clients.models import Client, search_key

from .models import Association, AssociationStatus, Consent, InitiatedBy
from .permissions_sync import granted_directly, granted_through_groups

KIND_ORDER = [AssisterKind.BROKER, AssisterKind.NAVIGATOR, AssisterKind.CAC]
CURRENT = (AssociationStatus.ACTIVE, AssociationStatus.SUSPENDED)
PAST = (AssociationStatus.ENDED, AssociationStatus.DECLINED, AssociationStatus.EXPIRED)
HISTORY_LIMIT = 20
COI_FIELDS = [
    "coi_other_insurance_lines",
    "coi_insurer_employment",
    "coi_spouse_insurer_employment",
    "coi_financial_ties",
]


def assister_to_choose(assister_id: str) -> Assister | None:
    """The assister with this (normalized) ID, if they may act for clients today."""
    return assisters_who_may_act().select_related("agency", "user").filter(assister_id=assister_id).first()


def _associations(client: Client) -> QuerySet[Association]:
    return Association.objects.filter(client=client).select_related("assister__agency", "assister__user")


def client_assisters(client: Client) -> dict:
    """The client's current assisters (in kind order), requests waiting for them, and recent history."""
    now = timezone.now()
    open_rows = list(_associations(client).filter(status__in=[*CURRENT, AssociationStatus.PENDING]))
    current = sorted(
        (a for a in open_rows if a.status in CURRENT),
        key=lambda a: KIND_ORDER.index(a.kind) if a.kind in KIND_ORDER else len(KIND_ORDER),
    )
    pending = sorted(
        (
            a
            for a in open_rows
            if a.status == AssociationStatus.PENDING and (a.request_expires_at is None or a.request_expires_at > now)
        ),
        key=lambda a: a.requested_at,
    )
    history = list(
        _associations(client)
        .filter(status__in=PAST)
        .order_by(F("ended_at").desc(nulls_last=True), "-id")[:HISTORY_LIMIT]
    )
    return {"current": current, "pending": pending, "history": history}


def current_of_kind(client: Client, kind: str) -> Association | None:
    return _associations(client).filter(kind=kind, status__in=CURRENT).first()


def pending_from(client: Client, assister: Assister) -> Association | None:
    return _associations(client).filter(assister=assister, status=AssociationStatus.PENDING).first()


def coi_disclosures(assister: Assister) -> list[dict] | None:
    """A navigator's or counselor's conflict-of-interest disclosures from their latest approved certification.

    None for brokers (they make no such disclosure); each item is {"label", "text"} with text "" for none.
    """
    if assister.kind == AssisterKind.BROKER:
        return None
    certification = (
        Certification.objects.filter(assister=assister, status=CertificationStatus.APPROVED)
        .order_by(F("valid_until").desc(nulls_last=True), "-created_at", "-id")
        .first()
    )
    return [
        {
            "label": Certification._meta.get_field(name).verbose_name,
            "text": (getattr(certification, name) or "").strip() if certification else "",
        }
        for name in COI_FIELDS
    ]


def who_viewed(client: Client, user) -> QuerySet[AuditEvent]:
    """Everything anyone but the client did with their information, newest first.

    The actor's agency comes from a subquery on their active membership, so the page costs the same
    number of queries for any number of rows.
    """
    agency_name = Subquery(
        AgencyMembership.objects.filter(user=OuterRef("actor"), ended_at__isnull=True)
        .annotate(name=Coalesce(NullIf(F("agency__public_name"), Value("")), F("agency__legal_name")))
        .values("name")[:1]
    )
    return (
        AuditEvent.objects.filter(client=client)
        .exclude(actor=user)
        .select_related("actor")
        .annotate(actor_agency=agency_name)
        .order_by("-at", "-id")
    )


def offline_consent_refusal(association: Association) -> str | None:
    """Why consent given offline cannot be recorded for this request, or None when it can.

    Recorded offline consent is for a client with no account and no current assister of this kind; anyone else
    confirms the request in their own account (DESIGN §8: an assister never replaces the client's choice).
    """
    client = association.client
    if client.user_id is not None:
        return _(
            "%(name)s has an account in the portal, so they confirm your request there themselves. "
            "Ask them to sign in and confirm it under “My assisters”."
        ) % {"name": client.full_name}
    if (
        Association.objects.filter(client=client, kind=association.kind, status__in=CURRENT)
        .exclude(pk=association.pk)
        .exists()
    ):
        return _(
            "%(name)s already has a %(kind)s, and only the client can replace them. Ask them to claim their "
            "account with the link we emailed them and confirm your request there, or to call the MNsure "
            "Contact Center at 1-855-366-7873."
        ) % {"name": client.full_name, "kind": association.get_kind_display().lower()}
    return None


# --- The assister's pages -------------------------------------------------------------

PAGE_SIZE = 25

# Whitelisted sort orders: the value in the URL → the ORDER BY it means.
SORTS = {
    "name": ("client__search_last", "client__search_first", "pk"),
    "-name": ("-client__search_last", "-client__search_first", "-pk"),
    "since": ("started_at", "pk"),
    "-since": ("-started_at", "-pk"),
    "county": (F("client__county__name").asc(nulls_last=True), "client__search_last", "pk"),
    "-county": (F("client__county__name").desc(nulls_last=True), "client__search_last", "pk"),
}
DEFAULT_SORT = "name"

_NAME_SPLIT = re.compile(r"[\s,]+")
_HEX = re.compile(r"^[0-9a-f]{1,32}$")


@dataclass(frozen=True)
class BookFilters:
    name: str = ""
    date_of_birth: date | None = None
    client_id: str = ""  # hex digits of the public id (a prefix, or all 32)
    kind: str = ""
    status: str = AssociationStatus.ACTIVE
    sort: str = DEFAULT_SORT


def is_agency_staff(user) -> bool:
    return user.role in (Role.AGENCY_ADMIN, Role.AGENCY_SUPPORT)


def name_q(term: str) -> Q:
    """Prefix match on the accent- and case-free name keys: "ana gar" is first "ana…" and last "gar…"."""
    words = [search_key(w) for w in _NAME_SPLIT.split(term or "") if search_key(w)]
    if not words:
        return Q()
    whole = " ".join(words)
    q = Q(client__search_first__startswith=whole) | Q(client__search_last__startswith=whole)
    if len(words) > 1:
        first, rest = words[0], " ".join(words[1:])
        q |= Q(client__search_first__startswith=first, client__search_last__startswith=rest)
        q |= Q(client__search_last__startswith=first, client__search_first__startswith=rest)
    return q


def client_id_q(hex_digits: str) -> Q:
    """The short id (first 8 hex digits of the public id) or any prefix of it, or the whole UUID.

    A range on the UUID, so the unique index answers it.
    """
    hex_digits = hex_digits.lower()
    if not _HEX.match(hex_digits):
        return Q(pk__in=[])
    if len(hex_digits) == 32:
        return Q(client__public_id=uuid.UUID(hex_digits))
    low = uuid.UUID(hex_digits.ljust(32, "0"))
    high = uuid.UUID(hex_digits.ljust(32, "f"))
    return Q(client__public_id__gte=low, client__public_id__lte=high)


def client_book(user, filters: BookFilters | None = None) -> QuerySet[Association]:
    """Active (or, for agency staff, suspended) associations of the clients this user may view."""
    filters = filters or BookFilters()
    statuses = [AssociationStatus.ACTIVE]
    if is_agency_staff(user) and filters.status == AssociationStatus.SUSPENDED:
        statuses = [AssociationStatus.SUSPENDED]
    # Assisters hold their grants themselves, agency staff through their agency's groups: filtering
    # on the one path that applies lets PostgreSQL drive the query from the grants (see bench/).
    if user.role == Role.ASSISTER:
        associations = Association.objects.filter(
            client_id__in=granted_directly(user), assister__user=user, status__in=statuses
        )
    elif is_agency_staff(user):
        membership = active_membership(user)
        if membership is None:
            return Association.objects.none()
        associations = Association.objects.filter(
            client_id__in=granted_through_groups(user), agency_id=membership.agency_id, status__in=statuses
        )
        if statuses == [AssociationStatus.ACTIVE]:
            # The same rule as the client page: only through an assister who may act today (an expiry takes
            # effect before the nightly sweep suspends the association).
            # (Narrowed to the agency's assisters, so PostgreSQL need not join every assister and membership.)
            associations = associations.filter(
                Exists(assisters_who_may_act().filter(agency_id=membership.agency_id, pk=OuterRef("assister_id")))
            )
    else:
        return Association.objects.none()
    if filters.name:
        associations = associations.filter(name_q(filters.name))
    if filters.date_of_birth:
        associations = associations.filter(client__date_of_birth=filters.date_of_birth)
    if filters.client_id:
        associations = associations.filter(client_id_q(filters.client_id))
    if filters.kind:
        associations = associations.filter(kind=filters.kind)
    order = SORTS.get(filters.sort) or SORTS[DEFAULT_SORT]
    return associations.select_related(
        "client__county", "client__preferred_language", "assister__user", "assister__agency"
    ).order_by(*order)


def assister_requests(user) -> QuerySet[Association]:
    """Associations this assister asked for, waiting or not taken up, newest first."""
    return (
        Association.objects.filter(
            assister__user=user,
            initiated_by=InitiatedBy.ASSISTER,
            status__in=[AssociationStatus.PENDING, AssociationStatus.DECLINED, AssociationStatus.EXPIRED],
        )
        .select_related("client")
        .order_by("-requested_at", "-pk")
    )


def client_history(client: Client, agency_id: int) -> list[Association]:
    """Every association of this client with one agency, newest first, each with its Consent rows."""
    consents = Consent.objects.select_related("recorded_by", "evidence_file").order_by("at", "id")
    return list(
        Association.objects.filter(client=client, assister__agency_id=agency_id)
        .select_related("assister__user", "assister__agency")
        .prefetch_related(Prefetch("consents", queryset=consents))
        .order_by("-requested_at", "-pk")
    )
