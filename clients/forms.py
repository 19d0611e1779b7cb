"""Forms for the assister side of clients: the dashboard search, finding a client, consent given offline,
creating a client's account on their behalf, and the consumer claiming it."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from associations.models import AssociationStatus, ConsentMethod
from certification.models import AssisterKind, fein_validator

from .models import POWER_CODES, Client
from .selectors import POWER_ACTION_LABELS
from .services import CLIENT_FIELDS

DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]
DATE_HINT = gettext_lazy("For example: 05/17/1980 or 1980-05-17.")
DATE_ERROR = gettext_lazy("Enter the date like 05/17/1980 (month, day, year) or 1980-05-17.")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# What an allowed file starts with, whatever its name says.
EVIDENCE_SIGNATURES = [
    (b"%PDF-", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
]
last4_validator = RegexValidator(r"^\d{4}$", gettext_lazy("Enter exactly four digits, like 6789."))


def date_field(label, *, required=True, help_text=DATE_HINT):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        error_messages={"invalid": DATE_ERROR, "required": gettext_lazy("Enter the date.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class FallbackChoiceField(forms.ChoiceField):
    """A choice from the URL: anything not on the list quietly means the default, never an error."""

    def __init__(self, *, fallback, **kwargs):
        self.fallback = fallback
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        value = self.to_python(value)
        return value if value and self.valid_value(value) else self.fallback


# --- The dashboard search ---------------------------------------------------------


class BookSearchForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("The start of the first or last name, or both, like “ana gar”."),
    )
    date_of_birth = date_field(gettext_lazy("Date of birth"), required=False)
    client_id = forms.CharField(
        label=gettext_lazy("Client ID"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("The 8 letters and numbers in the list, like 3F2A9C1B."),
    )
    kind = FallbackChoiceField(
        label=gettext_lazy("Kind of assister"),
        fallback="",
        choices=[("", gettext_lazy("Any kind")), *AssisterKind.choices],
    )
    status = FallbackChoiceField(
        label=gettext_lazy("Status"),
        fallback=AssociationStatus.ACTIVE,
        choices=[
            (AssociationStatus.ACTIVE, gettext_lazy("Active")),
            (AssociationStatus.SUSPENDED, gettext_lazy("Suspended (the assister cannot act for now)")),
        ],
    )
    sort = FallbackChoiceField(
        label=gettext_lazy("Sort by"),
        fallback="name",
        choices=[
            ("name", gettext_lazy("Name, A to Z")),
            ("-name", gettext_lazy("Name, Z to A")),
            ("-since", gettext_lazy("Newest clients first")),
            ("since", gettext_lazy("Oldest clients first")),
            ("county", gettext_lazy("County, A to Z")),
            ("-county", gettext_lazy("County, Z to A")),
        ],
    )

    def __init__(self, *args, agency_staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not agency_staff:
            del self.fields["status"]

    def clean_client_id(self):
        value = re.sub(r"[\s-]", "", self.cleaned_data["client_id"]).lower()
        if value and not re.fullmatch(r"[0-9a-f]{1,32}", value):
            raise ValidationError(_("Enter the client ID as it is shown in the list: 8 letters and numbers."))
        return value


# --- Finding a client to ask to help -------------------------------------------------


class FindClientForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("Client's first name"), max_length=100)
    last_name = forms.CharField(label=gettext_lazy("Client's last name"), max_length=100)
    date_of_birth = date_field(gettext_lazy("Client's date of birth"))
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


# --- Consent given on paper or by phone ----------------------------------------------


def sniff_evidence(upload) -> str:
    """The extension that matches the file's content, or a ValidationError in plain words."""
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than 10 MB. Scan it at a lower resolution, or save it as a smaller PDF.")
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty. Choose the scanned or photographed consent form."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, extension in EVIDENCE_SIGNATURES:
        if head.startswith(signature):
            return extension
    raise ValidationError(
        _("The file must be a PDF, JPEG or PNG. This file is not one of those, whatever its name says.")
    )


