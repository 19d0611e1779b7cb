"""Emails about assisters of record: to the client, and to the assister. Names only, no other personal data."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from clients.tasks import staff_alert_recipients

# `services` schedules these tasks and they call back into it: the module, not its names, so either may be
# imported first.
from . import services
from .models import Association


@shared_task
def send_association_email(association_id: int, event: str) -> None:
    association = Association.objects.select_related("client__user", "assister__user", "assister__agency").get(
        pk=association_id
    )
    context = {
        "event": event.split(":")[0],
        "reason": event.split(":")[1] if ":" in event else "",
        "client_name": association.client.first_name,
        "assister_name": association.assister.full_name,
        "agency": str(association.assister.agency),
        "kind": association.get_kind_display().lower(),
        "site_url": settings.SITE_URL,
        "end_link": settings.SITE_URL
        + reverse("associations:end_by_link", args=[services.end_link_token(association)]),
    }
    client_email = association.client.user.email if association.client.user_id else association.client.email
    # The client hears of every new assister of record (with the one-click end link), however it started.
    to_client = {"requested", "started", "offline_consent", "ended", "suspended", "restored"}
    to_assister = {"started", "ended", "declined"}
    if context["event"] in to_client and client_email:
        _send("to_client", context, client_email)
    if context["event"] in to_assister:
        _send("to_assister", context, association.assister.user.email)


def _send(template: str, context: dict, recipient: str) -> None:
    send_mail(
        render_to_string(f"emails/associations/{template}_subject.txt", context).strip(),
        render_to_string(f"emails/associations/{template}.txt", context),
        None,
        [recipient],
    )


@shared_task
def expire_association_requests() -> int:
    """Daily: requests from assisters that the client did not answer within 30 days expire."""
    return services.associations_expire_requests()


@shared_task
def send_offline_consent_alert(actor_id: int, count: int) -> None:
    """Tell exchange staff an assister recorded more consents offline today than staff review (no client details)."""
    actor = User.objects.get(pk=actor_id)
    recipients = staff_alert_recipients()
    if not recipients:
        return
    context = {
        "actor_email": actor.email,
        "count": count,
        "limit": settings.OFFLINE_CONSENT_DAILY_FLAG,
        "admin_url": settings.SITE_URL + reverse("admin:associations_consent_changelist") + "?flagged__exact=1",
    }
    send_mail(
        render_to_string("emails/associations/offline_consent_alert_subject.txt", context).strip(),
        render_to_string("emails/associations/offline_consent_alert.txt", context),
        None,
        recipients,
    )
