"""The email that tells a recipient a notice is waiting: their first name, what the notice is, where to read
it, and (for a claim or a one-click end) the link; nothing else personal (DESIGN §6). In the recipient's
language when the portal has it (English and Spanish), otherwise English."""

from django.urls import reverse
from django.utils import translation

from assister_portal.lib.email import send_templated_email

from . import kinds
from .models import Notice

BODY_LANGUAGES = ("en", "es")  # the languages notice bodies and emails are written in


def body_language(code: str) -> str:
    """The language a notice's body and email are written in for a recipient who prefers `code`."""
    base = (code or "en").split("-")[0].lower()
    return base if base in BODY_LANGUAGES else "en"


def send_notice_waiting(notice: Notice) -> int:
    spec = kinds.for_notice(notice.kind)
    with translation.override(body_language(notice.language)):
        context = {
            "first_name": notice.data.get("recipient", {}).get("first_name", ""),
            "title": str(spec.title),
            "number": notice.number,
            "inbox_path": reverse("notices:inbox"),
            "link": notice.email_link,
        }
        return send_templated_email(spec.email_template, context, [notice.email_to])
