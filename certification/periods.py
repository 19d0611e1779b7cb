"""Certification periods: each runs to the day before the next open enrollment starts."""

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone


def today() -> date:
    return timezone.localdate()


def open_enrollment_start(year: int) -> date:
    month, day = settings.OPEN_ENROLLMENT_START
    return date(year, month, day)


def period_end_for(day: date) -> date:
    """The last day of the certification period that contains `day`."""
    start = open_enrollment_start(day.year)
    if day < start:
        return start - timedelta(days=1)
    return open_enrollment_start(day.year + 1) - timedelta(days=1)


def renewal_opens_for(valid_until: date) -> date:
    """When renewal opens for a certification ending on `valid_until` (August 1 before it, by default)."""
    month, day = settings.RENEWAL_OPENS
    opens = date(valid_until.year, month, day)
    return opens if opens <= valid_until else date(valid_until.year - 1, month, day)
