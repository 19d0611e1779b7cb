"""Notices about change reports (registered at start-up, written in the transaction of the change): to the client
when a change is received (with the special enrollment period it opens), when MNsure asks a question (also to the
assister who reported it), when staff take it in review, when the answer is received, and when it is processed (the new
determination comes as its own notice): every step of a report is told to the household."""

from django.utils.translation import gettext_lazy as _
from guardian.core import ObjectPermissionChecker

from associations.notices import client_helpers
from clients.notices import notice_for_client
from notices import kinds
from notices.kinds import NoticeKind, Recipient
from notices.services import notice_for_user

from .models import ChangeReport

RECEIVED = kinds.register(NoticeKind("change_received", _("We received your report of a change"), Recipient.CLIENT))
IN_REVIEW = kinds.register(
    NoticeKind("change_in_review", _("MNsure is reviewing the change you reported"), Recipient.CLIENT)
)
ANSWERED = kinds.register(NoticeKind("change_answered", _("We received your answer"), Recipient.CLIENT))
QUESTION = kinds.register(
    NoticeKind("change_question", _("A question about the change you reported"), Recipient.CLIENT)
)
PROCESSED = kinds.register(NoticeKind("change_processed", _("Your reported change is processed"), Recipient.CLIENT))
QUESTION_TO_ASSISTER = kinds.register(
    NoticeKind("change_question_assister", _("A question about a change you reported"), Recipient.USER)
)


def _body(report: ChangeReport) -> dict:
    by_client = not report.on_behalf
    return {
        "reference": report.short_id,
        "event": report.event,
        "event_label": str(report.get_event_display()),
        "effective": report.effective_date.isoformat(),
        "late": report.reported_late,
        "outside_minnesota": report.outside_minnesota,
        "sep_opens": report.sep_opens.isoformat() if report.sep_opens else "",
        "sep_closes": report.sep_closes.isoformat() if report.sep_closes else "",
        "question": report.question,
        "answer": report.answer,
        "outcome": report.outcome,
        "by_client": by_client,
        "submitter": "" if by_client else (report.submitted_by.get_full_name() or report.submitted_by.email),
    }


def _still_acts_for(report: ChangeReport) -> bool:
    """The assister who reported it may still report changes for the client (an ended association: no notice)."""
    return ObjectPermissionChecker(report.submitted_by).has_perm("report_change_for_client", report.client)


def report_notice(kind: NoticeKind, report: ChangeReport) -> None:
    body = _body(report)
    notice_for_client(kind=kind.code, client=report.client, body=body, helpers=client_helpers(report.client))
    if kind is QUESTION and report.on_behalf and _still_acts_for(report):
        notice_for_user(
            kind=QUESTION_TO_ASSISTER.code,
            user=report.submitted_by,
            body={**body, "client_name": report.client.full_name},
        )
