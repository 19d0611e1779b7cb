from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import User
from accounts.selectors import staff_alert_recipients
from assister_portal.lib.email import send_templated_email


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
    send_templated_email("emails/clients/identification_alert", context, recipients)
