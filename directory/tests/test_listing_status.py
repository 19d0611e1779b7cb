"""What "My agency" and "My certification" say about the public directory is what the directory does.

Certification cannot ask the directory (it sits below it), so the pages read the rule from certification
data (`certification.selectors.agency_listing`, `assister_listing`); these tests build each situation
through the services and compare the pages with `listed_agencies()` and `listed_assisters()`.
"""

import pytest
from django.test import Client

from certification import services
from certification.models import AgencyKind, AssisterKind
from certification.tests.factories import make_agency, make_assister
from conftest import sign_in
from directory.selectors import listed_agencies, listed_assisters

pytestmark = pytest.mark.django_db

AGENCY_LISTED = "Your agency is listed in the public directory."
AGENCY_NOT_LISTED = "Your agency is not listed in the public directory."
ASSISTER_LISTED = "You are listed in the public directory"
ASSISTER_NOT_OPTED_IN = "You are not in the public directory: consumers can find you there only once you choose"
ASSISTER_NOT_PLACED = "You chose to be listed, but you are not in the public directory: it lists offices in Minnesota"


def my_agency_says_listed(client, agency) -> bool:
    page = client.get("/agency/").content.decode()
    assert (AGENCY_LISTED in page) != (AGENCY_NOT_LISTED in page), "the page says one or the other"
    return AGENCY_LISTED in page


def my_certification(client) -> str:
    response = client.get("/certification/")
    assert response.status_code == 200
    return response.content.decode()


def test_my_agency_says_a_navigator_org_is_listed_exactly_when_the_directory_lists_it(client):
    agency = make_agency(AgencyKind.NAVIGATOR_ORG)
    sign_in(client, agency.admin_user)
    in_directory = lambda: listed_agencies().filter(pk=agency.pk).exists()  # noqa: E731

    assert my_agency_says_listed(client, agency) is in_directory() is False  # approved, nothing else yet
    services.agency_update(agency=agency, actor=agency.admin_user, fields={"directory_opt_in": True})
    assert my_agency_says_listed(client, agency) is in_directory() is False  # no navigator yet
    navigator = make_assister(AssisterKind.NAVIGATOR, agency=agency)
    # The defect: a certified navigator who has not opted in does not list the organization.
    assert my_agency_says_listed(client, agency) is in_directory() is False
    services.assister_update_profile(assister=navigator, actor=navigator.user, fields={"directory_opt_in": True})
    assert my_agency_says_listed(client, agency) is in_directory() is True
    services.agency_update(agency=agency, actor=agency.admin_user, fields={"directory_opt_in": False})
    assert my_agency_says_listed(client, agency) is in_directory() is False  # the agency itself must opt in


def test_my_agency_agrees_with_the_directory_for_an_office_outside_minnesota_and_a_broker_agency(client):
    border = make_agency(AgencyKind.NAVIGATOR_ORG, state="WI", city="La Crosse", zip_code="54601")
    services.agency_update(agency=border, actor=border.admin_user, fields={"directory_opt_in": True})
    navigator = make_assister(AssisterKind.NAVIGATOR, agency=border)
    services.assister_update_profile(assister=navigator, actor=navigator.user, fields={"directory_opt_in": True})
    sign_in(client, border.admin_user)
    assert my_agency_says_listed(client, border) is listed_agencies().filter(pk=border.pk).exists() is False
    assert '<strong class="text-secondary-dark">To do:</strong> The agency\'s office is in Minnesota' in (
        client.get("/agency/").content.decode()
    )

    brokers = make_agency(AgencyKind.BROKER_AGENCY)
    services.agency_update(agency=brokers, actor=brokers.admin_user, fields={"directory_opt_in": True})
    other = Client()
    sign_in(other, brokers.admin_user)
    assert my_agency_says_listed(other, brokers) is listed_agencies().filter(pk=brokers.pk).exists() is True


def test_a_newly_certified_assister_is_told_they_are_not_listed_until_they_opt_in(client):
    assister = make_assister(AssisterKind.BROKER)
    sign_in(client, assister.user)
    page = my_certification(client)
    assert not listed_assisters().filter(pk=assister.pk).exists()
    assert ASSISTER_NOT_OPTED_IN in page and 'href="/certification/listing/"' in page
    services.assister_update_profile(assister=assister, actor=assister.user, fields={"directory_opt_in": True})
    page = my_certification(client)
    assert listed_assisters().filter(pk=assister.pk).exists()
    assert ASSISTER_LISTED in page and f'href="/directory/assisters/{assister.assister_id}/"' in page
    assert ASSISTER_NOT_OPTED_IN not in page


def test_an_opted_in_assister_with_an_office_outside_minnesota_is_told_why_they_are_not_listed(client):
    agency = make_agency(AgencyKind.BROKER_AGENCY, state="WI", city="Hudson", zip_code="54016")
    assister = make_assister(AssisterKind.BROKER, agency=agency)
    services.assister_update_profile(assister=assister, actor=assister.user, fields={"directory_opt_in": True})
    sign_in(client, assister.user)
    page = my_certification(client)
    assert not listed_assisters().filter(pk=assister.pk).exists()
    assert ASSISTER_NOT_PLACED in page and ASSISTER_LISTED not in page


def test_an_assister_who_is_not_certified_yet_is_told_nothing_about_the_directory(client):
    assister = make_assister(AssisterKind.CAC, state="submitted")
    sign_in(client, assister.user)
    page = my_certification(client)
    assert "Public directory" not in page
