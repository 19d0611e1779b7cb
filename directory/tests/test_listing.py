"""A listing's own page, choosing the assister from it, and where listings are placed on the map."""

import pytest
from django.urls import reverse

from certification import services
from certification.models import AgencyKind, Assister, AssisterKind
from certification.tests.factories import make_agency, make_assister
from conftest import sign_in
from core import geo
from directory import selectors
from directory.selectors import Criteria

from .factories import list_agency, list_assister, office

pytestmark = pytest.mark.django_db


def test_a_navigator_listing_shows_everything_and_the_disclosures(client, django_assert_max_num_queries):
    navigator = list_assister(
        AssisterKind.NAVIGATOR,
        **office("55802", "Duluth"),
        languages=("en", "hmn", "so"),
        hours="Mon–Fri 9–5",
        public_phone="218-555-0142",
        public_email="navigator@example.org",
        wheelchair_accessible=True,
        serves_public_programs=True,
        appointment_required=True,
    )
    certification = navigator.certifications.get()
    certification.coi_other_insurance_lines = "Medicare supplement plans"
    certification.save(update_fields=["coi_other_insurance_lines"])
    url = reverse("directory:assister", args=[navigator.assister_id])
    client.get(url)  # fills the reference-data cache
    with django_assert_max_num_queries(4):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    for text in [
        navigator.full_name,
        navigator.assister_id,
        navigator.agency.public_name,
        "1 Office Way, Duluth, MN 55802",
        "218-555-0142",
        "navigator@example.org",
        "Mon–Fri 9–5",
        "by appointment only",
        "wheelchair accessible",
        "Medical Assistance and MinnesotaCare",
        '<span lang="hmn">Hmoob</span>',
        '<span lang="so">Soomaali</span>',
        "Conflict-of-interest disclosures",
        "Medicare supplement plans",
        "Choose this assister",
    ]:
        assert text in body, text


def test_choose_this_assister_leads_to_the_consent_step_after_sign_in(client):
    broker = list_assister(**office("55401"))
    response = client.get(reverse("directory:assister", args=[broker.assister_id]))
    choose = f"{reverse('associations:choose')}?assister_id={broker.assister_id}"
    assert choose in response.content.decode()

    visitor = client.get(choose)
    assert visitor.status_code == 302
    assert visitor["Location"].startswith(reverse("account_login"))
    assert "next=" in visitor["Location"] and broker.assister_id in visitor["Location"]


def test_a_listing_not_accepting_new_clients_says_so_and_offers_no_button(client):
    broker = list_assister(**office("55401"), accepting_new_clients=False)
    body = client.get(reverse("directory:assister", args=[broker.assister_id])).content.decode()
    assert "Not accepting new clients right now." in body
    assert "Choose this assister" not in body


def test_the_assister_id_in_the_address_is_not_case_sensitive(client):
    broker = list_assister(**office("55401"))
    assert client.get(reverse("directory:assister", args=[broker.assister_id.lower()])).status_code == 200


@pytest.mark.parametrize("assister_id", ["NOSUCHID1", "x" * 40, "'; drop", "%00", "ABC%00DEF0"])
def test_an_unknown_listing_is_a_404(client, assister_id):
    assert client.get(f"/directory/assisters/{assister_id}/").status_code == 404


def test_an_unlisted_assister_has_no_page(client):
    assister = make_assister()
    assert client.get(reverse("directory:assister", args=[assister.assister_id])).status_code == 404


