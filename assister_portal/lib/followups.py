"""The one shape of a follow-up row (issue 17): what an app says still needs doing for a client.

Each app that owns something an assister must follow up (documents due, a draft left alone, a window closing…)
has a selector that narrows its own rows to the open items and passes them through `rows()`, which names the
columns every app gives in one order with one type each. The worklist app combines them with `UNION ALL` into
one statement, so the list is derived from the apps' own rows (nothing copied that could drift) and costs the
same number of queries whatever the size of the book.

    # verifications/selectors.py
    def followups(client_ids) -> QuerySet:
        return rows(
            VerificationRequest.objects.filter(of_clients(client_ids), status__in=WAITING),
            kind="documents_due", client="client", deadline=F("due_date"), since=F("opened_at"),
            ref=F("public_id"), detail=F("type"),
        )
"""

from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    Expression,
    F,
    IntegerField,
    Q,
    QuerySet,
    UUIDField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

COLUMNS = (
    "fu_client_pk",
    "fu_client_public_id",
    "fu_client_first_name",
    "fu_client_last_name",
    "fu_kind",
    "fu_deadline",
    "fu_since",
    "fu_ref",
    "fu_detail",
)


def of_clients(client_ids, field: str = "client_id") -> Q:
    """Q for rows of the given clients, the ids as one array (`IN (SELECT unnest(…))`), so PostgreSQL plans each branch
    of the union with the book's size known (the ids are read once per request, not a subquery in every branch)."""
    return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::integer[])", (list(client_ids),))})


def _typed(value, field) -> Expression:
    if value is None:
        return Value(None, output_field=field)
    if isinstance(value, str):
        return Value(value, output_field=field)
    return Cast(value, output_field=field)


def rows(
    queryset: QuerySet,
    *,
    kind: str,
    client: str | None,
    deadline: Expression | None,
    since: Expression,
    ref: Expression,
    detail: Expression | str = "",
) -> QuerySet:
    """`queryset` as follow-up rows: `client` is the path to the item's client ("client", "application__client") or
    None (the assister's own item, such as their certification); `deadline` the last day to act (None: no deadline,
    only "to do"); `since` when the item appeared; `ref` the item's public id; `detail` a code the worklist shows
    (a verification type, a change's kind…)."""
    prefix = f"{client}__" if client else None
    return (
        queryset.order_by()
        .annotate(  # no ordering of its own: the worklist orders the whole union
            fu_client_pk=_typed(F(f"{prefix}id") if prefix else None, IntegerField()),
            fu_client_public_id=_typed(F(f"{prefix}public_id") if prefix else None, UUIDField()),
            fu_client_first_name=_typed(F(f"{prefix}first_name") if prefix else None, CharField()),
            fu_client_last_name=_typed(F(f"{prefix}last_name") if prefix else None, CharField()),
            fu_kind=Value(kind, output_field=CharField()),
            fu_deadline=_typed(deadline, DateField()),
            fu_since=_typed(since, DateTimeField()),
            fu_ref=_typed(ref, CharField()),
            fu_detail=_typed(detail, CharField()),
        )
        .values(*COLUMNS)
    )
