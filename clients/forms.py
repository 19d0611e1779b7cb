"""Forms about client records: finding a client, creating a client's account on their behalf, and the
consumer claiming it. The assister's other forms (the dashboard search, consent given offline) are
`associations.forms`."""

import enum
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import NewPasswordForm
from assister_portal.lib.forms import DateInput, birth_date_field
from certification.models import fein_validator, phone_validator, zip_validator
from core.forms import LanguageChoiceField
from core.models import County, Language

from .models import ClientKind, ssn_validator
from .services import CLIENT_FIELDS

last4_validator = RegexValidator(r"^\d{4}$", gettext_lazy("Enter exactly four digits, like 6789."))


def squeeze(value: str) -> str:
    """Spaces removed: what people type around numbers."""
    return re.sub(r"\s+", "", value or "")


# --- Finding a client to ask to help -------------------------------------------------


class FindClientForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("Client's first name"), max_length=100)
    last_name = forms.CharField(label=gettext_lazy("Client's last name"), max_length=100)
    date_of_birth = birth_date_field(gettext_lazy("Client's date of birth"))
    email = forms.EmailField(
        label=gettext_lazy("Client's email address"),
        required=False,
        help_text=gettext_lazy("Give the email address or the last four digits of the SSN, or both."),
    )
    ssn_last4 = forms.CharField(
        label=gettext_lazy("Last four digits of the client's Social Security number"),
        required=False,
        max_length=4,
        validators=[last4_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("email") or cleaned.get("ssn_last4")):
            raise ValidationError(_("Give the client's email address or the last four digits of their SSN."))
        return cleaned


# --- Creating a client's account on their behalf -----------------------------------


class Audience(enum.StrEnum):
    """Who fills in a client's details: the consumer about themselves, or an assister about a client."""

    SELF = "self"
    ASSISTER = "assister"


# What differs between the two audiences: the wording, which address fields are required (a consumer gives
# their address; an assister may not have it yet), and the email field (a consumer's is their account's).
_WORDING = {
    Audience.SELF: {
        "kind_label": gettext_lazy("Who is this account for?"),
        "required": {
            "kind": gettext_lazy("Choose who this account is for."),
            "first_name": gettext_lazy("Enter your first name."),
            "last_name": gettext_lazy("Enter your last name."),
            "date_of_birth": gettext_lazy("Enter your date of birth."),
            "street": gettext_lazy("Enter your street address."),
            "city": gettext_lazy("Enter your city."),
            "zip_code": gettext_lazy("Enter your 5-digit ZIP code."),
            "county": gettext_lazy("Choose the county you live in."),
            "preferred_language": gettext_lazy("Choose the language you prefer."),
        },
        "help": {
            "ssn": gettext_lazy(
                "We ask so MNsure can confirm who you are and check your eligibility with federal records, "
                "and so an assister can find your account. It is stored encrypted and only its last four digits "
                "are ever shown. You may leave it blank."
            ),
            "phone": gettext_lazy("10 digits, like 651-555-0100."),
            "zip_code": gettext_lazy("5 digits."),
            "preferred_language": gettext_lazy("The language we and your assisters should use with you."),
        },
        "date_invalid": gettext_lazy("Enter your date of birth as month, day and year."),
        "county_empty": gettext_lazy("- Select your county -"),
        "language_empty": gettext_lazy("- Select a language -"),
    },
    Audience.ASSISTER: {
        "kind_label": gettext_lazy("Who is the client?"),
        "required": {
            "email": gettext_lazy("Enter the client's email address: we send them the link to claim the account."),
        },
        "help": {
            "first_name": gettext_lazy("For a small employer: the contact person."),
            "ssn": gettext_lazy("Nine digits, like 123-45-6789. Leave it blank if the client has none."),
            "email": gettext_lazy("We email the client a link to claim the account. It must be their own address."),
            "phone": gettext_lazy("For example: 651-555-0100."),
        },
        "date_invalid": None,
        "county_empty": gettext_lazy("Choose a county"),
        "language_empty": gettext_lazy("Choose a language"),
    },
}


class ClientDetailsForm(forms.Form):
    """The details of a client record (`services.CLIENT_FIELDS`): the one definition of these fields, for the
    consumer's own details and for the account an assister creates on a client's behalf, worded for
    whichever `Audience` fills it in."""

    kind = forms.ChoiceField(choices=ClientKind.choices, initial=ClientKind.HOUSEHOLD, widget=forms.RadioSelect)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100)
    date_of_birth = birth_date_field(gettext_lazy("Date of birth"))
    ssn = forms.CharField(
        label=gettext_lazy("Social Security number"),
        required=False,
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254)
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=20,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    street = forms.CharField(
        label=gettext_lazy("Street address"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    city = forms.CharField(
        label=gettext_lazy("City"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    zip_code = forms.CharField(
        label=gettext_lazy("ZIP code"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    county = forms.ModelChoiceField(label=gettext_lazy("County"), queryset=County.objects.all())
    preferred_language = LanguageChoiceField(label=gettext_lazy("Preferred language"), queryset=Language.objects.all())

    def __init__(self, *args, audience: Audience, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience = audience
        wording = _WORDING[audience]
        if audience == Audience.SELF:
            del self.fields["email"]  # the account's own address
            self.fields["date_of_birth"].widget = DateInput()
        else:
            for name in ("street", "city", "zip_code", "county", "preferred_language"):
                self.fields[name].required = False
        self.fields["kind"].label = wording["kind_label"]
        for name, message in wording["required"].items():
            self.fields[name].error_messages["required"] = message
        for name, text in wording["help"].items():
            self.fields[name].help_text = text
        if wording["date_invalid"]:
            self.fields["date_of_birth"].error_messages["invalid"] = wording["date_invalid"]
        self.fields["county"].empty_label = wording["county_empty"]
        self.fields["preferred_language"].empty_label = wording["language_empty"]

    def clean_ssn(self) -> str:
        ssn = squeeze(self.cleaned_data["ssn"])
        if ssn:
            ssn_validator(ssn)
        return ssn

    def clean_zip_code(self) -> str:
        zip_code = squeeze(self.cleaned_data["zip_code"])
        if zip_code:
            zip_validator(zip_code)
        return zip_code

    def service_fields(self) -> dict:
        """The cleaned details as `services.client_create_*` take them."""
        return {name: self.cleaned_data.get(name) for name in CLIENT_FIELDS if name in self.cleaned_data}


class EmployerDetailsForm(forms.Form):
    """What a small employer (SHOP) adds to its client record: the one definition of these fields, for the
    consumer's own details (the profile page) and for the account an assister creates.

    The FEIN is typed as 41-1234567 or as nine digits (spaces allowed, so up to 12 characters) and kept as
    41-1234567, the only form `certification.models.fein_validator` accepts.
    """

    business_name = forms.CharField(label=gettext_lazy("Business name"), max_length=200)
    fein = forms.CharField(
        label=gettext_lazy("Federal Employer Identification Number (FEIN)"),
        max_length=12,
        help_text=gettext_lazy("Two digits, a hyphen and seven digits, like 41-1234567. It is stored encrypted."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    employee_count = forms.IntegerField(
        label=gettext_lazy("Number of employees"),
        min_value=1,
        max_value=50,
        help_text=gettext_lazy("Full-time-equivalent employees, from 1 to 50: SHOP is for small employers."),
        error_messages={
            "min_value": gettext_lazy("A small employer has from 1 to 50 employees."),
            "max_value": gettext_lazy(
                "SHOP is for employers with 50 or fewer employees. Larger employers cannot use SHOP."
            ),
            "invalid": gettext_lazy("Enter the number of employees as a whole number, from 1 to 50."),
        },
    )

    def __init__(self, *args, required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = required
        self.fields["business_name"].error_messages["required"] = _("Enter the business name of the small employer.")
        self.fields["fein"].error_messages["required"] = _("Enter the employer's FEIN, like 41-1234567.")
        self.fields["employee_count"].error_messages["required"] = _("Enter the number of employees, from 1 to 50.")

    def clean_fein(self) -> str:
        fein = squeeze(self.cleaned_data["fein"])
        if not fein:
            return fein
        if re.fullmatch(r"\d{9}", fein):
            fein = f"{fein[:2]}-{fein[2:]}"
        fein_validator(fein)
        return fein


# --- The consumer claims the account --------------------------------------------------


class ClaimForm(NewPasswordForm):
    date_of_birth = birth_date_field(gettext_lazy("Your date of birth"))
    ssn_last4 = forms.CharField(
        label=gettext_lazy("Last four digits of your Social Security number"),
        required=False,
        max_length=4,
        validators=[last4_validator],
        help_text=gettext_lazy("Leave it blank if you did not give your assister a Social Security number."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    field_order = ["date_of_birth", "ssn_last4", "password"]
