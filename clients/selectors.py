"""Reads about clients for assisters and their agencies, written so the query count does not grow with rows.

The book of clients is a list of active associations (one row per assister of
record), limited to clients the viewer holds `view_client` on through the guardian
rows (DESIGN §5): an assister sees their own associations, agency admins and
support staff see their agency's.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from associations.models import Association, AssociationStatus, Consent, InitiatedBy
from associations.permissions_sync import granted_directly, granted_through_groups
from certification.selectors import active_membership, assisters_who_may_act

from .models import POWER_CODES, Client, search_key

PAGE_SIZE = 25

# Short labels for the dashboard's "Powers" column, in the order of POWERS.
POWER_SHORT_LABELS = {
    "view_client": _("View"),
    "change_client": _("Change details"),
    "apply_for_client": _("Apply"),
    "select_plan_for_client": _("Select a plan"),
    "upload_for_client": _("Upload"),
    "report_change_for_client": _("Report changes"),
    "view_notices_for_client": _("Notices"),
}

# What each power lets the assister do, as the client page lists it.
POWER_ACTION_LABELS = {
    "view_client": _("See the client's information and application status"),
    "change_client": _("Change the client's contact details and account"),
    "apply_for_client": _("Start, change or withdraw applications"),
    "select_plan_for_client": _("Select a health plan"),
    "upload_for_client": _("Upload documents that prove the client's information"),
    "report_change_for_client": _("Report a change in the client's circumstances"),
    "view_notices_for_client": _("See the client's notices and invoices"),
}

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
            associations = associations.filter(Exists(assisters_who_may_act().filter(pk=OuterRef("assister_id"))))
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
    consents = Consent.objects.select_related("recorded_by").order_by("at", "id")
    return list(
        Association.objects.filter(client=client, assister__agency_id=agency_id)
        .select_related("assister__user", "assister__agency")
        .prefetch_related(Prefetch("consents", queryset=consents))
        .order_by("-requested_at", "-pk")
    )


def power_labels(powers, labels=POWER_SHORT_LABELS) -> list[str]:
    return [labels[code] for code in POWER_CODES if code in powers]
