"""The access matrix (DESIGN §5, §9): every route that takes an object id, as every persona.

The test walks the URL conf. A route with a URL parameter must have an entry in
MATRIX (or be listed in NOT_OURS with the reason), so a new route fails this test
until someone decides who may reach it. Each entry builds the object in a world of
personas and gives the status each persona must get.
"""

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from associations import services as association_services
from associations.models import Association, AssociationStatus
from associations.tests.factories import associate
from certification import services as certification_services
from certification.models import AgencyMembership, AssisterKind, Invitation, MembershipRole
from certification.tests.factories import invite_and_accept, make_agency, make_assister, staff_user
from clients.services import _claim_token
from clients.tests.factories import make_client
from conftest import sign_in

PERSONAS = [
    "client",
    "other_consumer",
    "associated_assister",
    "same_agency_assister",
    "other_agency_assister",
    "rescinded_assister",
    "suspended_assister",
    "support_staff",
    "other_agency_admin",
    "anonymous",
]
LOGIN = 302  # anonymous visitors are sent to sign in
# Routes with parameters that are not ours to police: Django's admin checks staff permissions
# itself; allauth's keyed links (password reset, email confirmation) carry their own secret.
NOT_OURS = ("admin:", "account_", "mfa_", "set_language", "javascript-catalog")


