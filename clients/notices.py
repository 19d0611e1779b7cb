"""Notices to clients: who they are addressed to, and the kinds this app sends (registered at start-up).

`notice_for_client` is how every app above this one writes a notice to a client (in the caller's
transaction): the client's name, postal address, email and preferred language are taken from the record as
it is now and kept in the notice, so the notice says the same whenever it is opened or rendered again.
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

from notices import kinds
from notices.kinds import NoticeKind, Recipient
from notices.models import Notice
from notices.services import Addressee, notice_create

from .models import Client

CLAIM = kinds.register(
    NoticeKind(
        "client_account_created",
        _("An account was created for you"),
        Recipient.CLIENT,
        email_template="emails/notices/claim",
    )
)


def client_addressee(client: Client) -> Addressee:
    city_line = " ".join(part for part in (f"{client.city}," if client.city else "", "MN", client.zip_code) if part)
    address = [line for line in (client.street, city_line if client.street or client.city else "") if line]
    business = getattr(client, "employer", None) if client.kind == "employer" else None
    return Addressee(
        name=f"{client.full_name}, {business.business_name}" if business else client.full_name,
        first_name=client.first_name,
        address=address,
        email=(client.user.email if client.user_id else client.email) or "",
        language=client.preferred_language.code if client.preferred_language_id else "en",
    )


def notice_for_client(
    *, kind: str, client: Client, body: dict, helpers: list[dict], due: date | None = None, email_link: str = ""
) -> Notice:
    """Write a notice to `client` in the caller's transaction (see notices.services.notice_create)."""
    return notice_create(
        kind=kind,
        addressee=client_addressee(client),
        client=client,
        body=body,
        helpers=helpers,
        due=due,
        email_link=email_link,
    )
