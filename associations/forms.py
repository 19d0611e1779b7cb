"""Forms of the consumer's pages (who they are, which assister, and what that assister may do) and of the
assister's (the dashboard search, consent given on paper or by phone)."""

import re
import zoneinfo
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.forms import birth_date_field, date_field
from assister_portal.lib.uploads import sanitize_upload
from certification.models import AssisterKind
from clients.forms import EmployerDetailsForm
from clients.models import POWERS
from clients.powers import ALWAYS_GRANTED, POWER_CODES
from clients.selectors import POWER_ACTION_LABELS

from .models import AssociationStatus, ConsentMethod
from .services import offline_consent_errors

ASSISTER_ID_LENGTH = 9


class EmployerForm(EmployerDetailsForm):
    """What a small employer adds (used only when the account is for a small employer): all of it required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, required=True, **kwargs)


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
        chosen = set(self.cleaned_data["powers"]) | ALWAYS_GRANTED
        return [code for code in POWER_CODES if code in chosen]

    def power_choices(self) -> list[dict]:
        """What the template needs to draw each checkbox (the first one is always on and disabled)."""
        bound = self["powers"]
        selected = set(bound.value() or []) | ALWAYS_GRANTED
        return [
            {
                "code": code,
                "label": label,
                "id": f"{bound.auto_id}_{index}",
                "checked": code in selected,
                "always": code in ALWAYS_GRANTED,
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


# --- The assister's pages ------------------------------------------------------------

CENTRAL = zoneinfo.ZoneInfo("America/Chicago")
ATTESTATION_CONSEQUENCES = _(
    "I understand that recording consent the client did not give is a false statement to MNsure: it can end "
    "my certification and my agency's, be reported to the Minnesota Department of Commerce, and bring civil "
    "money penalties under 45 CFR 155.285."
)
ATTESTATION_LABEL = _(
    "I confirm the client gave this consent on the date above, in the way I chose, for the powers listed, and "
    "that what I record here is true. I understand that recording consent the client did not give is a false "
    "statement to MNsure: it can end my certification and my agency's, be reported to the Minnesota Department "
    "of Commerce, and bring civil money penalties under 45 CFR 155.285."
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
        label=_("Name"),
        required=False,
        max_length=100,
        help_text=_("The start of the first or last name, or both, like “ana gar”."),
    )
    date_of_birth = birth_date_field(_("Date of birth"), required=False)
    client_id = forms.CharField(
        label=_("Client ID"),
        required=False,
        max_length=40,
        help_text=_("The 8 letters and numbers in the list, like 3F2A9C1B."),
    )
    kind = FallbackChoiceField(
        label=_("Kind of assister"),
        fallback="",
        choices=[("", _("Any kind")), *AssisterKind.choices],
    )
    status = FallbackChoiceField(
        label=_("Status"),
        fallback=AssociationStatus.ACTIVE,
        choices=[
            (AssociationStatus.ACTIVE, _("Active")),
            (AssociationStatus.SUSPENDED, _("Suspended (the assister cannot act for now)")),
        ],
    )
    sort = FallbackChoiceField(
        label=_("Sort by"),
        fallback="name",
        choices=[
            ("name", _("Name, A to Z")),
            ("-name", _("Name, Z to A")),
            ("-since", _("Newest clients first")),
            ("since", _("Oldest clients first")),
            ("county", _("County, A to Z")),
            ("-county", _("County, Z to A")),
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
        label=_("How did the client give consent?"),
        choices=[
            (ConsentMethod.PAPER_FORM, _("The client signed the paper consent form (upload it below)")),
            (ConsentMethod.RECORDED_CALL, _("The client agreed in a recorded telephone call")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the client gave consent.")},
    )
    evidence = forms.FileField(
        label=_("Signed consent form"),
        required=False,
        help_text=_(
            "A PDF, JPEG or PNG file of up to 10 MB, signed by the client. Needed for a signed form. "
            "Staff can see it; the client is told it was recorded."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    call_reference = forms.CharField(
        label=_("Call recording reference"),
        required=False,
        max_length=40,
        help_text=_(
            "Needed for a recorded call: the recording's reference in your phone system, 6 to 40 letters, digits "
            "and hyphens with at least 4 digits, like CALL-2026-0042."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    call_time = forms.TimeField(
        label=_("Time of the call"),
        required=False,
        input_formats=["%I:%M %p", "%I:%M%p", "%H:%M"],
        help_text=_("Needed for a recorded call. Central time, like 2:30 PM or 14:30."),
        error_messages={"invalid": _("Enter the time like 2:30 PM or 14:30.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    call_participants = forms.CharField(
        label=_("Who was on the call"),
        required=False,
        max_length=300,
        help_text=_(
            "Needed for a recorded call: the name of everyone on it and who they are, like "
            "“Ana García (client), Luis García (her son, interpreting), me”."
        ),
    )
    consent_date = date_field(
        _("Date the client gave consent"),
        help_text=_(
            "For example: 05/17/2026 or 2026-05-17. Within the last 60 days, and not in the future. "
            "For a call, the day of the call."
        ),
    )
    attestation = forms.BooleanField(
        label=ATTESTATION_LABEL,
        error_messages={"required": _("Tick the box to confirm that the client gave this consent.")},
    )
    powers = forms.MultipleChoiceField(
        label=_("What the client allows you to do"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(code, POWER_ACTION_LABELS[code]) for code in POWER_CODES if code not in ALWAYS_GRANTED],
        help_text=_("Seeing the client's information is always included."),
    )

    def __init__(self, *args, with_powers: bool = False, default_powers=(), **kwargs):
        super().__init__(*args, **kwargs)
        if with_powers:
            self.fields["powers"].initial = [code for code in default_powers if code not in ALWAYS_GRANTED]
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
            data["powers"] = [*ALWAYS_GRANTED, *self.cleaned_data.get("powers", [])]
        return data
