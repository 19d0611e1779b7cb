"""The directory search: distances, the radius, sorting, every filter, bad input and who is listed."""

import math
from datetime import timedelta

import pytest
from django.urls import reverse

from certification import services
from certification.models import AgencyKind, AgencyMembership, Assister, AssisterKind, MembershipRole
from certification.tests.factories import make_agency, make_assister, staff_user
from core import geo
from directory import selectors
from directory.selectors import Criteria

from .factories import list_agency, list_assister, office

pytestmark = pytest.mark.django_db
URL = reverse("directory:search")


def search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def names(response) -> list[str]:
    return [listing.name for listing in response.context["page"].object_list]


def criteria(place: str, radius=25, **filters) -> Criteria:
    return Criteria(place=geo.find_place(place), radius=radius, **filters)


def found(crit: Criteria) -> list[str]:
    result = selectors.search(crit)
    return [listing.name for listing in result.results[0 : result.total]]


# --- Distance --------------------------------------------------------------------------------

# Hand-computed with the spherical law of cosines (R = 3958.8 mi) from the ZIP centroids in
# core/data/geo/mn_zip_codes.csv; Minneapolis–Duluth is about 136 miles in published figures.
KNOWN_DISTANCES = [
    ("55401", "55802", 135.80),  # Minneapolis – Duluth
    ("55401", "55901", 75.07),  # Minneapolis – Rochester
    ("55401", "55101", 8.99),  # Minneapolis – Saint Paul
    ("56560", "56601", 103.88),  # Moorhead – Bemidji
]


@pytest.mark.parametrize(("origin", "destination", "miles"), KNOWN_DISTANCES)
def test_the_search_gives_the_great_circle_distance_to_each_listing(origin, destination, miles):
    assister = list_assister(**office(destination))
    result = selectors.search(criteria(origin, radius=150, name=assister.legal_last_name))
    (listing,) = result.results[0:1]
    assert listing.distance == pytest.approx(miles, abs=0.5)


def test_moorhead_to_bemidji_is_found_within_100_miles_only_when_it_is():
    assister = list_assister(**office("56601"))
    assert found(criteria("56560", radius=100, name=assister.legal_last_name)) == []  # 103.9 miles away
    assert found(criteria("Moorhead", radius=100, name=assister.legal_last_name)) == []


def _move(assister: Assister, latitude: float, longitude: float) -> None:
    """Put a listing at exact coordinates (a ZIP centroid cannot sit exactly on a radius)."""
    Assister.objects.filter(pk=assister.pk).update(latitude=latitude, longitude=longitude)


def test_the_radius_is_inclusive():
    origin = geo.find_place("55401")
    on_the_edge = list_assister(**office("55401"))
    just_outside = list_assister(**office("55401"))
    degrees_per_mile = 180 / (math.pi * geo.EARTH_RADIUS_MILES)
    _move(on_the_edge, origin.latitude + 25 * degrees_per_mile, origin.longitude)
    _move(just_outside, origin.latitude - 25.01 * degrees_per_mile, origin.longitude)

    result = found(criteria("55401", radius=25))

    assert on_the_edge.full_name in result
    assert just_outside.full_name not in result


def test_results_are_nearest_first_then_by_name_and_stable_across_pages(client, monkeypatch):
    near = list_assister(**office("55401"))
    far = list_assister(**office("55901"))
    same_place = [list_assister(**office("55802"), legal_last_name=f"Zed{i:02d}") for i in range(3)]
    same_place.append(list_assister(**office("55802"), legal_last_name="Aaberg"))

    result = found(criteria("55401", radius=100))
    assert result[0] == near.full_name
    assert result[1] == far.full_name
    assert found(criteria("55401", radius=100)) == result  # the same order every time

    whole = found(criteria("55802", radius=5))
    assert whole == [s.full_name for s in sorted(same_place, key=lambda a: a.legal_last_name)]

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    first = names(search(client, place="55802", radius=5))
    second = names(search(client, place="55802", radius=5, page=2))
    assert first + second == whole