def test_an_agency_page_lists_its_listed_people(client):
    org = make_agency(AgencyKind.NAVIGATOR_ORG, zip_code="55802", city="Duluth")
    list_agency(org)
    navigator = list_assister(AssisterKind.NAVIGATOR, assister=make_assister(AssisterKind.NAVIGATOR, agency=org))
    hidden = make_assister(AssisterKind.CAC, agency=org)  # certified but not opted in
    response = client.get(reverse("directory:agency", args=[org.public_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert org.public_name in body and navigator.full_name in body
    assert hidden.full_name not in body
    assert "Choose this assister" not in body  # consumers choose a person, not an agency


def test_an_agency_not_listed_has_no_page(client):
    agency = make_agency()
    assert client.get(reverse("directory:agency", args=[agency.public_id])).status_code == 404


# --- Where a listing is placed ---------------------------------------------------------------


def test_an_assister_is_placed_at_the_agency_address_or_their_own_office():
    assister = make_assister()
    assert (assister.location_zip, assister.location_county.name) == ("55101", "Ramsey")
    assert assister.latitude == pytest.approx(44.9512)

    list_assister(assister=assister, **office("55802", "Duluth"))
    assister.refresh_from_db()
    assert (assister.location_zip, assister.location_county.name) == ("55802", "St. Louis")

    services.assister_update_profile(
        assister=assister, actor=assister.user, fields={"office_street": "", "office_city": "", "office_zip": ""}
    )
    assister.refresh_from_db()
    assert assister.location_zip == "55101"


def test_moving_the_agency_moves_its_assisters_without_an_office_of_their_own():
    agency = make_agency()
    at_agency = make_assister(agency=agency)
    own_office = list_assister(assister=make_assister(agency=agency), **office("55802", "Duluth"))
    admin = agency.memberships.get(role="admin").user
    services.agency_update(agency=agency, actor=admin, fields={"zip_code": "55901", "city": "Rochester"})
    assert Assister.objects.get(pk=at_agency.pk).location_zip == "55901"
    assert Assister.objects.get(pk=own_office.pk).location_zip == "55802"


def test_an_office_outside_minnesota_is_refused_with_a_message(client):
    assister = make_assister()
    sign_in(client, assister.user)
    response = client.post(
        reverse("certification:assister_profile_edit"),
        {
            "serves_individual_market": "on",
            "office_street": "1 Broadway",
            "office_city": "Fargo",
            "office_zip": "58102",
        },
    )
    assert response.status_code == 200
    assert "58102 is not a Minnesota ZIP code we know." in response.content.decode()
    assister.refresh_from_db()
    assert assister.office_zip == ""


def test_an_office_needs_street_city_and_zip_together(client):
    assister = make_assister()
    sign_in(client, assister.user)
    response = client.post(
        reverse("certification:assister_profile_edit"), {"serves_individual_market": "on", "office_zip": "55802"}
    )
    assert "Give the office&#x27;s street, city and ZIP code, or leave all three empty." in response.content.decode()
    assister.refresh_from_db()
    assert assister.office_zip == ""


def test_an_agency_across_the_border_is_not_listed_and_is_told_why(client):
    """A Hudson, Wisconsin agency may serve Minnesotans, but the directory lists Minnesota offices only."""
    agency = make_agency(zip_code="54016", city="Hudson", state="WI")
    list_agency(agency)
    assister = list_assister(assister=make_assister(agency=agency))
    near_the_border = Criteria(place=geo.find_place("55082"), radius=25)  # Stillwater, 10 miles away
    assert selectors.search(near_the_border).total == 0

    sign_in(client, assister.user)
    body = client.get(reverse("certification:assister_profile_edit")).content.decode()
    assert "the directory lists offices in Minnesota only" in body

    list_assister(assister=assister, **office("55082", "Stillwater"))
    assert selectors.search(near_the_border).total == 1
    body = client.get(reverse("certification:assister_profile_edit")).content.decode()
    assert "Consumers find this listing on the map at ZIP code 55082 (Washington County)." in body


def test_an_agency_page_costs_the_same_with_one_or_many_people(client, django_assert_num_queries):
    org = make_agency(AgencyKind.CAC_ORG, zip_code="55802", city="Duluth")
    list_agency(org)
    url = reverse("directory:agency", args=[org.public_id])
    list_assister(AssisterKind.CAC, assister=make_assister(AssisterKind.CAC, agency=org))
    client.get(url)  # loads the reference data once per process
    with django_assert_num_queries(2):  # the agency, its listed people
        client.get(url)
    for _ in range(4):
        list_assister(AssisterKind.CAC, assister=make_assister(AssisterKind.CAC, agency=org))
    with django_assert_num_queries(2):
        response = client.get(url)
    assert response.content.decode().count("/directory/assisters/") == 5
