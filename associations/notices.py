"""Notices about assisters of record (DESIGN §6, Association): to the client, of every new, ended, suspended
or restored assister (with the one-click end link when an assister started acting for them), and to the
assister, of clients who chose them, ended it or declined. Registered at start-up; written in the
transaction of the change (`association_notices`)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from clients.notices import notice_for_client
from notices import kinds
from notices.kinds import NoticeKind, Recipient
from notices.services import notice_for_user

from .models import Association, AssociationNotice, AssociationStatus

N = AssociationNotice
END_LINK_EMAIL = "emails/notices/end_link"

TO_CLIENT = {
    N.REQUESTED: kinds.register(
        NoticeKind("association_requested", _("An assister asked to help you"), Recipient.CLIENT)
    ),
    N.STARTED: kinds.register(
        NoticeKind(
            "association_started",
            _("You have a new assister of record"),
            Recipient.CLIENT,
            email_template=END_LINK_EMAIL,
        )
    ),
    N.OFFLINE_CONSENT: kinds.register(
        NoticeKind(
            "association_offline_consent",
            _("An assister recorded that you agreed to their help"),
            Recipient.CLIENT,
            email_template=END_LINK_EMAIL,
        )
    ),
    N.ENDED: kinds.register(NoticeKind("association_ended", _("An assister of record has ended"), Recipient.CLIENT)),
    N.SUSPENDED: kinds.register(
        NoticeKind("association_suspended", _("Your assister cannot act for you for now"), Recipient.CLIENT)
    ),
    N.RESTORED: kinds.register(
        NoticeKind("association_restored", _("Your assister can act for you again"), Recipient.CLIENT)
    ),
}
TO_ASSISTER = {
    N.STARTED: kinds.register(NoticeKind("assister_client_started", _("A client chose you"), Recipient.USER)),
    N.ENDED: kinds.register(
        NoticeKind("assister_client_ended", _("A client's assister of record has ended"), Recipient.USER)
    ),
    N.DECLINED: kinds.register(
        NoticeKind("assister_request_declined", _("A client declined your request"), Recipient.USER)
    ),
}
# The events whose email carries the one-click "end this assister" link.
WITH_END_LINK = {N.STARTED, N.OFFLINE_CONSENT}


def client_helpers(client: Client) -> list[dict]:
    """The client's current assisters of record with their contact details, for "How to get help"."""
    current = (
        Association.objects.filter(client=client, status=AssociationStatus.ACTIVE)
        .select_related("assister__user", "assister__agency")
        .order_by("kind")
    )
    return [
        {
            "name": association.assister.full_name,
            "role": association.kind,
            "agency": str(association.assister.agency),
            "phone": association.assister.public_phone or association.assister.agency.phone,
            "email": association.assister.public_email or association.assister.user.email,
        }
        for association in current
    ]


def association_notices(association: Association, event: AssociationNotice, *, end_link_token: str = "") -> None:
    """Write the notices `event` sends (to the client, to the assister, or both) in the caller's transaction."""
    body = {
        "assister_name": association.assister.full_name,
        "agency": str(association.assister.agency),
        "role": association.kind,
        "client_name": association.client.full_name,
    }
    if event in TO_CLIENT:
        link = ""
        if event in WITH_END_LINK and end_link_token:
            link = settings.SITE_URL + reverse("associations:end_by_link", args=[end_link_token])
        notice_for_client(
            kind=TO_CLIENT[event].code,
            client=association.client,
            body=body,
            helpers=client_helpers(association.client),
            email_link=link,
        )
    if event in TO_ASSISTER:
        notice_for_user(kind=TO_ASSISTER[event].code, user=association.assister.user, body=body)
