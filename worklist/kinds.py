"""What a follow-up can be (issue 17): each kind's label, what to do, where it is done and which app's selector
gives its rows (`assister_portal.lib.followups`). The apps own their rows; this is the one place that names them
for the worklist, the digest and the reminders."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applications import selectors as applications
from associations.permissions_sync import clients_visible_q
from certification import selectors as certification
from changes import selectors as changes
from changes.kinds import Event
from notices import selectors as notices
from verifications import selectors as verifications
from verifications.documents import VerificationType


@dataclass(frozen=True)
class Scope:
    """What a kind's rows are taken from: the ids of the book's clients, the user, today."""

    client_ids: list[int]
    user: object
    today: date


@dataclass(frozen=True)
class FollowUpKind:
    code: str
    label: object  # what it is (translatable)
    action: object  # what to do (translatable)
    reminder: object  # the reminder notice's sentence to the client (translatable); "" = not a client's item
    rows: Callable[[Scope], QuerySet]
    link: Callable[[dict], str]  # the page where it is done, for one row
    details: dict | None = None  # the row's `fu_detail` code → what the worklist shows under the kind


def _client_page(row: dict) -> str:
    return reverse("clients:detail", args=[row["fu_client_public_id"]])


KINDS: tuple[FollowUpKind, ...] = (
    FollowUpKind(
        verifications.DOCUMENTS_DUE,
        _("Documents due"),
        _("Send the documents that prove what was attested"),
        _("MNsure still needs documents from you. Send them by the due date, or ask your assister for help."),
        lambda s: verifications.followups(s.client_ids),
        lambda row: reverse("verifications:detail", args=[row["fu_ref"]]),
        dict(VerificationType.choices),
    ),
    FollowUpKind(
        applications.CONFIRMATION_WAITING,
        _("Waiting for the client's confirmation"),
        _("Ask the client to review and confirm the application in their account"),
        _("An application prepared with you is waiting for you to review and confirm it in your account."),
        lambda s: applications.followups_confirmations(s.client_ids),
        lambda row: reverse("applications:detail", args=[row["fu_ref"]]),
    ),
    FollowUpKind(
        applications.STALE_DRAFT,
        _("Draft not touched"),
        _("Finish the application with the client, or withdraw it"),
        _("Your application for coverage is not finished. Finish it so MNsure can decide what help you get."),
        lambda s: applications.followups_stale_drafts(s.client_ids, s.today),
        lambda row: reverse("applications:detail", args=[row["fu_ref"]]),
    ),
    FollowUpKind(
        applications.NO_PLAN,
        _("No plan chosen"),
        _("Help the client choose a plan before open enrollment ends"),
        _("You can get coverage but have not chosen a plan. Choose one before open enrollment ends."),
        lambda s: applications.followups_no_plan(s.client_ids, s.today),
        lambda row: reverse("applications:plans", args=[row["fu_ref"]]),
    ),
    FollowUpKind(
        changes.CHANGE_ANSWER,
        _("Change report needs an answer"),
        _("Answer MNsure's question about the reported change"),
        _("MNsure asked a question about a change you reported. Answer it so the change can be processed."),
        lambda s: changes.followups_answers(s.client_ids),
        lambda row: reverse("changes:detail", args=[row["fu_ref"]]),
        dict(Event.choices),
    ),
    FollowUpKind(
        changes.WINDOW_CLOSING,
        _("Special enrollment window closing"),
        _("Choose a plan before the special enrollment period closes"),
        _("Your special enrollment period is open. Choose a plan before it closes."),
        lambda s: changes.followups_windows(s.client_ids, s.today),
        lambda row: reverse("applications:for_client", args=[row["fu_client_public_id"]]),
        dict(Event.choices),
    ),
    FollowUpKind(
        applications.RENEWAL_AT_RISK,
        _("Renewal at risk"),
        _("Review the renewal with the client and confirm or update it"),
        _(
            "Your application for next year's coverage is ready. Review it and confirm or update it before open "
            "enrollment ends."
        ),
        lambda s: applications.followups_renewals(s.client_ids, s.today),
        lambda row: reverse("applications:detail", args=[row["fu_ref"]]),
        {
            applications.NOT_OFFERED: _("The current plan is not offered next year"),
            applications.CREDIT_DROP: _("The projected tax credit dropped"),
            applications.UNCONFIRMED: _("Not confirmed yet"),
        },
    ),
    FollowUpKind(
        applications.COVERAGE_ENDING,
        _("Coverage ending"),
        _("Make sure the client has coverage after this plan ends"),
        _("Your coverage is ending and no plan follows it. Contact your assister or MNsure to keep coverage."),
        lambda s: applications.followups_coverage_ending(s.client_ids, s.today),
        _client_page,
    ),
    FollowUpKind(
        notices.INVOICE_OVERDUE,
        _("Invoice overdue"),
        _("Remind the employer to pay the invoice"),
        _("An invoice from MNsure is past its due date. Pay it to keep your employees' coverage."),
        # Only for readers who may see the client's notices (the invoice is one).
        lambda s: notices.followups_invoices(
            s.client_ids, s.today, clients_visible_q(s.user, "view_notices_for_client", "client_id")
        ),
        lambda row: reverse("clients:notices", args=[row["fu_client_public_id"]]),
    ),
    FollowUpKind(
        certification.CERTIFICATION_EXPIRING,
        _("Certification expiring"),
        _("Renew the certification before it ends"),
        "",
        lambda s: certification.followups_certification(s.user, s.today),
        lambda row: reverse(
            "certification:agency_home" if row["fu_detail"] == "agency" else "certification:my_certification"
        ),
    ),
)

BY_CODE = {kind.code: kind for kind in KINDS}
CHOICES = tuple((kind.code, kind.label) for kind in KINDS)
