"""Hostile input is a 400 or a form error, never a server error, and changes nothing (issue 9, item 5).

Written as the requests an outsider sends, and walking what it can walk, so a page, a `next` or an
admin filter added tomorrow is covered the day it is added:

- `next` values that are not paths on this site, on every view that reads `next`;
- request bodies in another charset, on every route of the URL conf, with the CSRF check on (as in
  production), and NUL bytes in the path, the query string, the form, a cookie and a header;
- every admin changelist (`admin.site._registry`) with each of its filters and its date hierarchy
  given a NUL byte or a number that overflows, signed in as exchange staff.

The four causes the security tester found each have their own test below, named after it.
"""

import pytest
from django.contrib import admin
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assister_portal.lib.redirects import safe_next
from associations.tests.factories import profile_form
from audit.models import AuditEvent
from certification.models import AssisterKind
from certification.tests.factories import make_assister
from clients.models import Client
from conftest import sign_in

KEEPALIVE = reverse("accounts:keepalive")
PROFILE = reverse("associations:profile")
MY_ASSISTERS = reverse("associations:my_assisters")
BAD_REQUEST_TEXT = "couldn't understand that request"

# What an outsider puts in `next`: words Django's redirect() would try as view names, other sites,
# tricks browsers read as other sites, control characters, and sheer length.
HOSTILE_NEXT = [
    "home",
    "core:home",
    "associations:my_assisters",
    "%00",
    "home%00",
    "https://evil.example.com/",
    "//evil.example.com/",
    "/\\evil.example.com/",
    "\\\\evil.example.com",
    "javascript:alert(1)",
    " /my/assisters/",
    "/my/assisters/\r\nSet-Cookie: a=b",
    "/my/\tassisters/",
    "/" + "a" * 10_000,
]
# Any charset but UTF-8 on a form body: Django refuses to parse it, and every later read raised again.
FOREIGN_CHARSETS = [
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    'application/x-www-form-urlencoded; charset="utf-8 "',  # Django decodes with "utf-8 " and refuses it
    "application/x-www-form-urlencoded; charset=UTF_8",
    "multipart/form-data; boundary=xyz; charset=utf-16",
    "text/plain; charset=utf-16",
]


def profile_data(**overrides):
    return profile_form(ssn="") | overrides


def routes_without_parameters(resolver=None, namespace=""):
    """Every named route of the URL conf that takes no parameter, as a path."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes_without_parameters(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.converters:
            if "(?P" in str(pattern.pattern) or "<" in str(pattern.pattern):
                continue
            try:
                yield reverse(f"{namespace}{pattern.name}")
            except Exception:  # noqa: S112 - a regex route reverse() cannot build without arguments
                continue


def assert_bad_request_page(response):
    assert response.status_code == 400, (response.status_code, response.get("Location"))
    assert BAD_REQUEST_TEXT in response.content.decode(), response.content[:500]


# --- `next` ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_safe_next_keeps_only_paths_on_this_site(value):
    assert safe_next(value) is None


@pytest.mark.parametrize("value", ["/", "/my/assisters/", "/directory/?q=ana&county=27053", "/clients/?page=2#top"])
def test_safe_next_keeps_a_path_on_this_site_as_it_is(value):
    assert safe_next(value) == value


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_keepalive_with_a_next_that_is_not_a_path_goes_home_not_to_a_500(client, consumer, value):
    """Cause 1: `next=home` went to Django's redirect(), which tried it as a view name (NoReverseMatch)."""
    sign_in(client, consumer, follow=False)
    response = client.post(KEEPALIVE, {"next": value})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_keepalive_still_returns_to_the_page_the_person_was_on(client, consumer):
    sign_in(client, consumer, follow=False)
    response = client.post(KEEPALIVE, {"next": "/my/assisters/?page=2"})
    assert response["Location"] == "/my/assisters/?page=2"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["home", "core:home", "https://evil.example.com/", "/\\evil.example.com/"])
def test_profile_with_a_next_that_is_not_a_path_saves_and_says_so(client, new_consumer, value):
    """Cause 2: the record was saved, then `redirect("home")` was a 500 whose page said nothing was saved."""
    sign_in(client, new_consumer, follow=False)
    response = client.post(PROFILE, profile_data(next=value), follow=True)
    assert response.redirect_chain == [(MY_ASSISTERS, 302)]
    assert "Your details are saved." in response.content.decode()
    assert Client.objects.filter(user=new_consumer).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["\x00", "/my/assisters/\x00", "home\x00"])
