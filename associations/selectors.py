"""Reads for the consumer's pages, written so the query count does not grow with the rows."""

from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from certification.models import AgencyMembership, Assister, AssisterKind, Certification, Status
from certification.selectors import assisters_who_may_act
from clients.models import Client

from .models import Association, AssociationStatus

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
        Certification.objects.filter(assister=assister, status=Status.APPROVED)
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
