"""Forms of the consumer's pages: who they are, which assister, and what that assister may do."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.forms import DateInput, birth_date_field
from certification.models import fein_validator, phone_validator, zip_validator
from clients.models import POWER_CODES, POWERS, ClientKind, ssn_validator
from core.models import County, Language

ALWAYS_GRANTED = "view_client"
ASSISTER_ID_LENGTH = 9


class LanguageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Language) -> str:
        if obj.autonym and obj.autonym != obj.english_name:
            return f"{obj.english_name} ({obj.autonym})"
        return obj.english_name


def _squeeze(value: str) -> str:
    """Spaces removed: what people type around numbers."""
    return re.sub(r"\s+", "", value or "")


class ProfileForm(forms.Form):
    """A consumer tells us who they are (their Client record is created from this)."""

    kind = forms.ChoiceField(
        label=_("Who is this account for?"),
        choices=ClientKind.choices,
        error_messages={"required": _("Choose who this account is for.")},
        initial=ClientKind.HOUSEHOLD,
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=100, error_messages={"required": _("Enter your first name.")}
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, error_messages={"required": _("Enter your last name.")}
    )
    date_of_birth = birth_date_field(
        _("Date of birth"),
        help_text="",
        widget=DateInput,
        error_messages={
            "required": _("Enter your date of birth."),
            "invalid": _("Enter your date of birth as month, day and year."),
        },
    )
    ssn = forms.CharField(
        label=_("Social Security number"),
        required=False,
        max_length=11,
        help_text=_(
            "We ask so MNsure can confirm who you are and check your eligibility with federal records, "
            "and so an assister can find your account. It is stored encrypted and only its last four digits "
            "are ever shown. You may leave it blank."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        help_text=_("10 digits, like 651-555-0100."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    street = forms.CharField(
        label=_("Street address"),
        max_length=200,
        error_messages={"required": _("Enter your street address.")},
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        error_messages={"required": _("Enter your city.")},
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    zip_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        help_text=_("5 digits."),
        error_messages={"required": _("Enter your 5-digit ZIP code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=County.objects.all(),
        empty_label=_("- Select your county -"),
        error_messages={"required": _("Choose the county you live in.")},
    )
    preferred_language = LanguageChoiceField(
        label=_("Preferred language"),
        queryset=Language.objects.all(),
        empty_label=_("- Select a language -"),
        help_text=_("The language we and your assisters should use with you."),
        error_messages={"required": _("Choose the language you prefer.")},
    )

    def clean_ssn(self) -> str:
        ssn = _squeeze(self.cleaned_data["ssn"])
        if ssn:
            ssn_validator(ssn)
        return ssn

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone:
            phone_validator(phone)
        return phone

    def clean_zip_code(self) -> str:
        zip_code = _squeeze(self.cleaned_data["zip_code"])
        zip_validator(zip_code)
        return zip_code


class EmployerForm(forms.Form):
    """What a small employer adds (used only when the account is for a small employer)."""

    business_name = forms.CharField(
        label=_("Business name"), max_length=200, error_messages={"required": _("Enter the business name.")}
    )
    fein = forms.CharField(
        label=_("Federal Employer Identification Number (FEIN)"),
        max_length=12,
        help_text=_("Two digits, a hyphen and seven digits, like 41-1234567. It is stored encrypted."),
        error_messages={"required": _("Enter the business's FEIN.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    employee_count = forms.IntegerField(
        label=_("Number of employees"),
        min_value=1,
        max_value=50,
        help_text=_("Full-time-equivalent employees, 1 to 50: SHOP is for small employers."),
        error_messages={
            "min_value": _("Enter at least 1 employee."),
            "max_value": _("SHOP is for employers with 50 or fewer employees."),
            "invalid": _("Enter the number of employees as a whole number, like 12."),
            "required": _("Enter the number of employees."),
        },
    )

    def clean_fein(self) -> str:
        fein = _squeeze(self.cleaned_data["fein"])
        if re.fullmatch(r"\d{9}", fein):
            fein = f"{fein[:2]}-{fein[2:]}"
        fein_validator(fein)
        return fein


def normalize_assister_id(value: str) -> str:
    """What a person typed into the canonical form: upper case, no spaces or hyphens."""
    return re.sub(r"[\s-]+", "", value or "").upper()


class AssisterLookupForm(forms.Form):
    assister_id = forms.CharField(
        label=_("Assister ID"),
        max_length=40,
        help_text=_("9 letters and numbers. Your assister can tell you theirs; it is also in the directory."),
        error_messages={"required": _("Enter the assister's ID.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_assister_id(self) -> str:
        value = normalize_assister_id(self.cleaned_data["assister_id"])
        if len(value) != ASSISTER_ID_LENGTH or not value.isalnum() or not value.isascii():
            raise ValidationError(
                _("An assister ID has 9 letters and numbers, like AC3D4EF6H. Check it with your assister.")
            )
        return value


class PowersForm(forms.Form):
    """Which powers the client grants; seeing their information is always part of it."""

    powers = forms.MultipleChoiceField(
        choices=POWERS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose only from the list below.")},
    )

    def clean_powers(self) -> list[str]:
        chosen = set(self.cleaned_data["powers"]) | {ALWAYS_GRANTED}
        return [code for code in POWER_CODES if code in chosen]

    def power_choices(self) -> list[dict]:
        """What the template needs to draw each checkbox (the first one is always on and disabled)."""
        bound = self["powers"]
        selected = set(bound.value() or []) | {ALWAYS_GRANTED}
        return [
            {
                "code": code,
                "label": label,
                "id": f"{bound.auto_id}_{index}",
                "checked": code in selected,
                "always": code == ALWAYS_GRANTED,
            }
            for index, (code, label) in enumerate(POWERS)
        ]


class ConsentForm(PowersForm):
    agree = forms.BooleanField(
        label=_("I have read this and I agree."),
        error_messages={"required": _("Tick “I agree” to give your consent, or leave this page to not give it.")},
    )

    def __init__(self, *args, assister_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if assister_name:
            self.fields["agree"].label = _("I agree to have %(name)s help me as described above.") % {
                "name": assister_name
            }
