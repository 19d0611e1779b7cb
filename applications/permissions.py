"""The one way views reach an application (DESIGN §5): through the client it belongs to.

`access_application` fetches the application, then reaches its client with `access_client` (the consumer
themself, or someone holding `perm` on the client through an active association), which raises 404 for "not
yours" and writes the audit row that the client sees in "Who viewed my information".
"""

from django.http import Http404

from associations.permissions import access_client

from .models import Application


def access_application(user, public_id, perm: str = "view_client", *, request=None, what: str):
    """(application, association relied on or None for the client themself); 404 when not allowed."""
    if not user.is_authenticated:
        raise Http404
    application = (
        Application.objects.select_related("client", "determination", "county", "rating_area")
        .filter(public_id=public_id)
        .first()
    )
    if application is None:
        raise Http404
    client, association = access_client(
        user, application.client.public_id, perm, request=request, what=f"{what} ({application})"
    )
    application.client = client
    return application, association
