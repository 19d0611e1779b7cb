"""The language of a person's notices and emails: the form field, and the page's language as a default."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.forms import LanguageChoiceField
from core.models import Language


def language_of_this_page() -> Language | None:
    """The portal language active now (the page's, from the request), as a Language row."""
    return Language.objects.filter(code=translation.get_language() or settings.LANGUAGE_CODE).first()


LANGUAGE_HELP = _(
    "MNsure's notices and emails to you are written in English or Spanish. If you choose another "
    "language, they come in English with a Spanish copy, and every notice says how to get it "
    "translated for free."
)


def preferred_language_field(*, required: bool) -> LanguageChoiceField:
    return LanguageChoiceField(
        label=_("Language for your notices and emails"),
        queryset=Language.objects.all(),
        required=required,
        help_text=LANGUAGE_HELP,
    )
