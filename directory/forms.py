"""The directory search form: every filter lives in the URL, so a result page can be bookmarked."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assister_portal.lib import widgets
from core import geo

from . import selectors
from .selectors import KIND_LABELS, Criteria

SERVICE_CHOICES = [
    ("individual", _("Individual and family plans")),
    ("shop", _("Small employers (SHOP)")),
    ("public_programs", _("Medical Assistance and MinnesotaCare")),
]
ACCESS_CHOICES = [
    ("wheelchair", _("Wheelchair accessible")),
    ("interpreters", _("Interpreters available")),
    ("asl", _("American Sign Language")),
]
HOURS_CHOICES = [("evenings", _("Open evenings")), ("weekends", _("Open weekends"))]


def language_label(language) -> str:
    """A language in its own name first, so a speaker recognizes it, then in English."""
    if language.autonym == language.english_name:
        return language.english_name
    return f"{language.autonym} — {language.english_name}"


class SearchForm(forms.Form):
    place = forms.CharField(
        label=_("ZIP code or city"),
        required=False,
        max_length=60,
        help_text=_("A Minnesota ZIP code, like 55101, or a city, like Duluth."),
    )
    radius = forms.TypedChoiceField(
        label=_("Distance"),
        widget=widgets.Select,
        coerce=int,
        required=False,
        initial=selectors.DEFAULT_RADIUS,
        empty_value=selectors.DEFAULT_RADIUS,
        error_messages={"invalid_choice": _("Choose a distance of 5, 10, 25, 50 or 100 miles.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of help"),
        widget=widgets.Select,
        required=False,
        choices=[("", _("Any kind")), *KIND_LABELS.items()],
        error_messages={"invalid_choice": _("Choose a kind of help from the list.")},
    )
    language = forms.ChoiceField(
        label=_("Language spoken"),
        widget=widgets.Select,
        required=False,
        error_messages={
            "invalid_choice": _("We list no language with the code “%(value)s”. Choose one from the list.")
        },
    )
    county = forms.ChoiceField(
        label=_("County served"),
        widget=widgets.Select,
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a Minnesota county. Choose one from the list.")},
    )
    services = forms.MultipleChoiceField(
        label=_("Services"),
        required=False,
        choices=SERVICE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose help from the list.")},
    )
    access = forms.MultipleChoiceField(
        label=_("Accessibility"),
        required=False,
        choices=ACCESS_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose accessibility needs from the list.")},
    )
    hours = forms.MultipleChoiceField(
        label=_("Hours"),
        required=False,
        choices=HOURS_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose hours from the list.")},
    )
    accepting = forms.BooleanField(label=_("Accepting new clients"), required=False)
    name = forms.CharField(
        label=_("Name of a person or agency"),
        required=False,
        max_length=100,
        help_text=_("Part of a name is enough."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("radius"):
            # A link without a distance (a bookmark, a county on the map) searches, and shows, the default.
            self.data = self.data.copy()
            self.data["radius"] = str(selectors.DEFAULT_RADIUS)
        self.suggestions: list[str] = []
        self.fields["radius"].choices = [(r, gettext("Within %(miles)s miles") % {"miles": r}) for r in selectors.RADII]
        self.fields["language"].choices = [("", _("Any language"))] + [
            (language.code, language_label(language)) for language in selectors.languages()
        ]
        self.fields["county"].choices = [("", _("Any county"))] + [
            (county.fips, county.name) for county in selectors.counties()
        ]

    def clean_place(self):
        text = self.cleaned_data["place"].strip()
        if not text:
            return None
        try:
            return geo.find_place(text)
        except geo.PlaceError as error:
            self.suggestions = error.suggestions
            raise forms.ValidationError(str(error)) from None

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def criteria(self) -> Criteria:
        data = self.cleaned_data
        return Criteria(
            place=data["place"],
            radius=data["radius"],
            kind=data["kind"],
            language=data["language"],
            county=data["county"],
            services=tuple(data["services"]),
            access=tuple(data["access"]),
            hours=tuple(data["hours"]),
            accepting=data["accepting"],
            name=data["name"],
        )

    @property
    def searched(self) -> bool:
        """Whether the visitor asked for anything but a distance (else the page shows the form and the map)."""
        return any(self.data.get(name) for name in self.fields if name != "radius")
