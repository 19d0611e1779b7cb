import pytest

from certification import services
from certification.models import AgencyKind, AssisterKind
from certification.tests.factories import make_agency, make_assister
from conftest import sign_in
from core.models import County, Language


@pytest.mark.django_db
def test_reference_data_has_87_counties_and_languages_in_their_own_names():
    assert County.objects.count() == 87
    assert County.objects.filter(name="Lake of the Woods", fips="27077").exists()
    autonyms = dict(Language.objects.values_list("code", "autonym"))
    assert (autonyms["hmn"], autonyms["so"], autonyms["es"]) == ("Hmoob", "Soomaali", "Español")


@pytest.mark.django_db
def test_an_assister_edits_the_directory_listing(client):
    assister = make_assister(AssisterKind.NAVIGATOR)
    sign_in(client, assister.user)
    page = client.get("/certification/listing/").content.decode()
    assert "Hmong (Hmoob)" in page and "Yellow Medicine" in page
    hennepin, ramsey = County.objects.get(name="Hennepin"), County.objects.get(name="Ramsey")
    somali = Language.objects.get(code="so")
    response = client.post(
        "/certification/listing/",
        {
            "public_phone": "612-555-0101",
            "public_email": "hodan@example.org",
            "website": "example.org",
            "languages": [somali.pk],
            "counties": [hennepin.pk, ramsey.pk],
            "serves_individual_market": "on",
            "serves_public_programs": "on",
            "hours": "Mon–Fri 9–5",
            "open_evenings": "on",
            "interpreters_available": "on",
            "accepting_new_clients": "on",
            "directory_opt_in": "on",
        },
    )
    assert response.status_code == 302
    assister.refresh_from_db()
    assert assister.directory_opt_in and assister.open_evenings and not assister.serves_shop
    assert assister.website == "https://example.org"
    assert set(assister.counties.values_list("name", flat=True)) == {"Hennepin", "Ramsey"}
    assert list(assister.languages.values_list("code", flat=True)) == ["so"]


@pytest.mark.django_db
def test_bad_listing_input_is_refused_and_nothing_changes(client):
    assister = make_assister(AssisterKind.BROKER)
    sign_in(client, assister.user)
    response = client.post("/certification/listing/", {"public_phone": "call me", "counties": ["999999"]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "10-digit phone" in html and "Select a valid choice" in html
    assister.refresh_from_db()
    assert assister.public_phone == ""


NAVIGATOR_LISTED = '<strong class="text-green">Done:</strong> At least one of its navigators is listed'
NAVIGATOR_NEEDED = '<strong class="text-secondary-dark">To do:</strong> At least one of its navigators is listed'
NOT_LISTED = "Your agency is not listed in the public directory."


@pytest.mark.django_db
def test_an_approved_agency_edits_its_listing_and_a_navigator_org_is_told_it_needs_a_listed_navigator(client):
    agency = make_agency(AgencyKind.NAVIGATOR_ORG)
    sign_in(client, agency.admin_user)
    page = client.get("/agency/").content.decode()
    assert NOT_LISTED in page and NAVIGATOR_NEEDED in page
    assert "at least one of its navigators is listed: certified, chosen to be listed" in page
    response = client.post(
        "/agency/listing/",
        {"languages": [Language.objects.get(code="es").pk], "directory_opt_in": "on", "accepting_new_clients": "on"},
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.directory_opt_in
    make_assister(AssisterKind.NAVIGATOR, agency=agency, state="submitted")
    assert NAVIGATOR_NEEDED in client.get("/agency/").content.decode()
    navigator = make_assister(AssisterKind.NAVIGATOR, agency=agency)
    page = client.get("/agency/").content.decode()
    assert NOT_LISTED in page and NAVIGATOR_NEEDED in page  # certified, but not listed: it has not opted in
    services.assister_update_profile(assister=navigator, actor=navigator.user, fields={"directory_opt_in": True})
    page = client.get("/agency/").content.decode()
    assert NAVIGATOR_LISTED in page and "Your agency is listed in the public directory." in page


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["consumer", "agency_admin", "support_staff"])
def test_people_without_an_assister_record_get_404_on_certification_pages(client, request, persona):
    sign_in(client, request.getfixturevalue(persona))
    for path in ["/certification/", "/certification/application/", "/certification/listing/"]:
        assert client.get(path).status_code == 404
    for path in ["/certification/application/submit/", "/certification/renew/"]:
        assert client.post(path).status_code == 404
