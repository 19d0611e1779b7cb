"""Guardian rows on Client, derived from active associations (DESIGN §5).

`expected_rows` says what the rows must be; `permissions_sync` makes them so for
one client, in the caller's transaction; `permissions_drift` compares every row
in the database with what the active associations imply (`check_permissions`).
"""

from functools import cache

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from certification.groups import agency_group
from certification.models import Agency, AgencyMembership, MembershipRole
from clients.models import Client, ClientGroupObjectPermission, ClientUserObjectPermission
from clients.powers import POWER_CODES, POWERS

from .models import Association, AssociationStatus

# What the agency's groups receive for each client one of its assisters serves (DESIGN §3):
# admins see the book; support staff may view and report changes, never select plans or consent.
ADMIN_POWERS = {power.codename for power in POWERS if power.agency_admin}
SUPPORT_POWERS = {power.codename for power in POWERS if power.agency_support}


@cache
def permission_ids() -> dict[str, int]:
    return dict(
        Permission.objects.filter(content_type__app_label="clients", codename__in=POWER_CODES).values_list(
            "codename", "id"
        )
    )


def expected_rows(client_ids) -> tuple[set, set]:
    """(user rows, group rows) as (user_id|group_id, client_id, permission_id) for these clients."""
    ids = permission_ids()
    user_rows, group_rows = set(), set()
    groups = {}
    active = Association.objects.filter(client_id__in=client_ids, status=AssociationStatus.ACTIVE).select_related(
        "assister"
    )
    for association in active:
        powers = association.powers
        for code in powers:
            user_rows.add((association.assister.user_id, association.client_id, ids[code]))
        agency_id = association.assister.agency_id
        for role, allowed in ((MembershipRole.ADMIN, ADMIN_POWERS), (MembershipRole.SUPPORT, SUPPORT_POWERS)):
            key = (agency_id, role)
            if key not in groups:
                groups[key] = agency_group(agency_id, role).pk
            for code in allowed & set(powers):
                group_rows.add((groups[key], association.client_id, ids[code]))
    return user_rows, group_rows


def _current_rows(client_ids) -> tuple[set, set]:
    users = set(
        ClientUserObjectPermission.objects.filter(content_object_id__in=client_ids).values_list(
            "user_id", "content_object_id", "permission_id"
        )
    )
    groups = set(
        ClientGroupObjectPermission.objects.filter(content_object_id__in=client_ids).values_list(
            "group_id", "content_object_id", "permission_id"
        )
    )
    return users, groups


def permissions_sync(client: Client) -> None:
    """Make the client's guardian rows equal what its active associations imply."""
    want_users, want_groups = expected_rows([client.pk])
    have_users, have_groups = _current_rows([client.pk])
    for user_id, _client_id, permission_id in have_users - want_users:
        ClientUserObjectPermission.objects.filter(
            user_id=user_id, content_object_id=client.pk, permission_id=permission_id
        ).delete()
    ClientUserObjectPermission.objects.bulk_create(
        [
            ClientUserObjectPermission(user_id=u, content_object_id=c, permission_id=p)
            for u, c, p in want_users - have_users
        ]
    )
    for group_id, _client_id, permission_id in have_groups - want_groups:
        ClientGroupObjectPermission.objects.filter(
            group_id=group_id, content_object_id=client.pk, permission_id=permission_id
        ).delete()
    ClientGroupObjectPermission.objects.bulk_create(
        [
            ClientGroupObjectPermission(group_id=g, content_object_id=c, permission_id=p)
            for g, c, p in want_groups - have_groups
        ]
    )


def permissions_drift() -> list[str]:
    """Every difference between the guardian rows and the active associations, in words."""
    client_ids = (
        set(Association.objects.filter(status=AssociationStatus.ACTIVE).values_list("client_id", flat=True))
        | set(ClientUserObjectPermission.objects.values_list("content_object_id", flat=True))
        | set(ClientGroupObjectPermission.objects.values_list("content_object_id", flat=True))
    )
    want_users, want_groups = expected_rows(client_ids)
    have_users, have_groups = _current_rows(client_ids)
    codes = {v: k for k, v in permission_ids().items()}
    problems = [f"missing: user {u} {codes[p]} on client {c}" for u, c, p in sorted(want_users - have_users)]
    problems += [f"extra: user {u} {codes[p]} on client {c}" for u, c, p in sorted(have_users - want_users)]
    problems += [f"missing: group {g} {codes[p]} on client {c}" for g, c, p in sorted(want_groups - have_groups)]
    problems += [f"extra: group {g} {codes[p]} on client {c}" for g, c, p in sorted(have_groups - want_groups)]
    # Group membership: agency groups hold exactly the active admins and support staff.
    for agency_id in Agency.objects.values_list("pk", flat=True):
        for role in (MembershipRole.ADMIN, MembershipRole.SUPPORT):
            group = Group.objects.filter(name=f"agency:{agency_id}:{role}").first()
            if group is None:
                continue
            members = set(group.user_set.values_list("pk", flat=True))
            active = set(
                AgencyMembership.objects.filter(agency_id=agency_id, role=role, ended_at__isnull=True).values_list(
                    "user_id", flat=True
                )
            )
            problems += [f"extra: user {u} in {group.name}" for u in sorted(members - active)]
            problems += [f"missing: user {u} in {group.name}" for u in sorted(active - members)]
    return problems


def granted_directly(user, permission: str = "view_client"):
    """Ids of the clients this user holds `permission` on themselves (an assister of record)."""
    return ClientUserObjectPermission.objects.filter(user=user, permission_id=permission_ids()[permission]).values(
        "content_object_id"
    )


def granted_through_groups(user, permission: str = "view_client"):
    """Ids of the clients this user holds `permission` on through an agency group (admins, support staff).

    The user's group ids are read first (one small query) so the planner sees constants and
    estimates an agency's book (thousands of rows) correctly instead of guessing through a join.
    """
    group_ids = list(user.groups.values_list("pk", flat=True))
    return ClientGroupObjectPermission.objects.filter(
        group_id__in=group_ids, permission_id=permission_ids()[permission]
    ).values("content_object_id")


def clients_visible_q(user, permission: str = "view_client", field: str = "pk") -> Q:
    """Q for the clients this user holds `permission` on, directly or through an agency group.

    `field` names the client's id in the queryset being filtered: "pk" on Client, "client_id" on a
    model that points at a client (filtering there directly lets PostgreSQL use the permission
    tables' indexes instead of scanning every client).
    """
    return Q(**{f"{field}__in": granted_directly(user, permission)}) | Q(
        **{f"{field}__in": granted_through_groups(user, permission)}
    )
