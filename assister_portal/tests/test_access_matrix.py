"""The access matrix (DESIGN §5, §9): every route that takes an object id, as every persona.

The test walks the URL conf. A route with a URL parameter must have a name and an entry
in MATRIX (or be listed in NOT_OURS with the reason), so a new route fails this test
until someone decides who may reach it. Each entry builds the object in a world of
personas (the root conftest's, plus the people around one client) and names who may
open it; everyone else gets 404 (a visitor who is not signed in: the sign-in page;
our own views inside the admin: the admin's sign-in page or 404), whether they GET or
POST, and nothing changes. A 405 is accepted only for a method the view refuses to its
rightful user too (the `Allow` header it answers OPTIONS with).

Every persona signs in through the real login page and its second step (`conftest.sign_in`),
as people do, so the matrix also covers what the sign-in puts in the session.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from applications import services as application_services
from applications.models import Application, Enrollment
from applications.tests.factories import fill
from assister_portal.lib.uploads import quarantined_file_scan, sanitize_upload
from assister_portal.tests.samples import plain_pdf
from associations import services as association_services
from associations.models import Association, AssociationStatus, Consent, ConsentEvidence, ConsentMethod
from associations.tests.factories import ask_to_help, associate
from certification import services as certification_services
from certification.builders import admin_of
from certification.models import (
    Agency,
    AgencyMembership,
    Assister,
    AssisterKind,
    Certification,
    Invitation,
    MembershipRole,
)
from certification.tests.factories import make_assister, staff_user
from changes import services as change_services
from changes.models import ChangeReport
from clients.models import ClaimInvitation, Client
from clients.services import _claim_token
from clients.tests.factories import make_client
from conftest import sign_in
from notices.models import Notice
from notices.services import notice_render
from plans.models import Catalog, Plan
from plans.tests.factories import load_sample_catalog
from verifications import services as verification_services
from verifications.models import Document, VerificationRequest

PERSONAS = [
    "client",
    "other_consumer",
    "associated_assister",
    "same_agency_assister",
    "agency_admin",
    "support_staff",
    "other_agency_assister",
    "other_agency_admin",
    "rescinded_assister",
    "suspended_assister",
    "exchange_staff",
    "anonymous",
]
# What a response is, as the matrix compares it: the status code, but a redirect to a sign-in page by its name.
LOGIN = "login"  # anonymous visitors are sent to sign in (settings.LOGIN_URL)
ADMIN_LOGIN = "admin login"  # the admin sends whoever is not staff to its own sign-in page
NOT_ALLOWED = "405"  # a route that does not take this method says so before it looks at the object
# Routes with parameters that are not ours to police: Django's admin checks staff permissions
# itself (but for the views our ModelAdmins add to it, see `_ours`); allauth's keyed links
# (password reset, email confirmation) carry their own secret.
NOT_OURS = ("admin:", "account_", "mfa_", "set_language", "javascript-catalog")


def _routes(resolver=None, prefix="", namespace=""):
    """(qualified name or None, route, view) of every URL pattern that takes a parameter."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if "<" in route or "(?P" in route:
                name = f"{namespace}{pattern.name}" if pattern.name else None
                yield name, f"{namespace}{route}", pattern.callback


def _is_our_admin_view(view) -> bool:
    """A view one of our ModelAdmins adds to the admin (not one Django's ModelAdmin has, overridden or not)."""
    module = getattr(view, "__module__", "") or ""
    return not module.startswith(("django.", "allauth.")) and not hasattr(admin.ModelAdmin, view.__name__)


def _ours(qualified: str, view) -> bool:
    if qualified.startswith("admin:"):
        return _is_our_admin_view(view)
    return not qualified.startswith(NOT_OURS)


def routes_with_an_id() -> set[str]:
    """Every named route of the URL conf that takes a parameter, but those NOT_OURS."""
    return {name for name, _route, view in _routes() if name and _ours(name, view)}


def unnamed_routes_with_an_id() -> set[str]:
    """Routes that take a parameter but have no name: the matrix cannot reverse them, so they must not exist."""
    return {route for name, route, view in _routes() if name is None and _ours(route, view)}


@pytest.fixture
def world(consumer, broker, broker_agency, agency_admin, support_staff, outsider_assister, exchange_staff, settings):
    """The conftest personas around one client (the `consumer`) whose broker of record is the `broker` of
    `broker_agency`, and the people around them: a colleague of the broker, an assister the client left,
    one whose certification is suspended, another consumer, the outsider's agency admin."""
    today = timezone.localdate()
    settings.OPEN_ENROLLMENT_PERIODS = {
        2026: (today - timedelta(days=5), today + timedelta(days=5), today + timedelta(days=40))
    }
    colleague = make_assister(AssisterKind.BROKER, agency=broker_agency)
    rescinded = make_assister(AssisterKind.NAVIGATOR)
    suspended = make_assister(AssisterKind.CAC)
    client = consumer.client
    other = make_client()
    broker_association = associate(client, broker.assister)
    ended = associate(client, rescinded)
    association_services.association_end(association=ended, actor=client.user, reason="rescinded")
    suspended_association = associate(client, suspended)
    certification_services.certification_decide(
        certification=suspended.certifications.get(),
        action=certification_services.CertificationTransition.SUSPEND,
        actor=staff_user(),
        reason="Matrix.",
    )
    people = {
        "client": consumer,
        "other_consumer": other.user,
        "associated_assister": broker,
        "same_agency_assister": colleague.user,
        "agency_admin": agency_admin,
        "support_staff": support_staff,
        "other_agency_assister": outsider_assister,
        "other_agency_admin": admin_of(outsider_assister.assister.agency),
        "rescinded_assister": rescinded.user,
        "suspended_assister": suspended.user,
        "exchange_staff": exchange_staff,
        "anonymous": None,
    }
    assert set(people) == set(PERSONAS)
    return {
        "people": people,
        "client": client,
        "other": other,
        "agency_a": broker_agency,
        "broker_association": broker_association,
        "suspended_association": suspended_association,
        "pending_for_other": ask_to_help(other, broker.assister),
    }


def _consent_with_a_signed_form(w) -> Consent:
    """A consent given on paper, its signed form stored and scanned (servable: a refusal is not a missing file)."""
    assister = make_assister(AssisterKind.NAVIGATOR)
    pending = ask_to_help(make_client(claimed=False), assister)
    association_services.association_record_offline_consent(
        association=pending,
        actor=assister.user,
        method=ConsentMethod.PAPER_FORM,
        given_on=timezone.localdate(),
        attestation="I confirm.",
        evidence=SimpleUploadedFile("signed.pdf", plain_pdf(), content_type="application/pdf"),
    )
    consent = Consent.objects.get(association=pending, evidence_file__isnull=False)
    quarantined_file_scan(model=ConsentEvidence, pk=consent.evidence_file.pk)  # the scan that runs after commit
    return consent


def _ready_notice(w) -> Notice:
    """One of the client's notices (the world's associations wrote several), rendered as the worker would."""
    notice = Notice.objects.filter(client=w["client"]).order_by("pk").first()
    return notice_render(notice_id=notice.pk)


def _notice_on_behalf(w) -> dict:
    return {"public_id": w["client"].public_id, "notice_id": _ready_notice(w).public_id}


def _pending_for_client(w):
    return ask_to_help(w["client"], make_assister(AssisterKind.NAVIGATOR))


def _invitation(w, email):
    agency = w["agency_a"]
    return certification_services.invitation_create(
        agency=agency, actor=admin_of(agency), email=email, role=MembershipRole.SUPPORT
    )


def _application(w) -> Application:
    """The client's draft application (started by the client through the service, once per world)."""
    client = w["client"]
    found = Application.objects.filter(client=client, coverage_year=2027).first()
    return found or application_services.application_start(client=client, coverage_year=2027, actor=client.user)


def _application_id(w) -> dict:
    return {"public_id": _application(w).public_id}


def _determined(w) -> Application:
    """The client's 2026 application, determined (on the 2026 sample catalog), for the plan pages."""
    client = w["client"]
    found = Application.objects.filter(client=client, coverage_year=2026).first()
    if found:
        return found
    if not Catalog.objects.filter(year=2026).exists():
        load_sample_catalog(2026)
    application = fill(
        application_services.application_start(client=client, coverage_year=2026, actor=client.user), actor=client.user
    )
    return application_services.application_submit(
        application=application,
        version=application.version,
        attestations=dict.fromkeys(application_services.ATTESTATIONS, True),
        signed_name=client.full_name,
        actor=client.user,
    )


def _plan_of(application) -> Plan:
    return (
        Plan.objects.filter(year=application.coverage_year, rating_area=application.rating_area)
        .order_by("plan_id")
        .first()
    )


def _enrollment(w) -> Enrollment:
    """The plan the client's broker chose for them (so the client may also say they did not ask for it)."""
    application = _determined(w)
    found = Enrollment.objects.filter(application=application).first()
    return found or application_services.enrollment_select(
        application=application,
        version=application.version,
        plan_id=_plan_of(application).plan_id,
        credit=None,
        actor=w["people"]["associated_assister"],
        association=w["broker_association"],
    )


def _change_report(w) -> ChangeReport:
    """A change the client reported themself (once per world)."""
    client = w["client"]
    found = ChangeReport.objects.filter(client=client).first()
    return found or change_services.change_report_submit(
        client=client,
        event="other",
        effective_date=timezone.localdate(),
        details={"description": "A new phone number."},
        actor=client.user,
    )


def _verification(w) -> VerificationRequest:
    """A request to prove the client's income (the sample data source says more than they attested), opened by data
    matching on their determined 2026 application (the applications hook's handler, once per world)."""
    client = w["client"]
    found = VerificationRequest.objects.filter(client=client).first()
    if found:
        return found
    application = _determined(w)
    verification_services.reference_record_set(
        first_name=client.first_name,
        last_name=client.last_name,
        date_of_birth=client.date_of_birth,
        yearly_income=Decimal("900000"),
    )
    verification_services.requests_open_for(
        application=application, determination=application.determination, actor=client.user, request=None
    )
    return VerificationRequest.objects.get(client=client)


def _document(w) -> Document:
    """A pay stub the client uploaded for that request, scanned (servable: a refusal is not a missing file)."""
    row = _verification(w)
    found = row.documents.first()
    if found:
        return found
    upload = SimpleUploadedFile("stub.pdf", plain_pdf(), content_type="application/pdf")
    (document,) = verification_services.document_upload(
        verification=row, document_type="pay_stubs", files=[sanitize_upload(upload)], actor=w["client"].user
    )
    quarantined_file_scan(model=Document, pk=document.pk)
    return document


def _application_member(w) -> dict:
    application = _application(w)
    return {"public_id": application.public_id, "key": application.data["members"][0]["key"]}


@dataclass(frozen=True)
class Route:
    """Who may open a route's object. Everyone else gets 404 (a visitor: `anonymous`)."""

    build: Callable[[dict], dict]  # the URL's parameters, from the world
    allowed: frozenset[str] = frozenset()  # the personas whose object it is
    method: str = "get"  # how the rightful persona uses it in the matrix
    anonymous: str = LOGIN
    # A link that carries its own secret, whoever holds it may use it: the personas checked to get its page.
    bearer: tuple[str, ...] = ()
    # One of our views inside the admin: whoever is not staff gets the admin's sign-in page (or 404); staff
    # without the permission, 404 (`staff`: the staff personas, whose outcome is `allowed` or 404).
    admin: bool = False
    staff: tuple[str, ...] = ("exchange_staff",)
    # What the rightful persona gets, when not the default (200 for a GET, 302 for a POST that worked): e.g.
    # "400" for a form posted empty, which shows they reached the form.
    answer: str = ""

    def expected(self, persona: str) -> frozenset[str]:
        if persona in self.allowed:
            return frozenset({self.answer or ("200" if self.method == "get" else "302")})
        if self.admin:
            return frozenset({"404"}) if persona in self.staff else frozenset({ADMIN_LOGIN, "404"})
        return frozenset({self.anonymous if persona == "anonymous" else "404"})


def only(*personas: str) -> frozenset[str]:
    return frozenset(personas)


MATRIX = {
    "clients:detail": Route(
        lambda w: {"public_id": w["client"].public_id},
        only("associated_assister", "agency_admin", "support_staff"),
    ),
    "clients:release": Route(lambda w: {"public_id": w["broker_association"].public_id}, only("associated_assister")),
    "clients:record_consent": Route(
        lambda w: {"public_id": w["pending_for_other"].public_id}, only("associated_assister")
    ),
    "clients:claim": Route(
        # A bearer link: whoever holds it sees the claim form (it still asks for date of birth and SSN).
        lambda w: {"token": _claim_token(make_client(claimed=False), "unclaimed@example.org")},
        bearer=("anonymous",),
    ),
    # The client's notices: in the client's inbox, and from the client page to whom the client allowed it.
    "notices:detail": Route(lambda w: {"public_id": _ready_notice(w).public_id}, only("client")),
    "notices:pdf": Route(lambda w: {"public_id": _ready_notice(w).public_id}, only("client")),
    "clients:notices": Route(
        lambda w: {"public_id": w["client"].public_id},
        only("associated_assister", "agency_admin", "support_staff"),
    ),
    "clients:notice": Route(_notice_on_behalf, only("associated_assister", "agency_admin", "support_staff")),
    "clients:notice_pdf": Route(_notice_on_behalf, only("associated_assister", "agency_admin", "support_staff")),
    # Applications: seen by the client and whoever holds view_client; changed by the client and whoever holds
    # apply_for_client (the broker's association here; agency staff hold view only).
    "applications:for_client": Route(
        lambda w: {"client_id": w["client"].public_id},
        only("client", "associated_assister", "agency_admin", "support_staff"),
    ),
    "applications:start": Route(
        lambda w: {"client_id": w["client"].public_id}, only("client", "associated_assister"), method="post"
    ),
    "applications:detail": Route(
        _application_id, only("client", "associated_assister", "agency_admin", "support_staff")
    ),
    "applications:step": Route(
        lambda w: {**_application_id(w), "slug": "tax"},
        only("client", "associated_assister", "agency_admin", "support_staff"),
    ),
    "applications:review": Route(
        _application_id, only("client", "associated_assister", "agency_admin", "support_staff")
    ),
    "applications:history": Route(
        _application_id, only("client", "associated_assister", "agency_admin", "support_staff")
    ),
    "applications:member_add": Route(_application_id, only("client", "associated_assister")),
    "applications:member_edit": Route(_application_member, only("client", "associated_assister")),
    "applications:member_remove": Route(_application_member, only("client", "associated_assister"), method="post"),
    "applications:income_add": Route(
        _application_id, only("client", "associated_assister"), method="post", answer="400"
    ),
    "applications:income_remove": Route(
        lambda w: {**_application_id(w), "key": "00000000"}, only("client", "associated_assister"), method="post"
    ),
    "applications:request_review": Route(_application_id, only("associated_assister"), method="post"),
    "applications:record_review": Route(_application_id, only("associated_assister")),
    "applications:confirm": Route(_application_id, only("client")),
    "applications:change": Route(_application_id, only("client", "associated_assister"), method="post"),
    "applications:withdraw": Route(_application_id, only("client", "associated_assister")),
    # Choosing a plan: the client and whoever holds select_plan_for_client (the broker's association here; agency
    # staff do not hold it). "I did not ask for this" is the client's alone.
    "applications:plans": Route(
        lambda w: {"public_id": _determined(w).public_id}, only("client", "associated_assister")
    ),
    "applications:compare": Route(
        # No plans named: the rightful person is sent back to the list with a message.
        lambda w: {"public_id": _determined(w).public_id},
        only("client", "associated_assister"),
        answer="302",
    ),
    "applications:choose": Route(
        lambda w: {"public_id": _determined(w).public_id, "plan_id": _plan_of(_determined(w)).plan_id},
        only("client", "associated_assister"),
    ),
    "applications:terminate": Route(
        lambda w: {"public_id": _enrollment(w).public_id}, only("client", "associated_assister")
    ),
    "applications:dispute": Route(lambda w: {"public_id": _enrollment(w).public_id}, only("client")),
    "associations:confirm": Route(lambda w: {"public_id": _pending_for_client(w).public_id}, only("client")),
    "associations:change_powers": Route(lambda w: {"public_id": w["broker_association"].public_id}, only("client")),
    "associations:end": Route(lambda w: {"public_id": w["suspended_association"].public_id}, only("client")),
    "associations:end_by_link": Route(
        # A bearer link emailed to the client: one button, no sign-in needed.
        lambda w: {"token": association_services.end_link_token(w["broker_association"])},
        bearer=tuple(PERSONAS),
    ),
    "directory:assister": Route(
        # Public pages, but only for listed assisters: a suspended one is gone for everyone.
        lambda w: {"assister_id": w["suspended_association"].assister.assister_id},
        anonymous="404",
    ),
    "directory:agency": Route(
        lambda w: {"public_id": w["agency_a"].public_id},  # certified, but not opted in to the directory
        anonymous="404",
    ),
    "certification:member_remove": Route(
        lambda w: {"public_id": AgencyMembership.objects.get(user=w["people"]["support_staff"]).public_id},
        only("agency_admin"),
    ),
    "certification:invitation_resend": Route(
        lambda w: {"public_id": _invitation(w, "pending-invite@example.org")[0].public_id},
        only("agency_admin"),
        method="post",
    ),
    "certification:invitation_revoke": Route(
        lambda w: {"public_id": _invitation(w, "revoke-me@example.org")[0].public_id},
        only("agency_admin"),
        method="post",
    ),
    "certification:invitation_accept": Route(
        lambda w: {"token": _invitation(w, "new-invite@example.org")[1]},
        bearer=("anonymous",),
    ),
    # Our views inside the admin. The signed consent form: staff who may view consents (the reviewers' group
    # may not: 404; a superuser downloads it, see the test below).
    "admin:associations_consent_evidence": Route(lambda w: {"pk": _consent_with_a_signed_form(w).pk}, admin=True),
    # Change reports: seen by the client and whoever holds view_client; reported with report_change_for_client
    # (a broker's default, and the agency's support staff through it). Processing them is the Change reviewers'
    # duty: no persona here holds it.
    "changes:report_for_client": Route(
        lambda w: {"client_id": w["client"].public_id}, only("client", "associated_assister", "support_staff")
    ),
    "changes:detail": Route(
        lambda w: {"public_id": _change_report(w).public_id},
        only("client", "associated_assister", "agency_admin", "support_staff"),
    ),
    "admin:changes_changereport_decide": Route(lambda w: {"object_id": str(_change_report(w).pk)}, admin=True),
    # Verification requests: seen by the client and whoever holds view_client; a document downloaded by the client
    # and whoever may upload for them (the broker, whom the world's client granted every power; not the agency's
    # admin or support staff, who hold no upload power). Reviewing them is the Document reviewers' duty: no persona
    # here holds it.
    "verifications:detail": Route(
        lambda w: {"public_id": _verification(w).public_id},
        only("client", "associated_assister", "agency_admin", "support_staff"),
    ),
    "verifications:download": Route(
        lambda w: {"public_id": _document(w).public_id}, only("client", "associated_assister")
    ),
    "admin:verifications_verificationrequest_decide": Route(
        lambda w: {"object_id": str(_verification(w).pk)}, admin=True
    ),
    "admin:verifications_verificationrequest_preview": Route(
        lambda w: {"object_id": str(_document(w).request_id), "document_id": _document(w).public_id, "number": 1},
        admin=True,
    ),
    # Deciding a consumer's "I did not ask for this" is the Enrollment reviewers' duty: no persona here holds it.
    "admin:applications_enrollmentdispute_decide": Route(
        lambda w: {
            "object_id": str(
                application_services.enrollment_dispute(
                    enrollment=_enrollment(w), action="selected", note="", actor=w["client"].user
                ).pk
            )
        },
        admin=True,
    ),
    "admin:certification_certification_decide": Route(
        lambda w: {"object_id": str(w["suspended_association"].assister.certifications.get().pk)},
        only("exchange_staff"),
        admin=True,
    ),
}


def outcome(response) -> str:
    """The status code, but a redirect to a sign-in page is named for the page (a redirect elsewhere is "302")."""
    if response.status_code == 302:
        path = urlsplit(response["Location"]).path
        if path == resolve_url(settings.LOGIN_URL):
            return LOGIN
        if path == reverse("admin:login"):
            return ADMIN_LOGIN
    return str(response.status_code)


def refused_methods(http, url) -> set[str]:
    """The methods the view refuses to its rightful user: from the `Allow` header of its answer to OPTIONS
    (`require_http_methods` & co. answer 405 with it). No such header: the view takes every method."""
    allow = http.options(url).headers.get("Allow")
    if allow is None:
        return set()
    allowed = {method.strip().lower() for method in allow.split(",")}
    return {"get", "post"} - allowed


def test_every_route_with_an_id_has_a_name():
    assert unnamed_routes_with_an_id() == set(), "Name these routes and add them to the access matrix"


def test_every_route_with_an_id_has_an_entry_in_the_matrix():
    routes = routes_with_an_id()
    assert routes - set(MATRIX) == set(), "Add these routes to the access matrix"
    assert set(MATRIX) - routes == set(), "These matrix entries no longer match a route"


def _signed_in(world) -> dict:
    """A browser per persona, signed in through the login page as that persona (anonymous: not signed in)."""
    logged_in = {}
    for persona, user in world["people"].items():
        http = HttpClient()
        if user is not None:
            sign_in(http, user, follow=False)
            assert http.session.get("_auth_user_id") == str(user.pk), f"{persona} could not sign in"
        logged_in[persona] = http
    return logged_in


@pytest.mark.django_db
def test_access_matrix(world):
    """Every route, every persona, in one world (building it is the slow part); all mismatches reported together."""
    logged_in = _signed_in(world)
    mismatches = {}
    for name in sorted(MATRIX):
        route = MATRIX[name]
        url = reverse(name, kwargs=route.build(world))
        if route.bearer:  # the holder of the link
            expected = dict.fromkeys(route.bearer, frozenset({"200"}))
        else:
            expected = {persona: route.expected(persona) for persona in PERSONAS}
        got = {persona: outcome(getattr(logged_in[persona], route.method)(url)) for persona in expected}
        wrong = {p: f"got {got[p]}, expected {sorted(expected[p])}" for p in expected if got[p] not in expected[p]}
        if wrong:
            mismatches[name] = wrong
    assert mismatches == {}


# What a refused request must leave as it was (audit rows are written on purpose, so they are not here).
WATCHED = (
    User,
    Client,
    ClaimInvitation,
    Agency,
    AgencyMembership,
    Invitation,
    Assister,
    Certification,
    Association,
    Consent,
)
# A body that every form behind these routes would accept from its rightful user.
EVERY_FIELD = {"powers": ["view_client", "apply_for_client"], "agree": "on", "attestation": "on", "reason": "x"}


def _snapshot():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


@pytest.mark.django_db
def test_getting_or_posting_to_someone_elses_object_is_refused_and_changes_nothing(world):
    """Every route of the URL conf with an object id (but the bearer links, which are the holder's), by every
    persona whose object it is not, with GET and with POST: 404 (a visitor: the sign-in page, or 404 for a
    public page; our admin views: the admin's sign-in page or 404), and nothing changes. 405 only for a
    method the view refuses to its rightful user as well."""
    logged_in = _signed_in(world)
    mismatches = {}
    tried = 0
    for name in sorted(routes_with_an_id()):
        route = MATRIX[name]
        if route.bearer:
            continue
        url = reverse(name, kwargs=route.build(world))
        owner = next(iter(sorted(route.allowed)), "anonymous")
        not_taken = refused_methods(logged_in[owner], url)
        before = _snapshot()
        for persona in PERSONAS:
            if persona in route.allowed:
                continue  # the rightful user; their use of it is tested with the feature
            for method in ("get", "post"):
                refused = route.expected(persona) | ({NOT_ALLOWED} if method in not_taken else set())
                got = outcome(getattr(logged_in[persona], method)(url, EVERY_FIELD if method == "post" else None))
                tried += 1
                if got not in refused:
                    mismatches[f"{method.upper()} {name} as {persona}"] = f"got {got}, expected {sorted(refused)}"
        assert _snapshot() == before, f"{name}: a refused request changed something"
    assert mismatches == {}
    assert tried > 100  # 13 routes, 10 to 12 personas each, two methods


@pytest.mark.django_db
def test_the_refused_methods_are_read_from_the_view(world):
    """Guard for the 405 rule above: it knows which views refuse which method."""
    logged_in = _signed_in(world)
    resend = reverse("certification:invitation_resend", kwargs=MATRIX["certification:invitation_resend"].build(world))
    detail = reverse("clients:detail", kwargs={"public_id": world["client"].public_id})
    release = reverse("clients:release", kwargs={"public_id": world["broker_association"].public_id})
    assert refused_methods(logged_in["agency_admin"], resend) == {"get"}  # require_POST
    assert refused_methods(logged_in["associated_assister"], detail) == {"post"}  # require_safe
    assert refused_methods(logged_in["associated_assister"], release) == set()


@pytest.mark.django_db
def test_staff_who_may_view_consents_download_the_signed_form(world):
    """The consent evidence row of the matrix refuses everyone it lists; the file is there to be served."""
    url = reverse(
        "admin:associations_consent_evidence", kwargs=MATRIX["admin:associations_consent_evidence"].build(world)
    )
    http = HttpClient()
    sign_in(http, staff_user(), follow=False)
    response = http.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
def test_the_matrix_world_is_what_it_claims(world):
    """Guard against a matrix that passes because its world is wrong."""
    client = world["client"]
    statuses = dict(Association.objects.filter(client=client).values_list("assister__user__email", "status"))
    people = world["people"]
    assert statuses[people["associated_assister"].email] == AssociationStatus.ACTIVE
    assert statuses[people["rescinded_assister"].email] == AssociationStatus.ENDED
    assert statuses[people["suspended_assister"].email] == AssociationStatus.SUSPENDED
    assert people["same_agency_assister"].email not in statuses
    agency = world["agency_a"]
    assert {m.user for m in agency.memberships.all()} >= {
        people["associated_assister"],
        people["same_agency_assister"],
        people["agency_admin"],
        people["support_staff"],
    }
    assert people["other_agency_assister"].assister.agency != agency
    assert people["other_agency_admin"].memberships.get().agency == people["other_agency_assister"].assister.agency
    assert people["exchange_staff"].is_staff and not people["exchange_staff"].is_superuser


@pytest.mark.django_db
def test_a_suspended_assister_regains_the_client_page_on_reinstatement(world):
    suspended = world["people"]["suspended_assister"]
    url = reverse("clients:detail", kwargs={"public_id": world["client"].public_id})
    http = HttpClient()
    sign_in(http, suspended)
    assert http.get(url).status_code == 404
    certification_services.certification_decide(
        certification=suspended.assister.certifications.get(),
        action=certification_services.CertificationTransition.REINSTATE,
        actor=staff_user(),
        reason="Back.",
    )
    assert http.get(url).status_code == 200
