from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import translation
from django.utils.translation import gettext as _

from notices import kinds

register = template.Library()

# How a notice writes a date in full, by language: "December 7, 2026", "7 de diciembre de 2026".
LONG_DATE = {"es": r"j \d\e F \d\e Y"}
LONG_DATE_DEFAULT = "F j, Y"


@register.filter
def long_date(value) -> str:
    """A date written out in the active language's order (notices are read, not scanned)."""
    return date_filter(value, LONG_DATE.get(translation.get_language() or "", LONG_DATE_DEFAULT))


@register.simple_tag
def role_name(code: str) -> str:
    """An assister's role in words, lower case, to sit inside a sentence."""
    if code == "broker":
        return _("broker")
    if code == "navigator":
        return _("navigator")
    return _("certified application counselor")


@register.simple_tag
def notice_title(notice) -> str:
    """A notice's title in the page's language (kinds are registered by the apps that send them)."""
    return str(kinds.for_notice(notice.kind).title)
