"""Background work of the certification app: emails, reminders and the daily expiry sweep."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User

# `services` calls the tasks below and the sweep calls services: the module, not its names, so either
# may be imported first.
from . import hooks, services
from .models import Certification, CertificationReminder, Invitation, Status
from .periods import today
from .selectors import agency_admins

log = logging.getLogger(__name__)


def _recipients(certification) -> list[str]:
    """The applicant (an assister, or an agency's admins) and the agency's admins; never duplicated."""
    agency = certification.assister.agency if certification.assister_id else certification.agency
    emails = list(agency_admins(agency).values_list("email", flat=True))
    if certification.assister_id:
        emails.insert(0, certification.assister.user.email)
    return list(dict.fromkeys(emails))


def _send(template: str, context: dict, recipients: list[str]) -> None:
    context = {**context, "site_url": settings.SITE_URL}
    subject = render_to_string(f"emails/certification/{template}_subject.txt", context).strip()
    body = render_to_string(f"emails/certification/{template}.txt", context)
    send_mail(subject, body, None, recipients)


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


def _send_reminder(certification, days_left: int, threshold: int) -> bool:
    """Record then send the reminder for `threshold` days; False if it was already sent."""
    try:
        with transaction.atomic():
            CertificationReminder.objects.create(certification=certification, days_before=threshold)
            # Larger lead times that were missed (a sweep did not run) are not sent late.
            for larger in settings.CERTIFICATION_REMINDER_DAYS:
                if larger > threshold:
                    CertificationReminder.objects.get_or_create(certification=certification, days_before=larger)
    except IntegrityError:
        return False
    name = certification.assister.full_name if certification.assister_id else str(certification.agency)
    _send(
        "reminder", {"certification": certification, "name": name, "days_left": days_left}, _recipients(certification)
    )
    return True


@shared_task
def certification_daily_sweep() -> dict:
    """Expire certifications past their period and send renewal reminders at 60, 30 and 7 days.

    Idempotent: run twice on one day, it sends each reminder once and expires each certification once.
    """
    day = today()
    expired = 0
    for certification in Certification.objects.filter(
        status__in=[Status.APPROVED, Status.SUSPENDED], valid_until__lt=day
    ).only("pk"):
        services.certification_expire(certification=certification)
        expired += 1

    reminded = 0
    horizon = day + timedelta(days=max(settings.CERTIFICATION_REMINDER_DAYS))
    due = (
        Certification.objects.filter(status=Status.APPROVED, valid_until__gte=day, valid_until__lte=horizon)
        .exclude(renewal__status__in=[Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED])
        .select_related("assister__user", "assister__agency", "agency")
    )
    for certification in due:
        days_left = (certification.valid_until - day).days
        threshold = (
            min(t for t in settings.CERTIFICATION_REMINDER_DAYS if t >= days_left)
            if days_left <= max(settings.CERTIFICATION_REMINDER_DAYS)
            else None
        )
        if threshold is not None and _send_reminder(certification, days_left, threshold):
            reminded += 1
    # Every change already recomputes the listings it touches; this recomputes them all once a
    # day as well, so nothing can stay listed (or unlisted) on a rule no change has touched.
    relisted = sum(hooks.listings_changed.send())
    log.info("certification sweep: %s expired, %s reminders sent, %s listings changed", expired, reminded, relisted)
    return {"expired": expired, "reminded": reminded, "listings_changed": relisted}
