from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import User

from .models import Client


@shared_task
def send_claim_email(client_id: int, token: str) -> None:
    """Tell the consumer an account was created for them and how to claim it (their name only)."""
    client = Client.objects.get(pk=client_id)
    link = settings.SITE_URL + reverse("clients:claim", args=[token])
    context = {"name": client.first_name, "link": link}
    send_mail(
        render_to_string("emails/clients/claim_subject.txt", context).strip(),
        render_to_string("emails/clients/claim.txt", context),
        None,
        [client.email],
    )


def staff_alert_recipients() -> list[str]:
    """SECURITY_ALERT_EMAILS, or else every active member of exchange staff."""
    if settings.SECURITY_ALERT_EMAILS:
        return list(settings.SECURITY_ALERT_EMAILS)
    return list(User.objects.filter(is_staff=True, is_active=True).order_by("pk").values_list("email", flat=True))


@shared_task
def send_identification_alert(actor_id: int) -> None:
    """Tell exchange staff that someone reached the limit of failed searches for clients (no client details)."""
    actor = User.objects.get(pk=actor_id)
    recipients = staff_alert_recipients()
    if not recipients:
        return
    context = {
        "actor_email": actor.email,
        "actor_role": actor.get_role_display(),
        "minutes": int(settings.IDENTIFY_LOCK.total_seconds() // 60),
        "max_failures": settings.IDENTIFY_MAX_FAILURES,
        "audit_url": settings.SITE_URL
        + reverse("admin:audit_auditevent_changelist")
        + "?"
        + urlencode({"q": actor.email}),
    }
    send_mail(
        render_to_string("emails/clients/identification_alert_subject.txt", context).strip(),
        render_to_string("emails/clients/identification_alert.txt", context),
        None,
        recipients,
    )
