"""Background work about assisters of record: requests that expire, and the staff alert about consents
recorded offline. (What the client and the assister are told goes through notices: associations/notices.py.)"""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.selectors import staff_alert_recipients
from assister_portal.lib.email import send_templated_email

# `services` schedules these tasks and they call back into it: the module, not its names, so either may be
# imported first.
from . import services


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
