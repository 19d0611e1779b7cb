"""Access to notices by their recipient (the consumer whose client record it is addressed to, or the user it
is addressed to). Assisters reach a client's notices through `associations.permissions.access_client` with
the `view_notices_for_client` power (associations/assister_views.py)."""

from django.db.models import Q
from django.http import Http404

from .models import Notice


def own_notices_q(user) -> Q:
    return Q(client__user=user) | Q(user=user)


def access_own_notice(user, public_id) -> Notice:
    """The notice addressed to `user` (or to their client record); 404 for anyone else's or a missing one."""
    if not user.is_authenticated:
        raise Http404
    notice = Notice.objects.filter(own_notices_q(user), public_id=public_id).select_related("invoice").first()
    if notice is None:
        raise Http404
    return notice
