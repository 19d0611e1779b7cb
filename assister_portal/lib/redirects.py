"""Where to send a person after a form: the `next` page they came from, if we can trust it.

A `next` value comes from the request, so anyone can put anything in it. `safe_next` keeps it only if
it is a path on this site, like "/my/assisters/?page=2"; everything else (another site, a word like
"home", a NUL byte, a line break) is dropped and the caller's own page is used instead. The value is
always used as a URL as it is: it is never looked up as a view name, as Django's `redirect("home")`
would, so a word cannot turn into a server error or into a page we did not mean.
"""

import unicodedata
from urllib.parse import urlsplit

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_MAX_LENGTH = 2000


def safe_next(value: object) -> str | None:
    """`value` if it is a relative path on this site, else None."""
    if not isinstance(value, str) or not value or len(value) > NEXT_MAX_LENGTH:
        return None
    if not value.startswith("/") or value.startswith("//"):
        return None  # "home", "https://…", and "//other.site/" (a link to another host)
    if "\\" in value or any(unicodedata.category(char) == "Cc" for char in value):
        return None  # browsers read "/\other.site" as "//other.site"; NUL, tabs, line breaks have no place here
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return None
    return value


def redirect_to_next(value: object, *, default: str) -> HttpResponseRedirect:
    """A redirect to `value` if it is safe (see `safe_next`), else to `default`, a URL (never a view name)."""
    return HttpResponseRedirect(safe_next(value) or default)
