"""The per-agency groups through which agency admins and support staff reach the agency's clients (DESIGN §5).

Membership of the groups follows the roster (kept here, by the certification services, whenever a
membership starts or ends); the guardian rows the groups hold are derived from active associations
(`associations.permissions_sync`).
"""

from django.contrib.auth.models import Group

from .models import AgencyMembership, MembershipRole


def agency_group(agency_id: int, role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=f"agency:{agency_id}:{role}")
    return group


def agency_groups_sync_user(user) -> None:
    """Put the user in exactly the agency groups their active admin/support memberships call for."""
    wanted = {
        agency_group(m.agency_id, m.role)
        for m in AgencyMembership.objects.filter(
            user=user, ended_at__isnull=True, role__in=[MembershipRole.ADMIN, MembershipRole.SUPPORT]
        )
    }
    current = set(user.groups.filter(name__startswith="agency:"))
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))
