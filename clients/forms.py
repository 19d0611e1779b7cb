"""Forms about client records: finding a client, creating a client's account on their behalf, and the
consumer claiming it. The assister's other forms (the dashboard search, consent given offline) are
`associations.forms`."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assister_portal.lib.forms import birth_date_field
from certification.models import fein_validator
from core.models import Language

from .models import Client
from .services import CLIENT_FIELDS

last4_validator = RegexValidator(r"^\d{4}$", gettext_lazy("Enter exactly four digits, like 6789."))


def squeeze(value: str) -> str:
    """Spaces removed: what people type around numbers."""
    return re.sub(r"\s+", "", value or "")


class LanguageChoiceField(forms.ModelChoiceField):
    """A preferred language, named in English with its own name after it: "Spanish (Español)"."""

    def label_from_instance(self, obj: Language) -> str:
        if obj.autonym and obj.autonym != obj.english_name:
            return f"{obj.english_name} ({obj.autonym})"
        return obj.english_name


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


class ClientDetailsForm(forms.ModelForm):
    date_of_birth = birth_date_field(gettext_lazy("Date of birth"))

    class Meta:
        model = Client
        fields = CLIENT_FIELDS
        widgets = {"kind": forms.RadioSelect}
        field_classes = {"preferred_language": LanguageChoiceField}
        labels = {"kind": gettext_lazy("Who is the client?")}
        help_texts = {
            "ssn": gettext_lazy("Nine digits, like 123-45-6789. Leave it blank if the client has none."),
            "email": gettext_lazy("We email the client a link to claim the account. It must be their own address."),
            "phone": gettext_lazy("For example: 651-555-0100."),
            "first_name": gettext_lazy("For a small employer: the contact person."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].error_messages["required"] = _(
            "Enter the client's email address: we send them the link to claim the account."
        )
        self.fields["ssn"].widget = forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"})
        self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0]]
        self.fields["county"].empty_label = _("Choose a county")
        self.fields["preferred_language"].empty_label = _("Choose a language")

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields} | {
            "ssn": self.cleaned_data.get("ssn") or "",
        }


class EmployerDetailsForm(forms.Form):
    """What a small employer (SHOP) adds to its client record: the one definition of these fields, for the
    consumer's own details (`associations.forms.ProfileForm`'s page) and for the account an assister creates.

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


class ClaimForm(forms.Form):
    date_of_birth = birth_date_field(gettext_lazy("Your date of birth"))
    ssn_last4 = forms.CharField(
        label=gettext_lazy("Last four digits of your Social Security number"),
        required=False,
        max_length=4,
        validators=[last4_validator],
        help_text=gettext_lazy("Leave it blank if you did not give your assister a Social Security number."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "At least 12 characters. A passphrase of several words is easy to remember and hard to guess."
        ),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, User(email=self.email))
        return password
