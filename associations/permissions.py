"""The one way views reach a client or an association (DESIGN §5): fetch, check, 404 if not yours, audit.

A consumer reaches only the client record they claimed (`clients.permissions.own_client`). Anyone else
needs the guardian permission (derived from an active association, directly or through an agency
group); an assister must also be able to act today (certified, still a member, agency certified).
Every read or action by anyone but the client is audited, naming the association relied on.
"""

from django.http import Http404

from accounts.models import Role
from audit.models import Action
from audit.services import audit_record
from certification.selectors import active_membership, assister_may_act
from clients.models import Client

from .models import Association, AssociationStatus
from .permissions_sync import clients_visible_q


def association_relied_on(user, client: Client) -> Association | None:
    """The active association that gives this user access: their own, or one of their agency's."""
    associations = Association.objects.filter(client=client, status=AssociationStatus.ACTIVE).select_related(
        "assister__agency", "assister__user"
    )
    mine = associations.filter(assister__user=user).first()
    if mine is not None:
        return mine
    membership = active_membership(user)
    if membership is None:
        return None
    return associations.filter(assister__agency_id=membership.agency_id).first()


def access_client(
    user, public_id, perm: str = "view_client", *, request=None, what: str = "viewed client page", action=None
):
    """(client, association relied on or None for the client themself); 404 when not allowed. Anyone but the
    client is audited (`action`, default: client viewed, or an action for the client), with `what`."""
    if not user.is_authenticated:
        raise Http404
    client = Client.objects.select_related("county", "preferred_language", "user").filter(public_id=public_id).first()
    if client is None:
        raise Http404
    if client.user_id == user.pk:
        return client, None
    if not Client.objects.filter(clients_visible_q(user, perm), pk=client.pk).exists():
        raise Http404
    if user.role == Role.ASSISTER and not assister_may_act(user):
        raise Http404
    association = association_relied_on(user, client)
    if association is None:
        raise Http404
    if association.assister.user_id != user.pk and not assister_may_act(association.assister.user):
        raise Http404  # agency staff reach a client only through an assister who may act today
    audit_record(
        action=action or (Action.CLIENT_VIEWED if perm == "view_client" else Action.CLIENT_ACTION),
        actor=user,
        request=request,
        target=client,
        client=client,
        details={"what": what, "permission": perm, "association": str(association.public_id)},
    )
    return client, association


def _association_or_404(user, public_id, statuses, owner_id) -> Association:
    if not user.is_authenticated:
        raise Http404
    association = (
        Association.objects.select_related("client", "assister__agency", "assister__user")
        .filter(public_id=public_id)
        .first()
    )
    if association is None:
        raise Http404
    if owner_id(association) != user.pk:
        raise Http404
    if statuses and association.status not in statuses:
        raise Http404
    return association


def access_association_for_assister(user, public_id, *statuses, request=None, what: str) -> Association:
    """An association this assister holds (for release, offline consent, their requests); audited, since the
    page shows the client's name."""
    association = _association_or_404(user, public_id, statuses, lambda a: a.assister.user_id)
    audit_record(
        action=Action.CLIENT_VIEWED,
        actor=user,
        request=request,
        target=association.client,
        client=association.client,
        details={"what": what, "association": str(association.public_id)},
    )
    return association


def access_association_for_client(user, public_id, *statuses) -> Association:
    """An association of the signed-in consumer's own client record."""
    return _association_or_404(user, public_id, statuses, lambda a: a.client.user_id)
