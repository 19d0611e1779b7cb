"""The guided application's forms: one topic a page (issue 12).

Steps that ask the same questions of every member (tax filing, status, other coverage) build one form per
member with the member's key as the prefix, so nothing in the request decides which members exist. Every
field has a label, a hint where the format is not obvious, and an error that says how to fix it.
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.forms import birth_date_field, past_date_field, validate_typed_text
from associations.forms import BookSearchForm, FallbackChoiceField
from core.geo import locate_zip

from . import answers, eligibility
from .answers import Citizenship, FilingStatus, Frequency, ImmigrationDocument, IncomeKind, OtherCoverage
from .models import ApplicationStatus, ReviewMethod

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _name_field(label):
    return forms.CharField(label=label, max_length=100, validators=[validate_typed_text])


class VersionForm(forms.Form):
    """Every form that changes an application carries the version it was made from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_000_000_000)


class StartForm(forms.Form):
    coverage_year = forms.TypedChoiceField(
        label=_("Coverage year"),
        coerce=int,
        help_text=_("The year the health coverage is for."),
        error_messages={"invalid_choice": _("Choose one of the coverage years listed.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coverage_year"].choices = [(y, str(y)) for y in settings.APPLICATION_COVERAGE_YEARS]


class AddressForm(VersionForm):
    street = forms.CharField(
        label=_("Street address"), max_length=200, required=False, validators=[validate_typed_text]
    )
    city = forms.CharField(label=_("City"), max_length=100, validators=[validate_typed_text])
    zip_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        help_text=_("Five digits, like 55401. Coverage through MNsure is for people who live in Minnesota."),
    )

    def clean_zip_code(self):
        value = self.cleaned_data["zip_code"].strip()
        if not value[:5].isdigit() or len(value) not in (5, 10):
            raise ValidationError(_("Enter the ZIP code as five digits, like 55401."))
        place = locate_zip(value)
        if place is None:
            raise ValidationError(
                _("%(zip)s is not a Minnesota ZIP code. MNsure covers people who live in Minnesota: check the ZIP.")
                % {"zip": value[:5]}
            )
        self.place = place
        return value[:5]


class MemberForm(VersionForm):
    first_name = _name_field(_("First name"))
    last_name = _name_field(_("Last name"))
    date_of_birth = birth_date_field(_("Date of birth"))
    relationship = forms.ChoiceField(
        label=_("Relationship to the person applying"),
        choices=[c for c in answers.Relationship.choices if c[0] != answers.Relationship.SELF],
        error_messages={"invalid_choice": _("Choose a relationship from the list.")},
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("Prefer not to say")), *answers.Sex.choices],
        help_text=_("Asked only because some plan rules depend on it."),
        error_messages={"invalid_choice": _("Choose from the list.")},
    )
    applying = forms.BooleanField(label=_("Asking for health coverage"), required=False)
    pregnant = forms.BooleanField(label=_("Pregnant now"), required=False)
    tobacco = forms.BooleanField(
        label=_("Used tobacco regularly (4 or more times a week) in the last 6 months"), required=False
    )

    def __init__(self, *args, is_self: bool = False, coverage_start=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.coverage_start = coverage_start
        if is_self:
            self.fields["relationship"].choices = [answers.Relationship.choices[0]]
            self.fields["relationship"].initial = answers.Relationship.SELF

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if self.coverage_start and eligibility.age_on(born, self.coverage_start) > answers.OLDEST_AGE:
            raise ValidationError(
                _("That would make them over %(age)s years old: check the year of birth.") % {"age": answers.OLDEST_AGE}
            )
        return born


class MemberTaxForm(forms.Form):
    files_taxes = forms.TypedChoiceField(
        label=_("Will they file a federal income tax return for the coverage year?"),
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no."), "invalid_choice": _("Choose yes or no.")},
    )
    filing_status = forms.ChoiceField(
        label=_("Filing status"),
        required=False,
        choices=[("", _("— choose —")), *FilingStatus.choices],
        error_messages={"invalid_choice": _("Choose a filing status from the list.")},
    )
    dependents = forms.MultipleChoiceField(
        label=_("Who will they claim as a dependent?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty if they claim no one."),
        error_messages={"invalid_choice": _("Choose people from this household only.")},
    )

    def __init__(self, *args, member: dict, household: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["dependents"].choices = [
            (m["key"], answers.member_name(m)) for m in household if m["key"] != member["key"]
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("files_taxes") and not cleaned.get("filing_status"):
            self.add_error("filing_status", _("Choose their filing status."))
        if not cleaned.get("files_taxes"):
            cleaned["filing_status"], cleaned["dependents"] = "", []
        return cleaned


class MemberStatusForm(forms.Form):
    citizenship = forms.ChoiceField(
        label=_("Citizenship or immigration status"),
        choices=Citizenship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one."), "invalid_choice": _("Choose one of the statuses listed.")},
    )
    immigration_document = forms.ChoiceField(
        label=_("Immigration document"),
        required=False,
        choices=[("", _("— choose —")), *ImmigrationDocument.choices],
        help_text=_("For a lawfully present immigrant: the document that shows their status."),
        error_messages={"invalid_choice": _("Choose a document from the list.")},
    )
    incarcerated = forms.BooleanField(
        label=_("Serving a sentence in jail or prison (not waiting for trial)"), required=False
    )
    american_indian = forms.BooleanField(label=_("American Indian or Alaska Native"), required=False)

    def __init__(self, *args, member: dict, household: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("citizenship") == Citizenship.LAWFULLY_PRESENT and not cleaned.get("immigration_document"):
            self.add_error("immigration_document", _("Choose the document that shows their immigration status."))
        if cleaned.get("citizenship") != Citizenship.LAWFULLY_PRESENT:
            cleaned["immigration_document"] = ""
        return cleaned


class MemberCoverageForm(forms.Form):
    job_offer = forms.BooleanField(
        label=_("Offered health coverage through their job or a family member's job"), required=False
    )
    job_offer_monthly_premium = forms.DecimalField(
        label=_("What the employee alone would pay for that coverage, a month ($)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(5000),
        max_digits=7,
        decimal_places=2,
        help_text=_("The employee-only premium of the lowest-cost plan offered, like 125.00."),
        error_messages={
            "invalid": _("Enter an amount in dollars, like 125.00."),
            "min_value": _("The premium cannot be negative."),
            "max_value": _("Check the amount: more than $5,000 a month is not an employee's share."),
            "max_digits": _("Check the amount: more than $5,000 a month is not an employee's share."),
            "max_decimal_places": _("Enter dollars and cents, like 125.00."),
        },
    )
    other_coverage = forms.ChoiceField(
        label=_("Coverage they have now"),
        choices=OtherCoverage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one."), "invalid_choice": _("Choose one of the kinds listed.")},
    )

    def __init__(self, *args, member: dict, household: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("job_offer") and cleaned.get("job_offer_monthly_premium") is None:
            self.add_error("job_offer_monthly_premium", _("Enter the employee-only premium of the offer."))
        if not cleaned.get("job_offer"):
            cleaned["job_offer_monthly_premium"] = None
        return cleaned


class IncomeForm(VersionForm):
    member = forms.ChoiceField(
        label=_("Whose income"), error_messages={"invalid_choice": _("Choose a person in this household.")}
    )
    kind = forms.ChoiceField(
        label=_("Kind of income"),
        choices=IncomeKind.choices,
        error_messages={"invalid_choice": _("Choose a kind of income from the list.")},
    )
    amount = forms.DecimalField(
        label=_("Amount before taxes ($)"),
        min_value=Decimal("0.01"),
        max_value=Decimal("10000000"),
        max_digits=10,
        decimal_places=2,
        help_text=_("For self-employment or rent, the amount after business expenses. Like 1250.00."),
        error_messages={
            "invalid": _("Enter an amount in dollars, like 1250.00."),
            "min_value": _("Enter an amount above $0. A loss is not entered here: leave that income out."),
            "max_value": _("Check the amount: it is more than $10,000,000."),
            "max_digits": _("Check the amount: it is more than $10,000,000."),
            "max_decimal_places": _("Enter dollars and cents, like 1250.00."),
        },
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Frequency.choices,
        error_messages={"invalid_choice": _("Choose how often from the list.")},
    )

    def __init__(self, *args, household: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m["key"], answers.member_name(m)) for m in household]

    def clean(self):
        cleaned = super().clean()
        amount, frequency = cleaned.get("amount"), cleaned.get("frequency")
        if amount and frequency and amount * answers.PERIODS_A_YEAR[frequency] > answers.MAX_YEARLY_INCOME:
            self.add_error("amount", _("Check the amount and how often: that is more than $10,000,000 a year."))
        return cleaned


class SubmitForm(VersionForm):
    accurate = forms.BooleanField(
        label=_("The answers in this application are true and complete to the best of my knowledge."),
        error_messages={"required": _("Agree to this statement to submit.")},
    )
    penalties = forms.BooleanField(
        label=_("I understand that giving false information on purpose can lead to penalties under federal law."),
        error_messages={"required": _("Agree to this statement to submit.")},
    )
    verify = forms.BooleanField(
        label=_("MNsure may check these answers with trusted data sources (such as the IRS and Social Security)."),
        error_messages={"required": _("Agree to this statement to submit.")},
    )
    report_changes = forms.BooleanField(
        label=_("I will report changes to this information within 30 days of the change."),
        error_messages={"required": _("Agree to this statement to submit.")},
    )
    signed_name = forms.CharField(label=_("Sign with your full name"), max_length=200, validators=[validate_typed_text])

    def __init__(self, *args, signer: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_name"].help_text = _("Type “%(name)s”.") % {"name": signer}


class RecordReviewForm(VersionForm):
    method = forms.ChoiceField(
        label=_("How you reviewed it with the consumer"),
        choices=[c for c in ReviewMethod.choices if c[0] != ReviewMethod.IN_ACCOUNT],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how."), "invalid_choice": _("Choose one of the ways listed.")},
    )
    reviewed_on = past_date_field(_("Date of the review"))
    attestations_explained = forms.BooleanField(
        label=_(
            "I went through every answer with the consumer, explained each statement they attest to, and they "
            "confirmed the application is accurate."
        ),
        error_messages={"required": _("Confirm that you explained the attestations and the consumer confirmed.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[MaxLengthValidator(2000), validate_typed_text],
        help_text=_("Anything worth keeping with the record, like who else took part."),
    )


class ConfirmForm(forms.Form):
    # The request to confirm this page was made for: a request replaced meanwhile is refused, never the new one
    # confirmed in its place.
    review = forms.UUIDField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(
        label=_("Is this application correct?"),
        choices=[
            ("confirm", _("Yes, it is correct: my assister may submit it")),
            ("decline", _("No, something needs to change")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one."), "invalid_choice": _("Choose one of the answers listed.")},
    )


class WithdrawForm(VersionForm):
    understood = forms.BooleanField(
        label=_("I understand: withdrawing ends this application. Any help it would give stops."),
        error_messages={"required": _("Tick the box to confirm you want to withdraw it.")},
    )
    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=500,
        validators=[validate_typed_text],
    )


class ApplicationBookSearchForm(BookSearchForm):
    """The dashboard's search, with the application's status as a filter and a sort."""

    application_status = FallbackChoiceField(
        label=_("Application"),
        fallback="",
        choices=[
            ("", _("Any, or none")),
            *[(value, label) for value, label in ApplicationStatus.choices if value != ApplicationStatus.WITHDRAWN],
            ("none", _("No application")),
        ],
    )

    def __init__(self, *args, columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort"].choices = [
            *self.fields["sort"].choices,
            ("application", _("Application status, drafts first")),
            ("-application", _("Application status, furthest along first")),
        ]
        for column in columns:  # filters and sorts of the columns higher apps add (applications.hooks.book_columns)
            self.fields["sort"].choices = [*self.fields["sort"].choices, *column.sorts]
            self.fields[column.name] = FallbackChoiceField(
                label=column.label, fallback="", choices=[("", _("Any")), *column.choices]
            )


# --- Choosing a plan (issue 13) --------------------------------------------------------------------------------

SORT_CHOICES = [
    ("net", _("Premium after the credit, lowest first")),
    ("deductible", _("Deductible, lowest first")),
    ("yearly", _("Estimated yearly cost, lowest first")),
]
MONEY_LIMIT = Decimal("100000")


class CreditField(forms.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Premium tax credit to take each month"),
            required=False,
            min_value=Decimal("0"),
            max_digits=8,
            decimal_places=2,
            error_messages={
                "invalid": _("Enter an amount in dollars and cents, like 150 or 150.50."),
                "min_value": _("Enter 0 or more."),
                "max_digits": _("Enter an amount up to your maximum credit."),
                "max_decimal_places": _("Enter dollars and cents, with at most 2 digits after the point."),
            },
            **kwargs,
        )


class ShopForm(forms.Form):
    """The plan list's filters, sort and credit, from the URL (GET), so a search can be shared and bookmarked."""

    metal_level = forms.MultipleChoiceField(label=_("Metal level"), required=False, widget=forms.CheckboxSelectMultiple)
    issuer = forms.MultipleChoiceField(
        label=_("Insurance company"), required=False, widget=forms.CheckboxSelectMultiple
    )
    network = forms.MultipleChoiceField(label=_("Network type"), required=False, widget=forms.CheckboxSelectMultiple)
    max_premium = forms.DecimalField(
        label=_("Highest monthly premium after the credit"),
        required=False,
        min_value=Decimal("0"),
        max_value=MONEY_LIMIT,
        max_digits=8,
        decimal_places=2,
        help_text=_("In dollars, like 300."),
        error_messages={"invalid": _("Enter an amount in dollars, like 300.")},
    )
    max_deductible = forms.IntegerField(
        label=_("Highest deductible"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text=_("In whole dollars a year, like 2000."),
        error_messages={"invalid": _("Enter whole dollars, like 2000.")},
    )
    sort = FallbackChoiceField(fallback="net", label=_("Sort by"), choices=SORT_CHOICES)
    credit = CreditField(help_text=_("Leave it empty to take all of it."))

    def __init__(self, data=None, *, metal_levels, issuers, networks, max_credit: Decimal):
        super().__init__(data)
        self.max_credit = max_credit
        self.fields["metal_level"].choices = metal_levels
        self.fields["issuer"].choices = issuers
        self.fields["network"].choices = networks
        self.fields["credit"].help_text = _("Up to %(max)s. Leave it empty to take all of it.") % {
            "max": f"${max_credit:,.2f}"
        }

    def clean_credit(self):
        credit = self.cleaned_data.get("credit")
        if credit is not None and credit > self.max_credit:
            raise ValidationError(
                _("Your credit is at most %(max)s a month: enter that or less.") % {"max": f"${self.max_credit:,.2f}"}
            )
        return credit


class ChooseForm(VersionForm):
    credit = CreditField(help_text=_("Leave it empty to take all of it."))
    client_asked = forms.BooleanField(
        required=False,
        label=_("The client asked me to choose this plan for them, with this credit."),
    )

    def __init__(self, data=None, *, max_credit: Decimal, on_behalf: bool, **kwargs):
        super().__init__(data, **kwargs)
        self.max_credit = max_credit
        self.on_behalf = on_behalf
        if not on_behalf:
            del self.fields["client_asked"]

    def clean_credit(self):
        return ShopForm.clean_credit(self)

    def clean_client_asked(self):
        if self.on_behalf and not self.cleaned_data.get("client_asked"):
            raise ValidationError(_("Confirm that the client asked you to choose this plan for them."))
        return True


class TerminateForm(VersionForm):
    end = forms.TypedChoiceField(
        label=_("Last day of coverage"),
        coerce=date.fromisoformat,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the last day of coverage."),
            "invalid_choice": _("Choose one of the dates offered."),
        },
    )
    reason = forms.CharField(
        label=_("Why (optional)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    understood = forms.BooleanField(
        label=_("I understand that after this day the plan pays for nothing and no premium tax credit is paid."),
        error_messages={"required": _("Confirm that you understand what ending coverage means.")},
    )

    def __init__(self, data=None, *, dates, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["end"].choices = [(day.isoformat(), date_format(day, "F j, Y")) for day in dates]


class DisputeForm(forms.Form):
    action = forms.ChoiceField(
        widget=forms.HiddenInput, choices=[("selected", "selected"), ("terminated", "terminated")]
    )
    note = forms.CharField(
        label=_("Anything we should know (optional)"),
        required=False,
        max_length=2000,
        help_text=_("For example: you never spoke with this assister, or you asked for a different plan."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