def _routes(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            route = prefix + str(pattern.pattern)
            if "<" in route or "(?P" in route:
                yield f"{namespace}{pattern.name}", route


@pytest.fixture
def world(db):
    """Ten personas around one client whose broker of record belongs to agency A."""
    agency_a, agency_b = make_agency(), make_agency()
    broker = make_assister(AssisterKind.BROKER, agency=agency_a)
    colleague = make_assister(AssisterKind.BROKER, agency=agency_a)
    outsider = make_assister(AssisterKind.BROKER, agency=agency_b)
    rescinded = make_assister(AssisterKind.NAVIGATOR)
    suspended = make_assister(AssisterKind.CAC)
    support = invite_and_accept(agency_a, role=MembershipRole.SUPPORT)
    client = make_client()
    other = make_client()
    broker_association = associate(client, broker)
    ended = associate(client, rescinded)
    association_services.association_end(association=ended, actor=client.user, reason="rescinded")
    suspended_association = associate(client, suspended)
    certification_services.certification_decide(
        certification=suspended.certifications.get(), action="suspend", actor=staff_user(), reason="Matrix."
    )
    pending = association_services.association_request(
        assister=broker,
        actor=broker.user,
        first_name=other.first_name,
        last_name=other.last_name,
        date_of_birth=other.date_of_birth,
        email=other.email,
    )
    people = {
        "client": client.user,
        "other_consumer": other.user,
        "associated_assister": broker.user,
        "same_agency_assister": colleague.user,
        "other_agency_assister": outsider.user,
        "rescinded_assister": rescinded.user,
        "suspended_assister": suspended.user,
        "support_staff": support,
        "other_agency_admin": agency_b.admin_user,
        "anonymous": None,
    }
    return {
        "people": people,
        "client": client,
        "other": other,
        "agency_a": agency_a,
        "broker_association": broker_association,
        "suspended_association": suspended_association,
        "pending_for_other": pending,
    }


def _pending_for_client(w):
    navigator = make_assister(AssisterKind.NAVIGATOR)
    c = w["client"]
    return association_services.association_request(
        assister=navigator,
        actor=navigator.user,
        first_name=c.first_name,
        last_name=c.last_name,
        date_of_birth=c.date_of_birth,
        email=c.email,
    )


def only(allowed: dict, default=404, anonymous=LOGIN) -> dict:
    statuses = dict.fromkeys(PERSONAS, default)
    statuses["anonymous"] = anonymous
    statuses.update(allowed)
    return statuses


# route name: (method, build kwargs from the world, expected status per persona)
MATRIX = {
    "clients:detail": (
        "get",
        lambda w: {"public_id": w["client"].public_id},
        only({"associated_assister": 200, "support_staff": 200}),
    ),
    "clients:release": (
        "get",
        lambda w: {"public_id": w["broker_association"].public_id},
        only({"associated_assister": 200}),
    ),
    "clients:record_consent": (
        "get",
        lambda w: {"public_id": w["pending_for_other"].public_id},
        only({"associated_assister": 200}),
    ),
    "clients:claim": (
        # A bearer link: whoever holds it sees the claim form (it still asks for date of birth and SSN).
        "get",
        lambda w: {"token": _claim_token(make_client(claimed=False), "unclaimed@example.org")},
        None,
    ),
    "associations:confirm": (
        "get",
        lambda w: {"public_id": _pending_for_client(w).public_id},
        only({"client": 200}),
    ),
    "associations:change_powers": (
        "get",
        lambda w: {"public_id": w["broker_association"].public_id},
        only({"client": 200}),
    ),
    "associations:end": (
        "get",
        lambda w: {"public_id": w["suspended_association"].public_id},
        only({"client": 200}),
    ),
    "associations:end_by_link": (
        # A bearer link emailed to the client: one button, no sign-in needed.
        "get",
        lambda w: {"token": association_services.end_link_token(w["broker_association"])},
        only(dict.fromkeys(PERSONAS, 200), anonymous=200),
    ),
    "directory:assister": (
        # Public pages, but only for listed assisters: a suspended one is gone for everyone.
        "get",
        lambda w: {"assister_id": w["suspended_association"].assister.assister_id},
        only({}, anonymous=404),
    ),
    "directory:agency": (
        "get",
        lambda w: {"public_id": w["agency_a"].public_id},  # certified, but not opted in to the directory
        only({}, anonymous=404),
    ),
    "certification:member_remove": (
        "get",
        lambda w: {"public_id": AgencyMembership.objects.get(user=w["people"]["support_staff"]).public_id},
        only({}),  # only agency A's admin, who is not among these personas
    ),
    "certification:invitation_resend": (
        "post",
        lambda w: {
            "public_id": certification_services.invitation_create(
                agency=w["agency_a"],
                actor=w["agency_a"].admin_user,
                email="pending-invite@example.org",
                role=MembershipRole.SUPPORT,
            )[0].public_id
        },
        only({}),
    ),
    "certification:invitation_revoke": (
        "post",
        lambda w: {"public_id": Invitation.objects.filter(agency=w["agency_a"]).first().public_id},
        only({}),
    ),
    "certification:invitation_accept": (
        "get",
        lambda w: {
            "token": certification_services.invitation_create(
                agency=w["agency_a"],
                actor=w["agency_a"].admin_user,
                email="new-invite@example.org",
                role=MembershipRole.SUPPORT,
            )[1]
        },
        None,
    ),
}


def test_every_route_with_an_id_has_an_entry_in_the_matrix():
    routes = {name for name, _route in _routes() if not name.startswith(NOT_OURS)}
    assert routes - set(MATRIX) == set(), "Add these routes to the access matrix"
    assert set(MATRIX) - routes == set(), "These matrix entries no longer match a route"


def _signed_in(world) -> dict:
    """A browser per persona, signed in as that persona (anonymous: not signed in)."""
    logged_in = {}
    for persona, user in world["people"].items():
        http = HttpClient()
        if user is not None:
            http.force_login(user)
        logged_in[persona] = http
    return logged_in


@pytest.mark.django_db
def test_access_matrix(world):
    """Every route, every persona, in one world (building it is the slow part); all mismatches reported together."""
    logged_in = _signed_in(world)
    mismatches = {}
    for route in sorted(MATRIX):
        method, build, expected = MATRIX[route]
        url = reverse(route, kwargs=build(world))
        if expected is None:  # bearer-token pages: the holder of the link, signed in or not
            expected = {"anonymous": 200}
        got = {persona: getattr(logged_in[persona], method)(url).status_code for persona in expected}
        if got != expected:
            mismatches[route] = {p: f"got {got[p]}, expected {expected[p]}" for p in expected if got[p] != expected[p]}
    assert mismatches == {}


# Routes that change something on POST: everyone who may not use them must get the same 404
# (anonymous: the sign-in redirect) on POST too, and nothing may change.
POST_ROUTES = [
    "clients:release",
    "clients:record_consent",
    "associations:confirm",
    "associations:change_powers",
    "associations:end",
    "certification:member_remove",
]


def _snapshot():
    from associations.models import Association
    from certification.models import AgencyMembership

    return (
        sorted(Association.objects.values_list("public_id", "status", "can_apply")),
        sorted(AgencyMembership.objects.values_list("public_id", "ended_at")),
    )


@pytest.mark.django_db
def test_posting_to_someone_elses_object_is_refused_and_changes_nothing(world):
    logged_in = _signed_in(world)
    mismatches = {}
    for route in POST_ROUTES:
        _method, build, expected = MATRIX[route]
        url = reverse(route, kwargs=build(world))
        before = _snapshot()
        for persona, status in expected.items():
            if status == 200:
                continue  # the rightful user; their POST is tested with the feature
            got = (
                logged_in[persona].post(url, {"powers": ["view_client", "apply_for_client"], "agree": "on"}).status_code
            )
            if got != status:
                mismatches.setdefault(route, {})[persona] = f"got {got}, expected {status}"
        assert _snapshot() == before, f"{route}: a refused POST changed something"
    assert mismatches == {}


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


@pytest.mark.django_db
def test_a_suspended_assister_regains_the_client_page_on_reinstatement(world):
    suspended = world["people"]["suspended_assister"]
    url = reverse("clients:detail", kwargs={"public_id": world["client"].public_id})
    http = HttpClient()
    sign_in(http, suspended)
    assert http.get(url).status_code == 404
    certification_services.certification_decide(
        certification=suspended.assister.certifications.get(), action="reinstate", actor=staff_user(), reason="Back."
    )
    assert http.get(url).status_code == 200
