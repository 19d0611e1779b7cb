from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import NewPasswordForm
from accounts.models import User
from assister_portal.lib.forms import (
    DateInput,
    birth_date_field,
    expiry_date_field,
    past_date_field,
    validate_typed_text,
)
from core.geo import locate_zip
from core.models import County, Language

from .models import ASSISTER_KIND_FOR_AGENCY, Agency, Assister, AssisterKind, Certification, MembershipRole

AGENCY_REGISTRATION_FIELDS = [
    "kind",
    "legal_name",
    "public_name",
    "fein",
    "agency_npn",
    "contract_number",
    "street",
    "city",
    "state",
    "zip_code",
    "phone",
    "public_email",
    "website",
]
DIRECTORY_FIELDS = [
    "public_phone",
    "public_email",
    "website",
    "languages",
    "counties",
    "serves_individual_market",
    "serves_shop",
    "serves_public_programs",
    "hours",
    "open_evenings",
    "open_weekends",
    "appointment_required",
    "wheelchair_accessible",
    "interpreters_available",
    "asl_available",
    "accepting_new_clients",
    "directory_opt_in",
]


def website_field():
    return forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", help_text=_("For example: www.example.org")
    )


class AgencyRegistrationForm(forms.ModelForm):
    """The agency's details (kind-specific numbers are checked by the service)."""

    website = website_field()

    class Meta:
        model = Agency
        fields = AGENCY_REGISTRATION_FIELDS
        widgets = {"kind": forms.RadioSelect}
        help_texts = {
            "fein": _("Federal Employer Identification Number, like 41-1234567."),
            "agency_npn": _("Broker agencies only: the agency's National Producer Number (up to 10 digits)."),
            "contract_number": _("Navigator and counselor organizations only: your MNsure contract or grant number."),
            "state": _("Minnesota, or a neighboring state for offices on the border."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["public_email"].required = True
        self.fields["fein"].widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        # Radio buttons need no "---------" choice: none is ticked until the person picks one.
        self.fields["kind"].choices = [choice for choice in self.fields["kind"].choices if choice[0]]
        self.fields["kind"].error_messages["required"] = _("Choose the kind of agency.")


class AgencyAdminAccountForm(forms.Form):
    admin_first_name = forms.CharField(label=_("Your first name"), max_length=150)
    admin_last_name = forms.CharField(label=_("Your last name"), max_length=150)
    admin_email = forms.EmailField(
        label=_("Your work email"), help_text=_("You will sign in with this address. We send a code to confirm it.")
    )
    admin_password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A passphrase of several words is easy to remember and hard to guess."),
    )

    def clean_admin_email(self):
        # Whether the address has an account is not checked here: the answer would tell anyone who asks
        # (services.agency_register answers the same either way and writes to the owner instead).
        return self.cleaned_data["admin_email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("admin_password")
        if password:
            probe = User(email=cleaned.get("admin_email") or "", first_name=cleaned.get("admin_first_name", ""))
            try:
                password_validation.validate_password(password, probe)
            except ValidationError as exc:
                self.add_error("admin_password", exc)
        return cleaned


class DirectoryProfileForm(forms.ModelForm):
    website = website_field()
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Languages spoken"),
    )
    counties = forms.ModelMultipleChoiceField(
        queryset=County.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        label=_("Counties served"),
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose more than one."),
    )

    class Meta:
        model = Assister
        fields = [*DIRECTORY_FIELDS, "office_street", "office_city", "office_zip"]
        help_texts = {
            "office_street": _("Only if consumers meet you somewhere other than your agency's address."),
            "office_zip": _("The directory places you on the map by this ZIP code. It must be in Minnesota."),
        }

    def clean_office_zip(self):
        office_zip = self.cleaned_data["office_zip"]
        if office_zip and locate_zip(office_zip) is None:
            raise forms.ValidationError(
                _("%(zip)s is not a Minnesota ZIP code we know. The directory lists offices in Minnesota only."),
                params={"zip": office_zip},
            )
        return office_zip


class AgencyProfileForm(DirectoryProfileForm):
    class Meta(DirectoryProfileForm.Meta):
        model = Agency
        fields = DIRECTORY_FIELDS


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(MembershipRole.ASSISTER, _("Assister")), (MembershipRole.SUPPORT, _("Support staff"))],
        widget=forms.RadioSelect,
        initial=MembershipRole.ASSISTER,
    )
    assister_kind = forms.ChoiceField(label=_("Kind of assister"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ASSISTER_KIND_FOR_AGENCY[agency.kind]
        self.fields["assister_kind"].choices = [(k, AssisterKind(k).label) for k in allowed]
        self.fields["assister_kind"].initial = allowed[0]
        self.fields["assister_kind"].help_text = _(
            "For assisters only. Support staff may view clients and report changes."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == MembershipRole.ASSISTER and not cleaned.get("assister_kind"):
            self.add_error("assister_kind", _("Choose the kind of assister you are inviting."))
        return cleaned


class InvitationAcceptForm(NewPasswordForm):
    first_name = forms.CharField(label=_("Legal first name"), max_length=100)
    last_name = forms.CharField(label=_("Legal last name"), max_length=100)

    field_order = ["first_name", "last_name", "password"]


class ApplicationForm(forms.Form):
    """The certification application; fields depend on the assister's kind."""

    legal_first_name = forms.CharField(label=_("Legal first name"), max_length=100)
    legal_last_name = forms.CharField(label=_("Legal last name"), max_length=100)
    date_of_birth = birth_date_field(_("Date of birth"), help_text="", widget=DateInput)
    training_completed_on = past_date_field(_("Training completed on"), help_text="", widget=DateInput)
    training_certificate_number = forms.CharField(label=_("Course certificate number"), max_length=40)

    BROKER_FIELDS = ["npn", "license_number", "license_expires_on", "eo_carrier", "eo_policy_number", "eo_expires_on"]
    COI_FIELDS = [
        "coi_other_insurance_lines",
        "coi_insurer_employment",
        "coi_spouse_insurer_employment",
        "coi_financial_ties",
    ]

    def __init__(self, *args, assister: Assister, certification: Certification, **kwargs):
        initial = {
            "legal_first_name": assister.legal_first_name,
            "legal_last_name": assister.legal_last_name,
            "date_of_birth": assister.date_of_birth,
            "npn": assister.npn,
            **{name: getattr(certification, name) for name in self.certification_field_names(assister.kind)},
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.assister = assister
        if assister.kind == AssisterKind.BROKER:
            self.fields["npn"] = forms.RegexField(
                regex=r"^\d{1,10}$",
                label=_("National Producer Number (NPN)"),
                help_text=_("1 to 10 digits."),
                error_messages={"invalid": _("Enter the NPN as 1 to 10 digits, with no spaces or letters.")},
            )
            self.fields["license_number"] = forms.CharField(
                label=_("Minnesota insurance license number"), max_length=20
            )
            self.fields["license_expires_on"] = expiry_date_field(
                _("License expiry date"),
                widget=DateInput,
                help_text=_("Your license must be valid through the whole certification period."),
            )
            self.fields["eo_carrier"] = forms.CharField(
                label=_("Errors-and-omissions insurance carrier"), max_length=200
            )
            self.fields["eo_policy_number"] = forms.CharField(
                label=_("Errors-and-omissions policy number"), max_length=60
            )
            self.fields["eo_expires_on"] = expiry_date_field(
                _("Errors-and-omissions coverage expiry date"), help_text="", widget=DateInput
            )
        else:
            hint = _("Describe it, or leave blank if none.")
            labels = {
                "coi_other_insurance_lines": _("Other lines of insurance you sell"),
                "coi_insurer_employment": _("Your employment with a health insurer, now or in the past five years"),
                "coi_spouse_insurer_employment": _("A spouse or domestic partner employed by a health insurer"),
                "coi_financial_ties": _("Any other financial tie to a health insurer (payments, ownership, gifts)"),
            }
            for name, label in labels.items():
                self.fields[name] = forms.CharField(
                    label=label, required=False, help_text=hint, widget=forms.Textarea(attrs={"rows": 2})
                )

    @classmethod
    def certification_field_names(cls, kind: str) -> list[str]:
        names = ["training_completed_on", "training_certificate_number"]
        if kind == AssisterKind.BROKER:
            return names + [n for n in cls.BROKER_FIELDS if n != "npn"]
        return names + cls.COI_FIELDS

    def split(self) -> tuple[dict, dict]:
        """(assister fields, certification fields) from the cleaned data."""
        data = self.cleaned_data
        assister_fields = {name: data[name] for name in ("legal_first_name", "legal_last_name", "date_of_birth")}
        if self.assister.kind == AssisterKind.BROKER:
            assister_fields["npn"] = data["npn"]
        cert_fields = {name: data[name] for name in self.certification_field_names(self.assister.kind)}
        return assister_fields, cert_fields


class AgreementForm(forms.Form):
    """The e-signature. Blank: not signed this time (the application is saved unsigned); typed: checked."""

    typed_name = forms.CharField(
        label=_("Type your full legal name to sign"),
        required=False,
        max_length=200,
        validators=[validate_typed_text],
        error_messages={"max_length": _("Type your full legal name only: at most 200 characters.")},
        help_text=_("Typing your name here is your electronic signature."),
    )
