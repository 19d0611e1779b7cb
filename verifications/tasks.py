"""Background work of verification: the daily sweep (requests of withdrawn applications closed, requests past their
due date expired with the application determined again, reminders before the due date)."""

from celery import shared_task

from . import services


@shared_task
def verification_daily_sweep() -> dict:
    """Daily (beat): idempotent, so a second run the same day changes nothing and reminds no one twice."""
    return services.verification_daily_sweep()
