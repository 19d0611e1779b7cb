"""The registry of notice kinds. The apps that send notices register theirs at start-up (their
`notices.py`, imported by `AppConfig.ready()`); this app imports none of them (DESIGN §2).

A kind names its title (the inbox line and the email's subject), its body template
(`templates/notices/bodies/<code>.html`: translatable text, so the English and Spanish bodies come from the
same file and the portal's message catalogue), who the recipient is (a client or a user), whether assisters
may see it on the client's behalf, and whether it is a decision (then the notice carries appeal rights).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Recipient(enum.StrEnum):
    CLIENT = "client"  # a consumer's household or a small employer (Notice.client)
    USER = "user"  # an assister, an agency's admin (Notice.user)


@dataclass(frozen=True)
class NoticeKind:
    code: str
    title: str | Promise  # translatable; rendered in the notice's language
    recipient: Recipient
    on_behalf: bool = True  # assisters holding view_notices_for_client may see it (client notices only)
    decision: bool = False  # a decision the recipient may appeal: the notice says how
    email_template: str = "emails/notices/waiting"  # the "a notice is waiting" email (a kind may say more)
    template: str = ""  # the body template, when several kinds share one (default: notices/bodies/<code>.html)

    @property
    def body_template(self) -> str:
        return self.template or f"notices/bodies/{self.code}.html"


_KINDS: dict[str, NoticeKind] = {}


def register(kind: NoticeKind) -> NoticeKind:
    """Add a kind once; the same code twice with a different definition is a start-up error."""
    known = _KINDS.get(kind.code)
    if known is not None and known != kind:
        raise ValueError(f"Notice kind {kind.code!r} is registered twice with different definitions.")
    _KINDS[kind.code] = kind
    return kind


def get(code: str) -> NoticeKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise LookupError(f"No notice kind {code!r} is registered (see notices/kinds.py).") from None


# What a notice of a kind no longer registered (its code removed from a later version) is shown as: its
# pages still open, saying so, and its stored PDF still downloads.
RETIRED = NoticeKind("", _("MNsure notice"), Recipient.CLIENT, on_behalf=False, template="notices/bodies/retired.html")


def for_notice(code: str) -> NoticeKind:
    """The kind to show an existing notice with: its registered kind, or RETIRED."""
    return _KINDS.get(code, RETIRED)


def registered() -> tuple[NoticeKind, ...]:
    return tuple(_KINDS.values())


def choices() -> list[tuple[str, str]]:
    """For the admin's filter: every registered kind by its title."""
    return sorted(((k.code, str(k.title)) for k in _KINDS.values()), key=lambda pair: pair[1])
