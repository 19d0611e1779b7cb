from django import forms
from django.utils.translation import gettext_lazy as _

from . import kinds, selectors
from .services import MAX_REMINDERS


class WorklistFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("Everything")), *kinds.CHOICES],
        error_messages={"invalid_choice": _("Choose what to show from the list.")},
    )
    severity = forms.TypedChoiceField(
        label=_("How urgent"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
        error_messages={"invalid_choice": _("Choose how urgent from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [("", _("Any")), *selectors.severity_labels().items()]

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data
        return selectors.Filters(kinds=(data["kind"],) if data.get("kind") else (), severity=data.get("severity"))


class RemindForm(forms.Form):
    item = forms.MultipleChoiceField(
        required=True,
        error_messages={"required": _("Tick at least one item to send a reminder about.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The items are checked against the book by the service (worklist.services.followups_remind), not here.
        self.fields["item"].valid_value = lambda value: isinstance(value, str) and 0 < len(value) <= 120

    def clean_item(self):
        items = self.cleaned_data["item"]
        if len(items) > MAX_REMINDERS:
            raise forms.ValidationError(
                _("Tick at most %(max)s items at a time.") % {"max": MAX_REMINDERS}, code="too_many"
            )
        return items
