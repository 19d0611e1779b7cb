"""Emails about assisters of record: to the client, and to the assister. Names only, no other personal data."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.selectors import staff_alert_recipients
from assister_portal.lib.email import send_templated_email

# `services` schedules these tasks and they call back into it: the module, not its names, so either may be
# imported first.
from . import services
from .models import Association, AssociationNotice

N = AssociationNotice
# The client hears of every new assister of record (with the one-click end link), however it started.
TO_CLIENT = {N.REQUESTED, N.STARTED, N.OFFLINE_CONSENT, N.ENDED, N.SUSPENDED, N.RESTORED}
TO_ASSISTER = {N.STARTED, N.ENDED, N.DECLINED}


@shared_task
def send_association_email(association_id: int, event: str) -> None:
    association = Association.objects.select_related("client__user", "assister__user", "assister__agency").get(
        pk=association_id
    )
    # A message queued before the notice was an enum said "ended:<reason>"; the reason was never shown.
    notice = AssociationNotice(event.partition(":")[0])
    context = {
        "event": notice,
        "client_name": association.client.first_name,
        "assister_name": association.assister.full_name,
        "agency": str(association.assister.agency),
        "kind": association.get_kind_display().lower(),
        "end_link": settings.SITE_URL
        + reverse("associations:end_by_link", args=[services.end_link_token(association)]),
    }
    client_email = association.client.user.email if association.client.user_id else association.client.email
    if notice in TO_CLIENT and client_email:
        _send("to_client", context, client_email)
    if notice in TO_ASSISTER:
        _send("to_assister", context, association.assister.user.email)


def _send(template: str, context: dict, recipient: str) -> None:
    send_templated_email(f"emails/associations/{template}", context, [recipient])


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
    send_templated_email("emails/associations/offline_consent_alert", context, recipients)
