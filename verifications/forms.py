"""The upload form (by the household or on its behalf) and staff's decision form."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assister_portal.lib.forms import date_field, validate_typed_text
from assister_portal.lib.uploads import sanitize_upload

from .documents import RejectReason, accepted_documents
from .services import MAX_FILES

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each goes through the upload pipeline, and a refused one is named in the error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        files = [f for f in files if f]
        if not files:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES:
            raise ValidationError(
                ngettext("Choose at most %(count)s file.", "Choose at most %(count)s files.", MAX_FILES)
                % {"count": MAX_FILES},
                code="too_many",
            )
        sanitized, errors = [], []
        for upload in files:
            try:  # Django's own checks (a name, not empty) and the pipeline's, each named by its file
                sanitized.append(sanitize_upload(super().clean(upload, initial)))
            except ValidationError as exc:
                name = getattr(upload, "name", "") or _("a file")
                errors += [f"{name}: {message}" for message in exc.messages]
        if errors:
            raise ValidationError(errors)
        return sanitized


class UploadForm(forms.Form):
    document_type = forms.ChoiceField(
        label=_("Which document is it?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose which document you are sending."),
            "invalid_choice": _("Choose one of the documents listed for this request."),
        },
    )
    files = MultipleFileField(
        label=_("Files"),
        error_messages={"required": _("Choose the file or files to send.")},
    )

    def __init__(self, *args, verification, on_behalf: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].choices = [(d.value, d.label) for d in accepted_documents(verification.type)]
        self.fields["files"].help_text = _(
            "PDF, JPEG or PNG, up to %(size)s MB each and up to %(count)s files at a time: for example a photo of each "
            "page, or four weeks of pay stubs. Photos are cleaned of hidden information (like location) before anyone "
            "sees them."
        ) % {"size": round(settings.UPLOAD_MAX_BYTES / (1024 * 1024), 1), "count": MAX_FILES}
        if on_behalf:
            self.fields["confirm"] = forms.BooleanField(
                label=_("The client gave me this document to send to MNsure for them."),
                error_messages={"required": _("Tick the box to confirm the client gave you this document to send.")},
            )


class DecisionForm(forms.Form):
    # The documents the page showed (their ids): one that arrived meanwhile refuses the decision (the service checks).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    action = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("accept", _("Accept: the documents prove it")),
            ("reject", _("Do not accept (the household reads the reason and may send another)")),
        ],
        error_messages={"required": _("Choose accept or do not accept.")},
    )
    reason = forms.ChoiceField(
        label=_("Why not accepted"),
        required=False,
        choices=[("", "—"), *RejectReason.choices],
    )
    note = forms.CharField(
        label=_("Note to the household"),
        required=False,
        max_length=500,
        validators=[validate_typed_text],
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Required for “another reason”. The household and the uploader read it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "reject":
            if not data.get("reason"):
                self.add_error("reason", _("Choose why the document is not accepted."))
            elif data["reason"] == RejectReason.OTHER and not (data.get("note") or "").strip():
                self.add_error("note", _("Say what is wrong: the household reads it."))
        return data

    def seen_ids(self) -> set[str]:
        return {part for part in (self.cleaned_data.get("seen") or "").split(",") if part}


class ExtendForm(forms.Form):
    due_date = date_field(_("New due date"), help_text=_("For example: 05/17/2027."))
    reason = forms.CharField(
        label=_("Why (good-faith extension)"),
        max_length=500,
        validators=[validate_typed_text],
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={"required": _("Say why the due date is extended.")},
    )
