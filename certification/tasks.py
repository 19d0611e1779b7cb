"""Background work of the certification app: the invitation email, and the daily sweep (a service).
Decisions and reminders are notices (certification/notices.py)."""

from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from assister_portal.lib.email import send_templated_email

# `services` calls the tasks below and the sweep task calls services: the module, not its names, so
# either may be imported first.
from . import services
from .models import Invitation


def _send(template: str, context: dict, recipients: list[str]) -> None:
    send_templated_email(f"emails/certification/{template}", context, recipients)


@shared_task
def send_invitation_email(invitation_id: int, token: str) -> None:
    """The invitation link; or, if the address already has an account, a note to its owner and no link.

    The agency admin is answered the same either way (services.invitation_create), so the invitation
    page does not tell who has an account; the owner learns that someone tried, and what to do.
    """
    invitation = Invitation.objects.select_related("agency").get(pk=invitation_id)
    owner = User.objects.filter(email__iexact=invitation.email).first()
    if owner is not None:
        _send("invitation_existing_account", {"invitation": invitation}, [owner.email])
        return
    link = settings.SITE_URL + reverse("certification:invitation_accept", args=[token])
    _send("invitation", {"invitation": invitation, "link": link}, [invitation.email])


@shared_task
def certification_daily_sweep() -> dict:
    """Expire certifications past their period and send renewal reminders at 60, 30 and 7 days (Celery beat).

    Idempotent: run twice on one day, it sends each reminder once and expires each certification once.
    """
    return asdict(services.certification_sweep())
