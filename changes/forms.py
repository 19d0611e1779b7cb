"""The change report's forms: first what changed, then only what that event needs (`changes.kinds.FIELDS`)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from applications import answers
from assister_portal.lib.forms import birth_date_field, date_field, validate_typed_text
from core.geo import locate_zip

from . import kinds
from .kinds import Event

EVENT_CHOICES = [(event.value, event.label) for events in kinds.EVENTS.values() for event in events]


class EventForm(forms.Form):
    event = forms.ChoiceField(
        label=_("What changed?"),
        choices=EVENT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what changed."), "invalid_choice": _("Choose what changed.")},
    )


def _text(label, max_length=100, **kwargs):
    return forms.CharField(label=label, max_length=max_length, validators=[validate_typed_text], **kwargs)


class ReportForm(forms.Form):
    """The details one event needs; `members` are the household on the current application (key, name)."""

    def __init__(self, data=None, *, event: str, members: list[tuple[str, str]], **kwargs):
        super().__init__(data, **kwargs)
        self.event = event
        self.fields["effective_date"] = date_field(
            _("The day a baby was born") if event == Event.BIRTH else _("The day it happened"),
            help_text=_("Like 03/15/2027. Report a change within 30 days of it; a later report is still taken."),
        )
        builders = {
            "street": lambda: _text(_("Street address"), 200),
            "city": lambda: _text(_("City"), 100),
            "zip_code": lambda: forms.RegexField(
                label=_("ZIP code"),
                regex=r"^\d{5}(-\d{4})?$",
                help_text=_("5 digits, like 55401."),
                error_messages={"invalid": _("Enter a 5-digit ZIP code, like 55401.")},
            ),
            "member": lambda: forms.ChoiceField(
                label=_("Who"),
                choices=members,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose who."), "invalid_choice": _("Choose someone from the list.")},
            ),
            "income_kind": lambda: forms.ChoiceField(label=_("Kind of income"), choices=answers.IncomeKind.choices),
            "amount": lambda: forms.DecimalField(
                label=_("Amount before taxes ($)"),
                min_value=Decimal("0"),
                max_value=Decimal("10000000"),
                max_digits=10,
                decimal_places=2,
                help_text=_("All of their income of this kind now, like 2500.00; 0 if it stopped."),
                error_messages={
                    "invalid": _("Enter an amount in dollars, like 2500.00."),
                    "min_value": _("Enter 0 or more."),
                    "max_value": _("Check the amount: it is more than $10,000,000."),
                    "max_digits": _("Check the amount: it is more than $10,000,000."),
                    "max_decimal_places": _("Enter dollars and cents, with at most 2 digits after the point."),
                },
            ),
            "frequency": lambda: forms.ChoiceField(label=_("How often"), choices=answers.Frequency.choices),
            "first_name": lambda: _text(_("First name")),
            "last_name": lambda: _text(_("Last name")),
            "date_of_birth": lambda: birth_date_field(_("Date of birth")),
            "relationship": lambda: forms.ChoiceField(
                label=_("Relationship to the person applying"),
                choices=[c for c in answers.Relationship.choices if c[0] != answers.Relationship.SELF],
            ),
            "citizenship": lambda: forms.ChoiceField(
                label=_("Citizenship or immigration status"), choices=answers.Citizenship.choices
            ),
            "coverage": lambda: forms.ChoiceField(
                label=_("What coverage"),
                choices=[c for c in answers.OtherCoverage.choices if c[0] != answers.OtherCoverage.NONE],
            ),
            "american_indian": lambda: forms.TypedChoiceField(
                label=_("A member of a federally recognized tribe (or Alaska Native) now?"),
                choices=[("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
            ),
            "description": lambda: forms.CharField(
                label=_("What changed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
            ),
        }
        for name in kinds.FIELDS[event]:
            if name == "date_of_birth" and event == Event.BIRTH:
                continue  # the day of the event is the day of birth
            self.fields[name] = builders[name]()
        self.fields["note"] = forms.CharField(
            label=_("Anything else MNsure should know"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def clean(self):
        data = super().clean()
        if self.event == Event.MOVED and data.get("zip_code") and locate_zip(data["zip_code"]) is None:
            self.outside_minnesota = True
        return data

    def details(self) -> dict:
        """What the service records (JSON-safe)."""
        data = dict(self.cleaned_data)
        data.pop("effective_date", None)
        if self.event == Event.BIRTH:
            data["date_of_birth"] = self.cleaned_data["effective_date"].isoformat()
        for name, value in list(data.items()):
            if hasattr(value, "isoformat"):
                data[name] = value.isoformat()
            elif isinstance(value, Decimal):
                data[name] = f"{value:.2f}"
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your answer.")},
    )
