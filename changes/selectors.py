"""Reads of change reports, each a fixed number of queries whatever the number of reports."""

from django.db.models import QuerySet

from clients.models import Client

from .models import ChangeReport


def client_reports(client: Client) -> QuerySet[ChangeReport]:
    """The client's reports, newest first, with who reported each."""
    return ChangeReport.objects.filter(client=client).select_related("submitted_by").order_by("-submitted_at")