class OfflineConsentForm(forms.Form):
    """How the client gave consent outside the portal, the evidence, and the assister's attestation."""

    field_order = ["method", "evidence", "call_reference", "powers", "consent_date", "attestation"]

    method = forms.ChoiceField(
        label=gettext_lazy("How did the client give consent?"),
        choices=[
            (ConsentMethod.PAPER_FORM, gettext_lazy("The client signed the paper consent form (upload it below)")),
            (ConsentMethod.RECORDED_CALL, gettext_lazy("The client agreed in a recorded telephone call")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose how the client gave consent.")},
    )
    evidence = forms.FileField(
        label=gettext_lazy("Signed consent form"),
        required=False,
        help_text=gettext_lazy("A PDF, JPEG or PNG file of up to 10 MB. Needed for a signed form."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    call_reference = forms.CharField(
        label=gettext_lazy("Call recording reference"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("The reference of the recorded call in your phone system. Needed for a recorded call."),
    )
    consent_date = date_field(
        gettext_lazy("Date the client gave consent"),
        help_text=gettext_lazy("For example: 05/17/2026 or 2026-05-17. It cannot be in the future."),
    )
    attestation = forms.BooleanField(
        label=gettext_lazy(
            "I confirm the client gave this consent on the date above, in the way I chose, "
            "for the powers listed, and that what I record here is true."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm that the client gave this consent.")},
    )
    powers = forms.MultipleChoiceField(
        label=gettext_lazy("What the client allows you to do"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(code, POWER_ACTION_LABELS[code]) for code in POWER_CODES if code != "view_client"],
        help_text=gettext_lazy("Seeing the client's information is always included."),
    )

    def __init__(self, *args, with_powers: bool = False, default_powers=(), **kwargs):
        super().__init__(*args, **kwargs)
        if with_powers:
            self.fields["powers"].initial = [code for code in default_powers if code != "view_client"]
        else:
            del self.fields["powers"]
        self.fields["consent_date"].initial = timezone.localdate

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        extension = sniff_evidence(upload)
        upload.name = f"consent{extension}"  # never trust the name the browser sent
        return upload

    def clean_consent_date(self):
        day = self.cleaned_data["consent_date"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method == ConsentMethod.PAPER_FORM and not cleaned.get("evidence") and "evidence" not in self.errors:
            self.add_error("evidence", _("Upload the signed consent form (PDF, JPEG or PNG)."))
        if method == ConsentMethod.RECORDED_CALL and not cleaned.get("call_reference", "").strip():
            self.add_error("call_reference", _("Give the reference of the recorded call."))
        return cleaned

    def attestation_text(self, client_name: str) -> str:
        method = dict(self.fields["method"].choices)[self.cleaned_data["method"]]
        return _(
            "I confirm that %(client)s gave this consent on %(date)s (%(method)s), for the powers listed, "
            "and that what I recorded is true."
        ) % {
            "client": client_name,
            "date": date_format(self.cleaned_data["consent_date"], "DATE_FORMAT"),
            "method": str(method).lower(),
        }

    def service_kwargs(self, client_name: str) -> dict:
        """What association_record_offline_consent (and the consent part of client_create_on_behalf) takes."""
        data = {
            "method": self.cleaned_data["method"],
            "attestation": self.attestation_text(client_name),
            "evidence": self.cleaned_data.get("evidence"),
            "call_reference": self.cleaned_data.get("call_reference", ""),
        }
        if "powers" in self.fields:
            data["powers"] = ["view_client", *self.cleaned_data.get("powers", [])]
        return data


# --- Creating a client's account on their behalf -----------------------------------


class ClientDetailsForm(forms.ModelForm):
    date_of_birth = date_field(gettext_lazy("Date of birth"))

    class Meta:
        model = Client
        fields = CLIENT_FIELDS
        widgets = {"kind": forms.RadioSelect}
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

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise ValidationError(_("The date of birth cannot be in the future."))
        if born.year < 1900:
            raise ValidationError(_("Check the year of birth: it is before 1900."))
        return born

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields} | {
            "ssn": self.cleaned_data.get("ssn") or "",
        }


class EmployerDetailsForm(forms.Form):
    business_name = forms.CharField(label=gettext_lazy("Business name"), max_length=200)
    fein = forms.CharField(
        label=gettext_lazy("Federal Employer Identification Number (FEIN)"),
        max_length=10,
        validators=[fein_validator],
        help_text=gettext_lazy("Two digits, a hyphen and seven digits, like 41-1234567."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    employee_count = forms.IntegerField(
        label=gettext_lazy("Number of employees"),
        min_value=1,
        max_value=50,
        help_text=gettext_lazy("Full-time equivalent employees, from 1 to 50."),
        error_messages={
            "min_value": gettext_lazy("A small employer has from 1 to 50 employees."),
            "max_value": gettext_lazy("A small employer has from 1 to 50 employees. Larger employers cannot use SHOP."),
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


# --- The consumer claims the account --------------------------------------------------


class ClaimForm(forms.Form):
    date_of_birth = date_field(gettext_lazy("Your date of birth"))
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
