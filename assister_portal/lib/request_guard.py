"""Refuse, with the 400 page, requests that no page of the portal can read, before anything reads them.

Two kinds, both sent only by hand or by a tool, never by a browser using our pages:

- A body in a character set other than UTF-8 (`Content-Type: …; charset=utf-16`). Django refuses to
  parse such a form with `BadRequest`, but remembers nothing, so every later read of `request.POST`
  raises again: the CSRF check inside Django's own error pages did, and the 400 became a 500 with an
  empty body (on gunicorn too). A charset on a GET changes how Django decodes the query string, so it
  is refused on every request.
- A NUL byte (`%00`) in the query string, the form fields, a cookie or a header. PostgreSQL cannot
  store or compare text containing NUL, so such a value reaching a query was a `DataError` (a 500)
  wherever it went: admin list filters, the session cookie, a `next` field, a search. (A NUL in the
  path is left to the URL conf: a route's converter refuses it, or the view answers 404 for an id
  that cannot exist, as the directory does; core/tests/test_hostile_input.py checks every route.)

The middleware sits after LocaleMiddleware (so the page is in the visitor's language) and before
everything that reads the session, the user or the body (CommonMiddleware, CsrfViewMiddleware,
AuthenticationMiddleware). It renders the 400 page without the session or the user, so a poisoned
session cookie cannot break the page that refuses it.
"""

import logging

from django.conf import settings
from django.shortcuts import render

log = logging.getLogger(__name__)

NUL = "\x00"


def bad_request_page(request, *, status: int = 400):
    """The project's 400 page, rendered without reading the body, the session or the user."""
    return render(request, "400.html", status=status)


def _charset_problem(request) -> str | None:
    """Exactly Django's own test (HttpRequest._load_post_and_files): the charset it will decode with, if Python
    knows the codec, must be "utf-8" as spelled (so `charset="utf-8 "` is refused here, not in a view)."""
    encoding = request.encoding
    if encoding is not None and encoding.lower() != "utf-8":
        return f"unsupported charset {encoding[:40]!r}"
    return None


def _nul_problem(request) -> str | None:
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or NUL in query:
        return "NUL in the query string"
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            return f"NUL in the {name} header"
    for name, value in request.COOKIES.items():
        if NUL in name or NUL in value:
            return "NUL in a cookie"
    return None


def _form_problem(request) -> str | None:
    """NUL in the fields of a posted urlencoded form (bounded by DATA_UPLOAD_MAX_MEMORY_SIZE, and
    RequestDataTooBig is a 400 too).

    A multipart body is not parsed here: that would write an anonymous visitor's files to disk before the
    CSRF check refuses them. MultipartGuardMiddleware looks at it after the CSRF check instead."""
    if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
        return None
    body = request.body
    if b"%00" in body or NUL.encode() in body:
        return "NUL in the form"
    return None


def _multipart_problem(request) -> str | None:
    if request.method != "POST" or request.content_type != "multipart/form-data":
        return None
    for name, values in request.POST.lists():  # the parser refuses a malformed body with a 400
        if NUL in name or any(NUL in value for value in values):
            return "NUL in the form"
    return None


def _refuse(request, problem: str):
    log.warning("Bad request refused (%s): %s %r", problem, request.method[:10], request.path_info[:200])
    response = bad_request_page(request)
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS  # its middleware may come later in the list
    return response


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _charset_problem(request) or _nul_problem(request) or _form_problem(request)
        if problem is not None:
            return _refuse(request, problem)
        return self.get_response(request)


class MultipartGuardMiddleware:
    """A NUL in the fields of a multipart form, checked after CsrfViewMiddleware's check (it sits after it in
    MIDDLEWARE, and process_view hooks run in that order), so a forged post is refused before its files are
    parsed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        problem = _multipart_problem(request)
        return _refuse(request, problem) if problem is not None else None
