"""Reads of change reports, each a fixed number of queries whatever the number of reports."""

from datetime import date

from django.db.models import Exists, F, OuterRef, QuerySet

from applications.models import Enrollment
from assister_portal.lib.followups import of_clients
from assister_portal.lib.followups import rows as followup_rows
from clients.models import Client

from .models import ChangeReport, ReportStatus


def client_reports(client: Client) -> QuerySet[ChangeReport]:
    """The client's reports, newest first, with who reported each."""
    return ChangeReport.objects.filter(client=client).select_related("submitted_by").order_by("-submitted_at")


# --- The worklist's follow-ups (issue 17) -----------------------------------------------------------------------

CHANGE_ANSWER = "change_answer"
WINDOW_CLOSING = "window_closing"


def followups_answers(client_ids) -> QuerySet:
    """Reports MNsure asked a question about, waiting for the household's answer."""
    return followup_rows(
        ChangeReport.objects.filter(of_clients(client_ids), status=ReportStatus.NEEDS_INFO),
        kind=CHANGE_ANSWER,
        client="client",
        deadline=None,
        since=F("submitted_at"),
        ref=F("public_id"),
        detail=F("event"),
    )


def followups_windows(client_ids, today: date) -> QuerySet:
    """Special enrollment periods open today in which no plan has been chosen yet: the window closes on its last
    day."""
    chosen_since = Enrollment.objects.filter(
        client_id=OuterRef("client_id"),
        selected_at__date__gte=OuterRef("sep_opens"),
        coverage_end__gte=F("coverage_start"),  # not one cancelled before it started
    )
    return followup_rows(
        ChangeReport.objects.filter(
            of_clients(client_ids),
            status=ReportStatus.PROCESSED,
            sep_opens__lte=today,
            sep_closes__gte=today,
        ).exclude(Exists(chosen_since)),
        kind=WINDOW_CLOSING,
        client="client",
        deadline=F("sep_closes"),
        since=F("processed_at"),
        ref=F("public_id"),
        detail=F("event"),
    )
