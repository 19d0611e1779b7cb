"""Forms for the assister side of clients: the dashboard search, finding a client, consent given offline,
creating a client's account on their behalf, and the consumer claiming it."""

import re
import zoneinfo
from datetime import datetime

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assister_portal.lib.forms import birth_date_field, date_field
from assister_portal.lib.uploads import sanitize_upload
from associations.models import AssociationStatus, ConsentMethod
from associations.services import offline_consent_errors
from certification.models import AssisterKind, fein_validator

from .models import POWER_CODES, Client
from .selectors import POWER_ACTION_LABELS
from .services import CLIENT_FIELDS

CENTRAL = zoneinfo.ZoneInfo("America/Chicago")
ATTESTATION_CONSEQUENCES = gettext_lazy(
    "I understand that recording consent the client did not give is a false statement to MNsure: it can end "
    "my certification and my agency's, be reported to the Minnesota Department of Commerce, and bring civil "
    "money penalties under 45 CFR 155.285."
)
ATTESTATION_LABEL = gettext_lazy(
    "I confirm the client gave this consent on the date above, in the way I chose, for the powers listed, and "
    "that what I record here is true. I understand that recording consent the client did not give is a false "
    "statement to MNsure: it can end my certification and my agency's, be reported to the Minnesota Department "
    "of Commerce, and bring civil money penalties under 45 CFR 155.285."
)
last4_validator = RegexValidator(r"^\d{4}$", gettext_lazy("Enter exactly four digits, like 6789."))


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
    date_of_birth = birth_date_field(gettext_lazy("Date of birth"), required=False)
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


# --- Consent given on paper or by phone ----------------------------------------------


class OfflineConsentForm(forms.Form):
    """How the client gave consent outside the portal, the evidence, and the assister's attestation.

    The form reads the values; `association_record_offline_consent` decides whether they are enough (the
    evidence each method needs, the dates, the file through the upload pipeline), and its errors are shown on
    these fields by name.
    """

    field_order = [
        "method",
        "evidence",
        "call_reference",
        "call_time",
        "call_participants",
        "powers",
        "consent_date",
        "attestation",
    ]

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
        help_text=gettext_lazy(
            "A PDF, JPEG or PNG file of up to 10 MB, signed by the client. Needed for a signed form. "
            "Staff can see it; the client is told it was recorded."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    call_reference = forms.CharField(
        label=gettext_lazy("Call recording reference"),
        required=False,
        max_length=40,
        help_text=gettext_lazy(
            "Needed for a recorded call: the recording's reference in your phone system, 6 to 40 letters, digits "
            "and hyphens with at least 4 digits, like CALL-2026-0042."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    call_time = forms.TimeField(
        label=gettext_lazy("Time of the call"),
        required=False,
        input_formats=["%I:%M %p", "%I:%M%p", "%H:%M"],
        help_text=gettext_lazy("Needed for a recorded call. Central time, like 2:30 PM or 14:30."),
        error_messages={"invalid": gettext_lazy("Enter the time like 2:30 PM or 14:30.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    call_participants = forms.CharField(
        label=gettext_lazy("Who was on the call"),
        required=False,
        max_length=300,
        help_text=gettext_lazy(
            "Needed for a recorded call: the name of everyone on it and who they are, like "
            "“Ana García (client), Luis García (her son, interpreting), me”."
        ),
    )
    consent_date = date_field(
        gettext_lazy("Date the client gave consent"),
        help_text=gettext_lazy(
            "For example: 05/17/2026 or 2026-05-17. Within the last 60 days, and not in the future. "
            "For a call, the day of the call."
        ),
    )
    attestation = forms.BooleanField(
        label=ATTESTATION_LABEL,
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
        """Through the upload pipeline now, so a refused file is explained on this field."""
        upload = self.cleaned_data.get("evidence")
        return sanitize_upload(upload) if upload else None

    def clean(self):
        """Every rule the service applies, shown on the fields at once (the service checks them again)."""
        cleaned = super().clean()
        if "method" in self.errors or "attestation" in self.errors:
            return cleaned
        errors = offline_consent_errors(
            method=cleaned.get("method", ""),
            given_on=cleaned.get("consent_date"),
            attestation="-" if cleaned.get("attestation") else "",
            evidence=cleaned.get("evidence"),
            call_reference=cleaned.get("call_reference", ""),
            call_at=self.call_at(),
            call_participants=cleaned.get("call_participants", ""),
        )
        for field, message in errors.items():
            if field not in self.errors:  # a value that did not parse already says why
                self.add_error(field, message)
        return cleaned

    def call_at(self):
        """The call's date and time in Minnesota, or None when either is missing."""
        day, time = self.cleaned_data.get("consent_date"), self.cleaned_data.get("call_time")
        if day is None or time is None:
            return None
        return timezone.make_aware(datetime.combine(day, time), CENTRAL)

    def attestation_text(self, client_name: str) -> str:
        method = dict(self.fields["method"].choices)[self.cleaned_data["method"]]
        return (
            _(
                "I confirm that %(client)s gave this consent on %(date)s (%(method)s), for the powers listed, "
                "and that what I recorded is true."
            )
            % {
                "client": client_name,
                "date": date_format(self.cleaned_data["consent_date"], "DATE_FORMAT"),
                "method": str(method).lower(),
            }
            + " "
            + str(ATTESTATION_CONSEQUENCES)
        )

    def service_kwargs(self, client_name: str) -> dict:
        """What association_record_offline_consent (and the consent part of client_create_on_behalf) takes."""
        data = {
            "method": self.cleaned_data["method"],
            "given_on": self.cleaned_data["consent_date"],
            "attestation": self.attestation_text(client_name),
            "evidence": self.cleaned_data.get("evidence"),
            "call_reference": self.cleaned_data.get("call_reference", ""),
            "call_at": self.call_at(),
            "call_participants": self.cleaned_data.get("call_participants", ""),
        }
        if "powers" in self.fields:
            data["powers"] = ["view_client", *self.cleaned_data.get("powers", [])]
        return data


# --- Creating a client's account on their behalf -----------------------------------


class ClientDetailsForm(forms.ModelForm):
    date_of_birth = birth_date_field(gettext_lazy("Date of birth"))

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
