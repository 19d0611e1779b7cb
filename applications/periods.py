"""Dates of an application's coverage year that the rules need before a plan is chosen."""

from datetime import date

from django.utils import timezone


def coverage_start(year: int, today: date | None = None) -> date:
    """When coverage would start for an application made today: January 1 when that is still ahead, else the
    first of next month (within the year). Ages for rating and for the rules are counted on this day; the
    enrollment's own start date follows the enrollment period's rules when a plan is chosen."""
    today = today or timezone.localdate()
    if today < date(year, 1, 1):
        return date(year, 1, 1)
    if today.year > year or today.month == 12:
        return date(year, 12, 1)
    return date(year, today.month + 1, 1)