# --- Filters ----------------------------------------------------------------------------------


@pytest.fixture
def listings():
    """Six listings around the Twin Cities that differ in one thing each."""
    return {
        "broker": list_assister(AssisterKind.BROKER, **office("55401"), serves_shop=True),
        "navigator": list_assister(
            AssisterKind.NAVIGATOR,
            **office("55404"),
            languages=("en", "so"),
            serves_public_programs=True,
            open_evenings=True,
        ),
        "cac": list_assister(
            AssisterKind.CAC, **office("55101"), languages=("es",), counties=("Ramsey",), wheelchair_accessible=True
        ),
        "closed": list_assister(**office("55102"), accepting_new_clients=False, open_weekends=True),
        "asl": list_assister(**office("55103"), asl_available=True, interpreters_available=True),
    }


def test_each_filter_alone_and_combined(client, listings):
    everyone = {a.full_name for a in listings.values()}
    cases = [
        ({}, everyone),
        ({"kind": "broker"}, {listings[k].full_name for k in ("broker", "closed", "asl")}),
        ({"kind": "navigator"}, {listings["navigator"].full_name}),
        ({"kind": "cac"}, {listings["cac"].full_name}),
        ({"language": "so"}, {listings["navigator"].full_name}),
        ({"language": "es"}, {listings["cac"].full_name}),
        ({"county": "27123"}, {listings["cac"].full_name}),
        ({"services": "shop"}, {listings["broker"].full_name}),
        ({"services": "public_programs"}, {listings["navigator"].full_name}),
        ({"access": "wheelchair"}, {listings["cac"].full_name}),
        ({"access": "interpreters"}, {listings["asl"].full_name}),
        ({"access": "asl"}, {listings["asl"].full_name}),
        ({"hours": "evenings"}, {listings["navigator"].full_name}),
        ({"hours": "weekends"}, {listings["closed"].full_name}),
        ({"accepting": "on"}, everyone - {listings["closed"].full_name}),
        ({"name": listings["cac"].legal_last_name.upper()}, {listings["cac"].full_name}),
        ({"name": listings["cac"].agency.public_name}, {listings["cac"].full_name}),
        ({"kind": "broker", "accepting": "on", "access": "asl"}, {listings["asl"].full_name}),
        ({"language": "so", "hours": "evenings", "services": "public_programs"}, {listings["navigator"].full_name}),
        ({"language": "so", "kind": "broker"}, set()),
        ({"access": ["wheelchair", "asl"]}, set()),
    ]
    for filters, expected in cases:
        response = search(client, place="55401", radius=25, **filters)
        assert set(names(response)) == expected, filters
        assert response.context["total"] == len(expected), filters


def test_the_distance_limits_results(listings):
    st_cloud = list_assister(**office("56301"))  # about 60 miles from Minneapolis
    assert st_cloud.full_name not in found(criteria("55401", radius=50))
    assert st_cloud.full_name in found(criteria("55401", radius=100))
    assert found(criteria("56301", radius=5)) == [st_cloud.full_name]


def test_a_city_search_finds_listings_near_the_city(listings):
    assert listings["broker"].full_name in found(criteria("minneapolis", radius=5))
    assert listings["cac"].full_name in found(criteria("St. Paul", radius=5))


def test_agencies_are_listings_of_their_own(client):
    agency = make_agency(AgencyKind.CAC_ORG, zip_code="55901", city="Rochester")
    list_agency(agency)
    response = search(client, place="Rochester", kind="agency")
    assert names(response) == [agency.public_name]
    assert response.context["page"].object_list[0].kind_label == "Agency or organization"


