"""Background work of applications: the daily renewal sweep (issue 17): renewals prepared from the renewal season's
first day, and those still waiting for the household renewed when the next open enrollment ends."""

import time

from celery import shared_task

from . import services

# Stop starting households after this many seconds, below the soft time limit (assister_portal/celery.py), and queue
# the sweep again to go on: each household is its own transaction, so nothing is done twice.
BUDGET_SECONDS = 90


@shared_task
def renewals_daily_sweep() -> dict:
    """Daily (beat, 06:30): idempotent, so a second run the same day changes nothing and sends no notice twice."""
    done = services.renewals_daily_sweep(deadline=time.monotonic() + BUDGET_SECONDS)
    if done["more"]:
        renewals_daily_sweep.delay()
    return done
