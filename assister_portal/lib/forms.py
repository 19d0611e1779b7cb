"""Small helpers shared by the forms and views of every app: service errors on forms, dates, typed text."""

import unicodedata
from collections.abc import Callable
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


def apply_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- Dates -----------------------------------------------------------------------------------
# One way to type a date anywhere in the portal, and plausible bounds for each kind of date (0001-01-01
# and 9999-12-31 are typing slips or probes, and PostgreSQL would keep them): a date of birth is from
# 1900 to today, a date something happened is from 1900 to today, an expiry date is within ten years
# either side of today. `date_field` alone checks only the format: a date whose rules live in a service
# (a consent given in the last 60 days) gets the service's own message.

DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]
DATE_HINT = _("For example: 05/17/1980 or 1980-05-17.")
DATE_ERROR = _("Enter the date like 05/17/1980 (month, day, year) or 1980-05-17.")
EARLIEST_DATE = date(1900, 1, 1)
EXPIRY_YEARS = 10

DateBound = date | Callable[[], date] | None


def today() -> date:
    """Today in Minnesota (TIME_ZONE): the bound for dates that cannot be in the future."""
    return timezone.localdate()


def years_from_today(years: int) -> Callable[[], date]:
    """A bound `years` from today (negative: ago), worked out when the form is checked, not when it is defined."""

    def bound() -> date:
        day = today()
        try:
            return day.replace(year=day.year + years)
        except ValueError:  # February 29 in a year that has none
            return day.replace(year=day.year + years, day=28)

    return bound


class DateInput(forms.DateInput):
    """The browser's own date picker; it sends the date as 1980-05-17, one of DATE_FORMATS."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


@deconstructible
class DateRangeValidator:
    """Refuse a date before `earliest` or after `latest` (each a date, a function giving one, or None)."""

    def __init__(self, *, earliest: DateBound, latest: DateBound, too_early, too_late):
        self.earliest, self.latest = earliest, latest
        self.too_early, self.too_late = too_early, too_late

    def __call__(self, value: date) -> None:
        earliest = self.earliest() if callable(self.earliest) else self.earliest
        latest = self.latest() if callable(self.latest) else self.latest
        if earliest is not None and value < earliest:
            raise ValidationError(self.too_early, code="too_early")
        if latest is not None and value > latest:
            raise ValidationError(self.too_late, code="too_late")

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator) and vars(self) == vars(other)


def date_field(
    label,
    *,
    required: bool = True,
    help_text=DATE_HINT,
    earliest: DateBound = None,
    latest: DateBound = None,
    too_early=None,
    too_late=None,
    widget=None,
    error_messages: dict | None = None,
) -> forms.DateField:
    """A date typed as 05/17/1980 or 1980-05-17; with `earliest` or `latest`, refused outside them."""
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        error_messages={"invalid": DATE_ERROR, "required": _("Enter the date."), **(error_messages or {})},
        validators=[
            DateRangeValidator(
                earliest=earliest,
                latest=latest,
                too_early=too_early or _("Check the year: the date is too early."),
                too_late=too_late or _("Check the year: the date is too late."),
            )
        ]
        if earliest is not None or latest is not None
        else [],
        widget=widget or forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


def birth_date_field(label, **kwargs) -> forms.DateField:
    """A date of birth: not before 1900, not in the future."""
    return date_field(
        label,
        earliest=EARLIEST_DATE,
        latest=today,
        too_early=_("Check the year of birth: it is before 1900."),
        too_late=_("The date of birth cannot be in the future."),
        **kwargs,
    )


def past_date_field(label, **kwargs) -> forms.DateField:
    """The day something already happened (training completed): not before 1900, not in the future."""
    return date_field(
        label,
        earliest=EARLIEST_DATE,
        latest=today,
        too_early=_("Check the year: the date is before 1900."),
        too_late=_("The date cannot be in the future."),
        **kwargs,
    )


def expiry_date_field(label, **kwargs) -> forms.DateField:
    """The day a license or policy expires: within ten years either side of today.

    An expiry in the past is allowed (the requirement checklist says it is not valid); one more than ten
    years ago or ahead is a typing slip.
    """
    return date_field(
        label,
        earliest=years_from_today(-EXPIRY_YEARS),
        latest=years_from_today(EXPIRY_YEARS),
        too_early=_("Check the year: this date is more than 10 years ago."),
        too_late=_("Check the year: this date is more than 10 years from now."),
        **kwargs,
    )


# --- Typed text ------------------------------------------------------------------------------

# Zero-width non-joiner and joiner are part of how some scripts are typed; every other control,
# format, private-use or unassigned character (NUL, a line break, a right-to-left override) is not.
TYPED_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})


def is_typed_text(value: str) -> bool:
    """False if `value` has a character a person cannot type or see, such as a NUL byte or a direction override."""
    return not any(unicodedata.category(char).startswith("C") and char not in TYPED_FORMAT_CHARACTERS for char in value)


def validate_typed_text(value: str) -> None:
    if not is_typed_text(value):
        raise ValidationError(
            _("Use only letters, spaces and punctuation. This has a character that cannot be typed or seen."),
            code="untypable",
        )
