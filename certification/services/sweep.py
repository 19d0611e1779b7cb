"""The daily sweep (DESIGN §6): certifications past their period expire, renewal reminders go out at
60, 30 and 7 days before the end (settings.CERTIFICATION_REMINDER_DAYS), and every listing is recomputed.

The Celery beat task `certification.tasks.certification_daily_sweep` only calls `certification_sweep`.
Each expiry and each reminder is its own transaction, so one that fails leaves the others done, and a
second run on the same day (or two at once) changes nothing more: an expiry re-reads the status under
the row lock, and a reminder is a row unique per certification and lead time.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from assister_portal.lib.state_machine import TransitionNotAllowed

from .. import hooks
from ..models import Certification, CertificationReminder, CertificationStatus
from ..notices import certification_reminder_notices
from ..periods import today
from .decisions import certification_expire

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    expired: int
    reminded: int
    listings_changed: int


def _lead_time(days_left: int) -> int | None:
    """The reminder due with `days_left` days to go: the smallest lead time not below it, if any."""
    due = [days for days in settings.CERTIFICATION_REMINDER_DAYS if days >= days_left]
    return min(due) if due and days_left >= 0 else None


def certification_remind(*, certification: Certification, day: date) -> bool:
    """Record the renewal reminder due on `day` and email it after commit; False if none is due or it was sent.

    Larger lead times that were missed (the sweep did not run those days) are recorded as sent, not sent late.
    """
    days_left = (certification.valid_until - day).days
    threshold = _lead_time(days_left)
    if threshold is None:
        return False
    try:
        with transaction.atomic():
            CertificationReminder.objects.create(certification=certification, days_before=threshold)
            for larger in settings.CERTIFICATION_REMINDER_DAYS:
                if larger > threshold:
                    CertificationReminder.objects.get_or_create(certification=certification, days_before=larger)
            certification_reminder_notices(certification, days_left)
    except IntegrityError:  # this lead time's reminder was already recorded
        return False
    return True


def certification_sweep() -> SweepResult:
    """Expire, remind and recompute the listings, as of today. Idempotent within a day."""
    day = today()
    expired = 0
    lapsed = Certification.objects.filter(
        status__in=[CertificationStatus.APPROVED, CertificationStatus.SUSPENDED], valid_until__lt=day
    )
    for certification in lapsed.only("pk"):
        try:
            certification_expire(certification=certification)
        except TransitionNotAllowed:  # changed since the query (another sweep, or a staff decision)
            continue
        expired += 1

    reminded = 0
    horizon = day + timedelta(days=max(settings.CERTIFICATION_REMINDER_DAYS))
    renewing = [CertificationStatus.SUBMITTED, CertificationStatus.IN_REVIEW, CertificationStatus.APPROVED]
    due = Certification.objects.filter(
        status=CertificationStatus.APPROVED, valid_until__gte=day, valid_until__lte=horizon
    ).exclude(renewal__status__in=renewing)
    for certification in due.only("pk", "valid_until"):
        reminded += certification_remind(certification=certification, day=day)
    # Every change already recomputes the listings it touches; this recomputes them all once a day as
    # well, so nothing can stay listed (or unlisted) on a rule no change has touched.
    relisted = sum(hooks.listings_changed.send())
    log.info("certification sweep: %s expired, %s reminders sent, %s listings changed", expired, reminded, relisted)
    return SweepResult(expired=expired, reminded=reminded, listings_changed=relisted)
