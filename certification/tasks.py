"""Background work of the certification app: emails, and the daily sweep (which is a service)."""

from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from assister_portal.lib.email import send_templated_email

# `services` calls the tasks below and the sweep task calls services: the module, not its names, so
# either may be imported first.
from . import services
from .models import Certification, Invitation
from .selectors import agency_admins


def _recipients(certification) -> list[str]:
    """The applicant (an assister, or an agency's admins) and the agency's admins; never duplicated."""
    agency = certification.assister.agency if certification.assister_id else certification.agency
    emails = list(agency_admins(agency).values_list("email", flat=True))
    if certification.assister_id:
        emails.insert(0, certification.assister.user.email)
    return list(dict.fromkeys(emails))


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
def send_decision_email(certification_id: int, action: str) -> None:
    certification = Certification.objects.select_related("assister__user", "assister__agency", "agency").get(
        pk=certification_id
    )
    subject_name = certification.assister.full_name if certification.assister_id else str(certification.agency)
    context = {
        "certification": certification,
        "action": action,
        "name": subject_name,
        "assister_id": certification.assister.assister_id if certification.assister_id else "",
    }
    _send("decision", context, _recipients(certification))


@shared_task
def send_reminder_email(certification_id: int, days_left: int) -> None:
    """A renewal reminder, recorded by services.certification_remind."""
    certification = Certification.objects.select_related("assister__user", "assister__agency", "agency").get(
        pk=certification_id
    )
    name = certification.assister.full_name if certification.assister_id else str(certification.agency)
    context = {"certification": certification, "name": name, "days_left": days_left}
    _send("reminder", context, _recipients(certification))


@shared_task
def certification_daily_sweep() -> dict:
    """Expire certifications past their period and send renewal reminders at 60, 30 and 7 days (Celery beat).

    Idempotent: run twice on one day, it sends each reminder once and expires each certification once.
    """
    return asdict(services.certification_sweep())