def test_a_nul_in_next_is_refused_before_anything_is_saved(client, new_consumer, value):
    sign_in(client, new_consumer, follow=False)
    assert_bad_request_page(client.post(PROFILE, profile_data(next=value)))
    assert not Client.objects.exists()
    assert_bad_request_page(client.post(KEEPALIVE, {"next": value}))


# --- Charsets -----------------------------------------------------------------------------------


def csrf_client(user=None):
    """A browser as production sees it: CSRF checked, the CSRF cookie set by an earlier page."""
    browser = HttpClient()
    if user is not None:
        sign_in(browser, user, follow=False)
    browser.handler.enforce_csrf_checks = True  # from here on, as production: signed in through the real page first
    browser.get("/accounts/login/")
    assert "csrftoken" in browser.cookies
    return browser


@pytest.mark.django_db
def test_a_form_in_another_charset_gets_the_400_page_not_an_empty_500(consumer):
    """Cause 3: Django refused the body with BadRequest; its own 400 page ran the CSRF check, which read
    the body again, raised again, and the 500 page did the same: a 500 with an empty body."""
    browser = csrf_client(consumer)
    events = AuditEvent.objects.count()
    response = browser.generic(
        "POST", KEEPALIVE, "next=%2F".encode("utf-16"), content_type="application/x-www-form-urlencoded; charset=utf-16"
    )
    assert_bad_request_page(response)
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_without_the_guard_the_error_pages_still_never_read_the_body_again(new_consumer, settings):
    """Behind the middleware, Django's BadRequest still reaches handler400, which must not re-read the body."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("RequestGuardMiddleware")]
    browser = csrf_client(new_consumer)
    browser.raise_request_exception = False
    response = browser.generic(
        "POST",
        PROFILE,
        "first_name=Ana".encode("utf-16"),
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    assert_bad_request_page(response)
    assert not Client.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", FOREIGN_CHARSETS)
def test_every_route_answers_a_body_in_another_charset_with_the_400_page(consumer, content_type):
    routes = sorted(set(routes_without_parameters()))
    assert PROFILE in routes and KEEPALIVE in routes and "/admin/" in routes
    for user in (None, consumer):
        browser = csrf_client(user)
        for path in routes:
            response = browser.generic("POST", path, "next=/&a=b".encode("utf-16"), content_type=content_type)
            assert response.status_code == 400, (path, response.status_code)
            assert BAD_REQUEST_TEXT in response.content.decode(), path


@pytest.mark.django_db
def test_a_utf8_form_is_still_welcome_in_any_spelling(client, consumer):
    sign_in(client, consumer, follow=False)
    for content_type in ("application/x-www-form-urlencoded; charset=UTF-8", 'multipart/form-data; charset="utf-8"'):
        if content_type.startswith("multipart"):
            response = client.post(KEEPALIVE, {"next": "/my/assisters/"})
        else:
            response = client.post(KEEPALIVE, b"next=%2Fmy%2Fassisters%2F", content_type=content_type)
        assert response.status_code == 302 and response["Location"] == "/my/assisters/"


# --- NUL bytes ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_nul_anywhere_in_a_request_is_the_400_page(client, new_consumer):
    make_assister(AssisterKind.BROKER)
    requests = [
        lambda c: c.get("/directory/", {"q": "ab\x00cd"}),
        lambda c: c.get("/clients/?name=a%00b"),
        lambda c: c.get("/", headers={"User-Agent": "probe\x00"}),
        lambda c: c.post("/accounts/login/", {"login": "a\x00@example.org", "password": "x"}),
        lambda c: c.post("/accounts/login/", {"login": "a@example.org", "password": "x\x00"}),
        lambda c: c.post(
            "/accounts/login/", b"login=a%00b&password=x", content_type="application/x-www-form-urlencoded"
        ),
        lambda c: c.post(PROFILE, profile_data(first_name="Ana\x00")),
    ]
    for user in (None, new_consumer):
        browser = HttpClient()
        if user is not None:
            sign_in(browser, user, follow=False)
        for send in requests:
            assert_bad_request_page(send(browser))
    assert not Client.objects.exists()


def routes_with_text_parameters(resolver=None, prefix="", namespace=""):
    """Every route whose parameters all take free text (`str`), built with a NUL byte in each."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes_with_text_parameters(pattern, prefix, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.pattern.converters:
            names = pattern.pattern.converters
            if all(type(converter).__name__ == "StringConverter" for converter in names.values()):
                yield reverse(f"{namespace}{pattern.name}", kwargs=dict.fromkeys(names, "AB\x00CD"))


