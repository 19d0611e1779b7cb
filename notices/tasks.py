"""Celery tasks of notices: thin wrappers around the services (which are idempotent, so late
acknowledgement and redelivery are safe: see assister_portal/celery.py and the README's "Background work").

Rendering retries with exponential backoff (5 s, 10 s, 20 s … up to 5 minutes) when it raises, for example
while PostgreSQL refuses connections. A retry that gets as far as starting the rendering counts as an
attempt on the notice (one that fails before, say while the database refuses connections, does not), and
after NOTICE_MAX_ATTEMPTS the notice is failed with the reason for staff to see. The task stops retrying
after NOTICE_MAX_ATTEMPTS + 2 tries; whatever is left then, like whatever a lost message or a dead worker
left behind, the sweep (Celery beat) sends again.
"""

from dataclasses import asdict

from celery import shared_task
from django.conf import settings

# `services` sends these tasks and they call back into it: the module, not its names, so either may be
# imported first.
from . import services

RETRY = {"autoretry_for": (Exception,), "retry_backoff": 5, "retry_backoff_max": 300, "retry_jitter": True}


@shared_task(bind=True, max_retries=None, **RETRY)
def render_notice(self, notice_id: int) -> None:
    if self.request.retries >= settings.NOTICE_MAX_ATTEMPTS + 2:
        return  # the notice is failed by now (or the sweep has it); stop retrying
    services.notice_render(notice_id=notice_id)


@shared_task(bind=True, max_retries=8, **RETRY)
def email_notice(self, notice_id: int) -> None:
    services.notice_email(notice_id=notice_id)


@shared_task
def notices_sweep() -> dict:
    return asdict(services.notices_sweep())