def test_a_navigator_organization_is_listed_only_with_a_listed_navigator(client):
    org = make_agency(AgencyKind.NAVIGATOR_ORG, zip_code="55802", city="Duluth")
    list_agency(org)
    assert names(search(client, place="55802", kind="agency")) == []

    navigator = list_assister(AssisterKind.NAVIGATOR, assister=make_assister(AssisterKind.NAVIGATOR, agency=org))
    assert names(search(client, place="55802", kind="agency")) == [org.public_name]
    assert set(names(search(client, place="55802"))) == {org.public_name, navigator.full_name}


def test_without_a_place_everyone_who_matches_is_shown_by_name(client, listings):
    response = search(client, access="asl")
    assert names(response) == [listings["asl"].full_name]
    response = search(client, kind="broker")
    assert names(response) == sorted(names(response), key=lambda n: n.split()[-1].lower())
    assert response.context["total"] == 3
    assert "Enter a ZIP code or city to see who is nearest" in response.content.decode()


@pytest.mark.parametrize("params", [{}, {"page": "2"}, {"utm_source": "flyer"}, {"radius": "50"}])
def test_the_bare_page_asks_for_a_place_and_searches_nothing(client, listings, django_assert_max_num_queries, params):
    search(client)
    with django_assert_max_num_queries(0):
        response = search(client, **params)
    body = response.content.decode()
    assert "Enter your ZIP code or city to see who can help you" in body
    assert body.count('class="directory-map__county"') == 87
    assert 'class="directory-map__marker"' not in body


# --- Who is listed ------------------------------------------------------------------------------


def test_only_opted_in_certified_assisters_of_approved_agencies_appear(client):
    listed = list_assister(**office("55401"))
    not_opted_in = make_assister()
    applying = list_assister(assister=make_assister(state="submitted"), **office("55401"))
    shown = names(search(client, place="55401"))
    assert shown == [listed.full_name]
    assert not_opted_in.full_name not in shown and applying.full_name not in shown


@pytest.mark.parametrize("decision", ["suspend", "decertify"])
def test_a_suspended_or_decertified_assister_disappears_and_the_listing_404s(client, decision):
    assister = list_assister(**office("55401"))
    listing_url = reverse("directory:assister", args=[assister.assister_id])
    assert names(search(client, place="55401")) == [assister.full_name]
    assert client.get(listing_url).status_code == 200

    services.certification_decide(
        certification=assister.certifications.get(), action=decision, actor=staff_user(), reason="Complaint."
    )

    assert names(search(client, place="55401")) == []
    assert client.get(listing_url).status_code == 404


def test_an_expired_certification_removes_the_listing(client, time_machine):
    assister = list_assister(**office("55401"))
    valid_until = assister.certifications.get().valid_until
    time_machine.move_to(f"{valid_until.isoformat()}T12:00:00-06:00")
    assert names(search(client, place="55401")) == [assister.full_name]
    time_machine.move_to(f"{(valid_until + timedelta(days=1)).isoformat()}T12:00:00-06:00")
    assert names(search(client, place="55401")) == []


def test_an_assister_who_left_the_agency_is_not_listed(client):
    assister = list_assister(**office("55401"))
    membership = AgencyMembership.objects.get(user=assister.user, ended_at__isnull=True)
    admin = AgencyMembership.objects.get(agency=assister.agency, role=MembershipRole.ADMIN).user
    services.membership_end(membership=membership, actor=admin)
    assert names(search(client, place="55401")) == []


# --- Bad input -----------------------------------------------------------------------------------