@pytest.mark.django_db
def test_a_nul_in_a_path_parameter_is_a_404_or_400_never_a_500(consumer, broker, exchange_staff):
    make_assister(AssisterKind.BROKER)
    paths = [*routes_with_text_parameters(), "/directory/assisters/AB%00CD/", "/no-such-page/%00/"]
    assert any(path.startswith("/claim/") for path in paths) and any("/invitations/" in path for path in paths)
    for user in (None, consumer, exchange_staff):
        browser = HttpClient(raise_request_exception=True)
        if user is not None:
            sign_in(browser, user, follow=False)
        for path in paths:
            for method in (browser.get, browser.post):
                response = method(path)
                assert response.status_code in (302, 400, 403, 404, 405), (path, response.status_code)


@pytest.mark.django_db
def test_a_session_cookie_with_a_nul_is_the_400_page_not_a_database_error():
    browser = HttpClient()
    browser.cookies["sessionid"] = "abcdefghij\x00klmnop"
    assert_bad_request_page(browser.get("/"))


@pytest.mark.django_db
def test_a_host_we_do_not_serve_is_the_400_page(client):
    """DisallowedHost reaches handler400; its page must not ask for the host again."""
    assert_bad_request_page(client.get("/", headers={"Host": "evil.example.com"}))
    assert_bad_request_page(client.post(KEEPALIVE, {"next": "/"}, headers={"Host": "evil.example.com"}))


# --- The admin ----------------------------------------------------------------------------------

# Values an outsider (or a staff member's mistyped URL) puts in a list filter or the date hierarchy.
HOSTILE_FILTER_VALUES = [
    "99999999999999999999999999",
    "-99999999999999999999",
    "9999",
    "0",
    "0000-01",
    "9999-12",
    "²",
    "1e400",
    "nan",
]
DATE_HIERARCHY_PROBES = [
    {"year": "99999999999999999999999999"},
    {"year": "9999"},
    {"year": "9999", "month": "12"},
    {"year": "9999", "month": "12", "day": "31"},
    {"year": "1", "month": "1", "day": "1"},
    {"year": "0"},
    {"year": "2026", "month": "13"},
    {"year": "2026", "month": "2", "day": "30"},
    {"year": "-1"},
]


@pytest.fixture
def staff_browser(client, superuser_staff):
    make_assister(AssisterKind.BROKER)  # rows behind every filter with lookups (agencies, certifications…)
    sign_in(client, superuser_staff)
    return client


ADMINS = {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}


def test_every_registered_admin_is_probed():
    assert len(ADMINS) == len(admin.site._registry) >= 8


def assert_page_or_bad_filter(browser, url, params):
    """200, the 400 page, or Django's redirect to "?e=1", which is itself a page."""
    response = browser.get(url, params)
    assert response.status_code in (200, 302, 400), (url, params, response.status_code)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1"), (url, params, response["Location"])
        assert browser.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_admin_list_filters_with_a_nul_are_the_400_page(staff_browser):
    """Cause 4 (first half): `?role=ab%00cd` reached PostgreSQL, which cannot compare text with NUL."""
    assert_bad_request_page(staff_browser.get("/admin/accounts/user/", {"role": "ab\x00cd"}))
    assert_bad_request_page(staff_browser.get("/admin/accounts/user/?role__exact=ab%00cd"))


@pytest.mark.django_db
def test_an_overflowing_year_in_the_date_hierarchy_is_not_a_500(staff_browser):
    """Cause 4 (second half): `?at__year=999…` made datetime() overflow outside Django's own try."""
    for params in DATE_HIERARCHY_PROBES:
        assert_page_or_bad_filter(
            staff_browser, "/admin/audit/auditevent/", {f"at__{part}": value for part, value in params.items()}
        )


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(ADMINS))
def test_every_admin_changelist_answers_hostile_filters_with_a_page_or_400(staff_browser, label):
    model_admin = ADMINS[label]
    url = reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist")
    response = staff_browser.get(url)
    assert response.status_code == 200, url
    cl = response.context["cl"]
    parameters = {"q", "o", "p", "all", "_to_field"}
    for spec in cl.filter_specs:
        parameters.update(spec.expected_parameters())
    if model_admin.date_hierarchy:
        for params in DATE_HIERARCHY_PROBES:
            field = model_admin.date_hierarchy
            assert_page_or_bad_filter(staff_browser, url, {f"{field}__{part}": value for part, value in params.items()})
        parameters.update(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    for name in sorted(parameters):
        assert_bad_request_page(staff_browser.get(url, {name: "ab\x00cd"}))
        for value in HOSTILE_FILTER_VALUES:
            assert_page_or_bad_filter(staff_browser, url, {name: value})
