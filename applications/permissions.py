"""The one way views reach an application (DESIGN §5): through the client it belongs to.

`access_application` fetches the application, then reaches its client with `access_client` (the consumer
themself, or someone holding `perm` on the client through an active association), which raises 404 for "not
yours" and writes the audit row that the client sees in "Who viewed my information".
"""

from django.http import Http404

from associations.permissions import access_client

from .models import Application, DisputeStatus, Enrollment, EnrollmentDispute


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


def plan_selection_suspended(client_id: int, user_id: int) -> bool:
    """The client told MNsure they did not ask for a plan change this person made for them, and staff have not
    dismissed it: this person may not choose or end plans for this client (issue 13)."""
    return EnrollmentDispute.objects.filter(
        client_id=client_id, assister_user_id=user_id, status__in=[DisputeStatus.OPEN, DisputeStatus.UPHELD]
    ).exists()


def access_enrollment(user, public_id, perm: str = "view_client", *, request=None, what: str):
    """(enrollment, association relied on or None for the client themself); 404 when not allowed."""
    if not user.is_authenticated:
        raise Http404
    enrollment = (
        Enrollment.objects.select_related("client", "application", "plan__issuer").filter(public_id=public_id).first()
    )
    if enrollment is None:
        raise Http404
    client, association = access_client(
        user, enrollment.client.public_id, perm, request=request, what=f"{what} ({enrollment})"
    )
    enrollment.client = enrollment.application.client = client
    return enrollment, association