BAD_INPUT = [
    ({"place": "55a01"}, "Enter a 5-digit ZIP code, like 55401, or a Minnesota city."),
    ({"place": "5540"}, "Enter a 5-digit ZIP code, like 55401, or a Minnesota city."),
    ({"place": "58102"}, "58102 is a North Dakota ZIP code."),
    ({"place": "54016"}, "54016 is a Wisconsin ZIP code."),
    ({"place": "Atlantis"}, "We couldn’t find a Minnesota city called “Atlantis”."),
    ({"place": "55401", "radius": "7"}, "Choose a distance of 5, 10, 25, 50 or 100 miles."),
    ({"place": "55401", "radius": "far"}, "Choose a distance of 5, 10, 25, 50 or 100 miles."),
    ({"language": "xx"}, "We list no language with the code “xx”. Choose one from the list."),
    ({"county": "99999"}, "“99999” is not a Minnesota county. Choose one from the list."),
    ({"kind": "dentist"}, "Choose a kind of help from the list."),
    ({"services": "dental"}, "Choose help from the list."),
    ({"access": "ramp"}, "Choose accessibility needs from the list."),
    ({"hours": "midnight"}, "Choose hours from the list."),
    ({"place": "5" * 61}, "Ensure this value has at most 60 characters"),
]


@pytest.mark.parametrize(("params", "message"), BAD_INPUT)
def test_bad_input_gives_a_message_and_a_normal_page(client, params, message):
    list_assister(**office("55401"))
    response = search(client, **params)
    body = response.content.decode().replace("&#x27;", "’").replace("'", "’")
    assert message.replace("'", "’") in body
    assert response.context["page"] is None
    assert 'role="alert"' in body


def test_an_unknown_city_offers_suggestions(client):
    response = search(client, place="Dulth")
    assert "Did you mean:" in response.content.decode()
    assert "Duluth" in response.context["form"].suggestions


@pytest.mark.parametrize(
    ("page", "message"),
    [("9999", "There is no page 9999, so this is the last page, 1."), ("abc", "“abc” is not a page number")],
)
def test_a_bad_page_number_shows_a_page_and_says_so(client, page, message):
    assister = list_assister(**office("55401"))
    response = search(client, place="55401", page=page)
    assert message in response.content.decode()
    assert names(response) == [assister.full_name]


# --- Cost and partial updates -----------------------------------------------------------------------


def test_a_search_with_two_filters_is_one_query(client, django_assert_num_queries):
    """The issue allows four; the clusters, the total and the page's full rows come from one statement."""
    for i in range(25):
        list_assister(**office("55401" if i % 2 else "55404"), languages=("en", "es"), legal_last_name=f"Q{i:02d}")
    list_agency(make_agency(zip_code="55402", city="Minneapolis"), languages=[])
    params = {"place": "55401", "radius": "25", "language": "es", "accepting": "on"}
    search(client, **params)  # loads the reference data (languages, counties) once per process
    with django_assert_num_queries(1):
        response = search(client, **params)
    assert response.context["total"] == 25
    assert len(names(response)) == selectors.PAGE_SIZE
    with django_assert_num_queries(1):
        search(client, **params, page=2)
    with django_assert_num_queries(2):  # past the end: the last page is fetched again
        response = search(client, **params, page=99)
    assert len(names(response)) == 5 and response.context["page"].number == 3


def test_htmx_gets_only_the_results(client):
    assister = list_assister(**office("55401"))
    response = client.get(URL, {"place": "55401"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert assister.full_name in body
    assert "<html" not in body and 'role="search"' not in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("params", [{}, {"place": "55401"}, {"county": "27053"}])
def test_the_distance_shown_and_searched_is_25_miles_unless_chosen(client, params):
    list_assister(**office("55401"))
    response = search(client, **params)
    assert '<option value="25" selected>' in response.content.decode()
    if params.get("place"):
        assert response.context["criteria"].radius == 25


def test_htmx_announces_the_new_count_in_a_live_region_outside_the_swapped_results(client):
    list_assister(**office("55401"))
    page = search(client).content.decode()
    assert '<div id="results-status" role="status" class="usa-sr-only"></div>' in page
    partial = client.get(URL, {"place": "55401"}, headers={"HX-Request": "true"}).content.decode()
    # Only the live region's text is replaced: the region itself stays, so screen readers announce it.
    assert '<div id="results-status" hx-swap-oob="innerHTML">1 listing within 25 miles' in partial
