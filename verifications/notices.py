"""Notices about verification (registered at start-up, written in the transaction of the change): the "documents
needed" notice (MNsure's "Action Required: Documentation Needed") listing each request, a document received, accepted,
not accepted (also to the assister who sent it), a due date extended, reminders before the due date (to the household
and to each assister who may see its notices or upload for it), and requests expired. The new determination that
follows acceptance or expiry comes as its own notice (a decision)."""

from django.utils.translation import gettext_lazy as _
from guardian.core import ObjectPermissionChecker

from associations.models import Association, AssociationStatus
from associations.notices import client_helpers
from certification.selectors import assister_may_act
from clients.models import Client
from clients.notices import notice_for_client
from notices import kinds
from notices.kinds import NoticeKind, Recipient
from notices.services import notice_for_user

from .documents import ACCEPTED as ACCEPTED_DOCUMENTS
from .models import Document, VerificationRequest
from .permissions import UPLOAD

NEEDED = kinds.register(NoticeKind("documents_needed", _("Action required: documents needed"), Recipient.CLIENT))
RECEIVED = kinds.register(NoticeKind("document_received", _("We received your document"), Recipient.CLIENT))
ACCEPTED = kinds.register(NoticeKind("verification_accepted", _("Your document was accepted"), Recipient.CLIENT))
REJECTED = kinds.register(
    NoticeKind("verification_rejected", _("Your document was not accepted: send another"), Recipient.CLIENT)
)
REJECTED_TO_ASSISTER = kinds.register(
    NoticeKind("verification_rejected_assister", _("A document you sent was not accepted"), Recipient.USER)
)
EXTENDED = kinds.register(NoticeKind("verification_extended", _("More time to send documents"), Recipient.CLIENT))
REMINDER = kinds.register(NoticeKind("verification_reminder", _("Reminder: documents due soon"), Recipient.CLIENT))
REMINDER_TO_ASSISTER = kinds.register(
    NoticeKind("verification_reminder_assister", _("A client's documents are due soon"), Recipient.USER)
)
EXPIRED = kinds.register(
    NoticeKind("verifications_expired", _("Documents not received by the due date"), Recipient.CLIENT)
)


def _item(row: VerificationRequest) -> dict:
    return {
        "reference": row.short_id,
        "member": row.member_name,
        "type": row.type,
        "attested": row.attested,  # English: what a notice made before `facts` existed shows
        "source_said": row.source_said,
        "facts": row.facts,
        "documents": list(ACCEPTED_DOCUMENTS.get(row.type, ())),
        "due": row.due_date.isoformat(),
        "status": row.status,
        "reject_reason": row.reject_reason,
        "reject_note": row.reject_note,
    }


def _notify_client(kind: NoticeKind, client: Client, body: dict, due=None) -> None:
    notice_for_client(kind=kind.code, client=client, body=body, helpers=client_helpers(client), due=due)


def documents_needed(client: Client, rows: list[VerificationRequest]) -> None:
    _notify_client(NEEDED, client, {"requests": [_item(r) for r in rows]}, due=min(r.due_date for r in rows))


def document_received(row: VerificationRequest, documents: list[Document], *, by) -> None:
    body = {
        **_item(row),
        "document_type": documents[0].document_type,
        "files": len(documents),
        "by_client": by is None,
        "submitter": "" if by is None else (by.get_full_name() or by.email),
    }
    _notify_client(RECEIVED, row.client, body)


def _for_assister(row: VerificationRequest, **more) -> dict:
    """What an assister's notice shows, no more: it stays in their inbox after the client may have left them."""
    return {
        "client_name": row.client.full_name,
        "member": row.member_name,
        "type": row.type,
        "due": row.due_date.isoformat(),
        **more,
    }


def verification_notice(
    kind: NoticeKind, row: VerificationRequest, *, reason: str = "", refused: list[Document] = ()
) -> None:
    body = {**_item(row), "extension_reason": reason}
    due = row.due_date if kind in (REJECTED, EXTENDED) else None
    _notify_client(kind, row.client, body, due=due)
    if kind is REJECTED:
        for user in _uploaders_acting_for(row, refused):
            notice_for_user(
                kind=REJECTED_TO_ASSISTER.code,
                user=user,
                body=_for_assister(row, reject_reason=row.reject_reason, reject_note=row.reject_note),
            )


def _uploaders_acting_for(row: VerificationRequest, refused: list[Document]) -> list:
    """The assisters who sent the documents just refused and may still upload for the client."""
    users = {d.uploaded_by for d in refused if d.on_behalf}
    return [
        u
        for u in sorted(users, key=lambda u: u.pk)
        if assister_may_act(u) and ObjectPermissionChecker(u).has_perm(UPLOAD, row.client)
    ]


def reminder(row: VerificationRequest, *, days_left: int) -> None:
    body = {**_item(row), "days_left": days_left}
    _notify_client(REMINDER, row.client, body, due=row.due_date)
    assisters = (
        Association.objects.filter(client=row.client, status=AssociationStatus.ACTIVE)
        .select_related("assister__user")
        .order_by("kind")
    )
    for association in assisters:
        user = association.assister.user
        if (association.can_upload or association.can_view_notices) and assister_may_act(user):
            notice_for_user(
                kind=REMINDER_TO_ASSISTER.code,
                user=user,
                body=_for_assister(row, days_left=days_left),
                due=row.due_date,
            )


def verifications_expired(client: Client, rows: list[VerificationRequest]) -> None:
    _notify_client(EXPIRED, client, {"requests": [_item(r) for r in rows]})
