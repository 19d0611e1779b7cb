"""The one way views reach a change report (DESIGN §5): through the client it belongs to (`access_client`: the
consumer themself, or someone holding `perm` on the client through an active association; 404 and audited)."""

from django.http import Http404

from associations.permissions import access_client

from .models import ChangeReport

REPORT = "report_change_for_client"


def access_report(user, public_id, perm: str = "view_client", *, request=None, what: str):
    """(report, association relied on or None for the client themself); 404 when not allowed."""
    if not user.is_authenticated:
        raise Http404
    report = (
        ChangeReport.objects.select_related("client", "submitted_by", "application").filter(public_id=public_id).first()
    )
    if report is None:
        raise Http404
    client, association = access_client(user, report.client.public_id, perm, request=request, what=f"{what} ({report})")
    report.client = client
    return report, association
