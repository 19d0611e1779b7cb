"""Dates of an application's coverage year that the rules need before a plan is chosen."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


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


# --- Enrollment periods (issue 13; reference "Enrollment periods and deadlines") -------------------------------

FROM_THE_EVENT = frozenset({"birth", "adoption", "foster_care"})  # coverage from the event (45 CFR 155.420(b)(2)(i))


@dataclass(frozen=True)
class SpecialEnrollment:
    """A special enrollment period the household has (opened by a reported change, issue 15)."""

    kind: str  # what opened it: birth, adoption, moved, lost_coverage, …
    event_date: date
    closes: date  # the last day a plan may be chosen in it
    label: str = ""  # what the consumer reads, e.g. "Birth of a child on March 3"


@dataclass(frozen=True)
class EnrollmentPeriod:
    kind: str  # "open" or "special"
    coverage_start: date
    closes: date
    special: SpecialEnrollment | None = None


class NoEnrollmentPeriod(Exception):
    """No enrollment period is open for the coverage year today; `message` says why and when the next opens."""

    def __init__(self, message: str, next_open: date | None):
        super().__init__(message)
        self.message = message
        self.next_open = next_open


def first_of_next_month(day: date) -> date:
    """The first day of the month after `day`."""
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def open_enrollment(year: int) -> tuple[date, date, date] | None:
    """(first day, cut-off for January 1, last day) of open enrollment for a coverage year, from settings."""
    return settings.OPEN_ENROLLMENT_PERIODS.get(year)


def next_open_enrollment(today: date) -> tuple[int, date] | None:
    """The next configured open enrollment that has not started: (coverage year, first day)."""
    ahead = sorted((start, year) for year, (start, _cutoff, _end) in settings.OPEN_ENROLLMENT_PERIODS.items())
    return next(((year, start) for start, year in ahead if start > today), None)


def enrollment_period(
    year: int, today: date | None = None, *, specials: Sequence[SpecialEnrollment] = ()
) -> EnrollmentPeriod:
    """The enrollment period a plan for `year` may be chosen in today, and when that coverage would start.

    Open enrollment: chosen by the cut-off → January 1, later → February 1. A special enrollment period: the first of
    the month after the choice; birth, adoption or foster care: the day of the event. Raises NoEnrollmentPeriod,
    naming the next open enrollment, when neither applies.
    """
    today = today or timezone.localdate()
    window = open_enrollment(year)
    if window and window[0] <= today <= window[2]:
        start = date(year, 1, 1) if today <= window[1] else date(year, 2, 1)
        return EnrollmentPeriod("open", start, window[2])
    usable = []
    for special in specials:
        if not special.event_date <= today <= special.closes:
            continue
        start = special.event_date if special.kind in FROM_THE_EVENT else first_of_next_month(today)
        if start.year == year:
            usable.append(EnrollmentPeriod("special", start, special.closes, special))
    if usable:
        return min(usable, key=lambda period: (period.coverage_start, period.closes))
    upcoming = next_open_enrollment(today)
    if window and today < window[0]:
        message = _("Open enrollment for %(year)s coverage starts on %(day)s.") % {
            "year": year,
            "day": _day(window[0]),
        }
        raise NoEnrollmentPeriod(message, window[0])
    closed = (
        _("Open enrollment for %(year)s coverage ended on %(day)s, and you have no special enrollment period.")
        % {"year": year, "day": _day(window[2])}
        if window
        else _("There is no open enrollment for %(year)s coverage, and you have no special enrollment period.")
        % {"year": year}
    )
    if upcoming:
        closed += " " + _("The next open enrollment, for %(year)s coverage, starts on %(day)s.") % {
            "year": upcoming[0],
            "day": _day(upcoming[1]),
        }
    else:
        closed += " " + _("The next open enrollment has not been scheduled yet.")
    closed += " " + _("A change such as a move, a birth or losing other coverage can open a special enrollment period.")
    raise NoEnrollmentPeriod(closed, upcoming[1] if upcoming else None)


def _day(day: date) -> str:
    return date_format(day, "F j, Y")


def termination_dates(today: date | None = None, *, coverage_year: int) -> list[date]:
    """The end dates a consumer may choose when ending coverage: the end of this month or of next month (within the
    coverage year: coverage never runs past December 31)."""
    today = today or timezone.localdate()
    this_month_end = first_of_next_month(today) - timedelta(days=1)
    next_month_end = first_of_next_month(this_month_end + timedelta(days=1)) - timedelta(days=1)
    year_end = date(coverage_year, 12, 31)
    return sorted({min(day, year_end) for day in (this_month_end, next_month_end)})


def dispute_deadline(at) -> date:
    """The last day to tell MNsure "I did not ask for this" about a change made at `at` (ENROLLMENT_DISPUTE_DAYS)."""
    return timezone.localtime(at).date() + timedelta(days=settings.ENROLLMENT_DISPUTE_DAYS)
