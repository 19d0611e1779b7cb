"""Reads about accounts that other apps need."""

from django.conf import settings

from .models import User


def staff_alert_recipients() -> list[str]:
    """Who hears of a security alert: SECURITY_ALERT_EMAILS, or else every active member of exchange staff."""
    if settings.SECURITY_ALERT_EMAILS:
        return list(settings.SECURITY_ALERT_EMAILS)
    return list(User.objects.filter(is_staff=True, is_active=True).order_by("pk").values_list("email", flat=True))
