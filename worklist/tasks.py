"""Background work of the worklist: the daily digest (beat, 07:00 America/Chicago) and its email."""

from celery import shared_task
from django.utils import translation

from assister_portal.lib.email import send_templated_email

# `services` calls the email task below and the daily task calls services: the module, not its names.
from . import services
from .kinds import BY_CODE


@shared_task
def send_daily_digests() -> int:
    return services.digests_send_all()


# Not acks_late: a worker lost after sending must not send the digest again (at most one a day).
@shared_task
def send_digest_email(email: str, context: dict) -> None:
    """The digest: counts and links, the clients' first names only (no other personal data)."""
    with translation.override(context["language"]):
        lines = {
            "new": [(str(BY_CODE[code].label), count) for code, count in context["new"].items() if code in BY_CODE],
            "overdue": [
                (str(BY_CODE[code].label), count) for code, count in context["overdue"].items() if code in BY_CODE
            ],
        }
        send_templated_email("emails/worklist/digest", {**context, **lines}, [email])
