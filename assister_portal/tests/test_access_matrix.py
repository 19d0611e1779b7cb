"""The access matrix (DESIGN §5, §9): every route that takes an object id, as every persona.

The test walks the URL conf. A route with a URL parameter must have an entry in
MATRIX (or be listed in NOT_OURS with the reason), so a new route fails this test
until someone decides who may reach it. Each entry builds the object in a world of
personas (the root conftest's, plus the people around one client) and names who may
open it; everyone else gets 404 (a visitor who is not signed in: the sign-in page),
whether they GET or POST, and nothing changes.

Every persona signs in through the real login page and its second step (`conftest.sign_in`),
as people do, so the matrix also covers what the sign-in puts in the session.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from associations import services as association_services
from associations.models import Association, AssociationStatus, Consent
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
from clients.models import ClaimInvitation, Client
from clients.services import _claim_token
from clients.tests.factories import make_client
from conftest import sign_in

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
LOGIN = 302  # anonymous visitors are sent to sign in
NOT_ALLOWED = 405  # a route that does not take this method says so before it looks at the object
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


def routes_with_an_id() -> set[str]:
    """Every named route of the URL conf that takes a parameter, but those NOT_OURS."""
    return {name for name, _route in _routes() if not name.startswith(NOT_OURS)}


@pytest.fixture
def world(consumer, broker, broker_agency, agency_admin, support_staff, outsider_assister, exchange_staff):
    """The conftest personas around one client (the `consumer`) whose broker of record is the `broker` of
    `broker_agency`, and the people around them: a colleague of the broker, an assister the client left,
    one whose certification is suspended, another consumer, the outsider's agency admin."""
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


def _pending_for_client(w):
    return ask_to_help(w["client"], make_assister(AssisterKind.NAVIGATOR))


def _invitation(w, email):
    agency = w["agency_a"]
    return certification_services.invitation_create(
        agency=agency, actor=admin_of(agency), email=email, role=MembershipRole.SUPPORT
    )


@dataclass(frozen=True)
class Route:
    """Who may open a route's object. Everyone else gets 404 (a visitor: `anonymous`)."""

    build: Callable[[dict], dict]  # the URL's parameters, from the world
    allowed: frozenset[str] = frozenset()  # the personas whose object it is
    method: str = "get"  # how the rightful persona uses it in the matrix
    anonymous: int = LOGIN
    # A link that carries its own secret, whoever holds it may use it: the personas checked to get its page.
    bearer: tuple[str, ...] = ()

    def expected(self, persona: str) -> int:
        if persona in self.allowed:
            return 200 if self.method == "get" else 302  # a POST that worked redirects
        return self.anonymous if persona == "anonymous" else 404


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
        anonymous=404,
    ),
    "directory:agency": Route(
        lambda w: {"public_id": w["agency_a"].public_id},  # certified, but not opted in to the directory
        anonymous=404,
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
}


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
            expected = dict.fromkeys(route.bearer, 200)
        else:
            expected = {persona: route.expected(persona) for persona in PERSONAS}
        got = {persona: getattr(logged_in[persona], route.method)(url).status_code for persona in expected}
        if got != expected:
            mismatches[name] = {p: f"got {got[p]}, expected {expected[p]}" for p in expected if got[p] != expected[p]}
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
    public page), and nothing changes."""
    logged_in = _signed_in(world)
    mismatches = {}
    tried = 0
    for name in sorted(routes_with_an_id()):
        route = MATRIX[name]
        if route.bearer:
            continue
        url = reverse(name, kwargs=route.build(world))
        before = _snapshot()
        for persona in PERSONAS:
            if persona in route.allowed:
                continue  # the rightful user; their use of it is tested with the feature
            refused = route.expected(persona)
            for method in ("get", "post"):
                response = getattr(logged_in[persona], method)(url, EVERY_FIELD if method == "post" else None)
                tried += 1
                if response.status_code not in (refused, NOT_ALLOWED):
                    mismatches[f"{method.upper()} {name} as {persona}"] = (
                        f"got {response.status_code}, expected {refused}"
                    )
        assert _snapshot() == before, f"{name}: a refused request changed something"
    assert mismatches == {}
    assert tried > 100  # 11 routes, 10 to 12 personas each, two methods


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
