"""My clients: the book of clients an assister (or their agency) may view, its search, sort and pages."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from certification import services as certification_services
from certification.models import AgencyKind, AssisterKind, MembershipRole
from certification.tests.factories import invite_and_accept, make_agency, make_assister, staff_user
from clients.tests.factories import make_client
from conftest import sign_in

URL = reverse("clients:dashboard")


def names_on(response) -> list[str]:
    """The client names in the table, in order."""
    html = response.content.decode()
    return re.findall(r'<th scope="row"><a class="usa-link" href="/clients/[0-9a-f-]+/">([^<]+)</a>', html)


@pytest.fixture
def broker(client):
    """A signed-in broker (the test client is theirs)."""
    agency = make_agency()
    assister = make_assister(AssisterKind.BROKER, agency=agency)
    assister.agency = agency  # keeps `agency.admin_user` for inviting colleagues
    sign_in(client, assister.user)
    return assister


@pytest.mark.django_db
def test_the_dashboard_lists_exactly_my_clients_with_the_right_columns(client, broker):
    mine = make_client(first_name="José", last_name="Hernández", language="es", county="Ramsey")
    also_mine = make_client(first_name="Ana", last_name="García")
    colleague = make_assister(AssisterKind.BROKER, agency=broker.agency)
    theirs = make_client(first_name="Other", last_name="Person")
    navigator = make_assister(AssisterKind.NAVIGATOR)
    association = associate(mine, broker)
    associate(also_mine, broker)
    associate(theirs, colleague)
    associate(mine, navigator)  # the client's navigator is not mine to list
    make_client(first_name="Nobody", last_name="Associated")

    response = client.get(URL)

    assert response.status_code == 200
    assert names_on(response) == ["Ana García", "José Hernández"]  # by last name
    html = response.content.decode()
    assert f'href="{reverse("clients:detail", args=[mine.public_id])}"' in html
    assert mine.short_id in html
    assert "Select a plan" in html  # a broker holds every power by default
    assert association.started_at.strftime("%b") in html
    assert "Ramsey" in html
    assert '<span lang="es">Español</span>' in html
    assert "Other Person" not in html
    assert "Assister of record" not in html  # that column is for agency staff
    assert "123-45" not in html


@pytest.mark.django_db
def test_name_search_ignores_accents_and_case_and_a_two_word_search_means_first_and_last(client, broker):
    for first, last in [("José", "Hernández"), ("Ana", "García"), ("Ana", "Smith"), ("Bob", "Garcia")]:
        associate(make_client(first_name=first, last_name=last), broker)

    assert names_on(client.get(URL, {"name": "hernan"})) == ["José Hernández"]
    assert names_on(client.get(URL, {"name": "HERNÁN"})) == ["José Hernández"]
    assert names_on(client.get(URL, {"name": "ana gar"})) == ["Ana García"]
    assert names_on(client.get(URL, {"name": "garcia"})) == ["Ana García", "Bob Garcia"]
    assert names_on(client.get(URL, {"name": "ana"})) == ["Ana García", "Ana Smith"]
    assert "No clients match your search." in client.get(URL, {"name": "zed"}).content.decode()


@pytest.mark.django_db
def test_search_by_date_of_birth_in_either_format_and_by_client_id(client, broker):
    first = make_client(first_name="Ana", last_name="Born", date_of_birth=date(1990, 2, 3))
    second = make_client(first_name="Bea", last_name="Later", date_of_birth=date(1991, 7, 8))
    associate(first, broker)
    associate(second, broker)

    assert names_on(client.get(URL, {"date_of_birth": "1990-02-03"})) == ["Ana Born"]
    assert names_on(client.get(URL, {"date_of_birth": "07/08/1991"})) == ["Bea Later"]
    assert names_on(client.get(URL, {"client_id": first.short_id})) == ["Ana Born"]
    assert names_on(client.get(URL, {"client_id": first.short_id.lower()})) == ["Ana Born"]
    assert names_on(client.get(URL, {"client_id": str(second.public_id)})) == ["Bea Later"]


@pytest.mark.django_db
def test_bad_search_input_gets_a_plain_language_error_not_a_500(client, broker):
    associate(make_client(first_name="Ana", last_name="Born"), broker)

    response = client.get(URL, {"date_of_birth": "31/31/1990", "client_id": "not-an-id!"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the date like 05/17/1980" in html
    assert "Enter the client ID as it is shown in the list" in html
    assert names_on(response) == []


@pytest.mark.django_db
def test_sorting_is_whitelisted_and_an_unknown_sort_falls_back_to_name(client, broker):
    for last, county in [("Adams", "Ramsey"), ("Baker", "Anoka"), ("Cole", "Hennepin")]:
        associate(make_client(first_name="Pat", last_name=last, county=county), broker)

    assert names_on(client.get(URL, {"sort": "name"})) == ["Pat Adams", "Pat Baker", "Pat Cole"]
    assert names_on(client.get(URL, {"sort": "-name"})) == ["Pat Cole", "Pat Baker", "Pat Adams"]
    assert names_on(client.get(URL, {"sort": "county"})) == ["Pat Baker", "Pat Cole", "Pat Adams"]
    assert names_on(client.get(URL, {"sort": "-since"})) == ["Pat Cole", "Pat Baker", "Pat Adams"]
    for bad in ("password", "client__ssn", "-", ""):
        response = client.get(URL, {"sort": bad})
        assert response.status_code == 200
        assert names_on(response) == ["Pat Adams", "Pat Baker", "Pat Cole"]


@pytest.mark.django_db
def test_agency_admin_sees_the_agencys_book_with_the_assister_of_record_and_can_filter_by_kind(client):
    agency = make_agency(AgencyKind.NAVIGATOR_ORG)
    navigator = make_assister(AssisterKind.NAVIGATOR, agency=agency, first_name="Nia", last_name="Navigator")
    counselor = make_assister(AssisterKind.CAC, agency=agency, first_name="Cal", last_name="Counselor")
    outsider = make_assister(AssisterKind.NAVIGATOR)
    associate(make_client(first_name="Ana", last_name="Helped"), navigator)
    associate(make_client(first_name="Bea", last_name="Counseled"), counselor)
    associate(make_client(first_name="Cy", last_name="Elsewhere"), outsider)
    sign_in(client, agency.admin_user)

    response = client.get(URL)

    assert names_on(response) == ["Bea Counseled", "Ana Helped"]
    html = response.content.decode()
    assert "Assister of record" in html
    assert "Nia Navigator" in html and "Cal Counselor" in html
    assert names_on(client.get(URL, {"kind": "cac"})) == ["Bea Counseled"]
    assert names_on(client.get(URL, {"kind": "navigator"})) == ["Ana Helped"]
    assert names_on(client.get(URL, {"kind": "nonsense"})) == ["Bea Counseled", "Ana Helped"]
    suspended = client.get(URL, {"status": "suspended"})
    assert names_on(suspended) == []  # a suspended assister's clients are nobody's to see
    assert "No clients match your search." in suspended.content.decode()


@pytest.mark.django_db
def test_support_staff_see_the_agencys_book_too(client):
    agency = make_agency()
    broker = make_assister(AssisterKind.BROKER, agency=agency)
    support = invite_and_accept(agency, role=MembershipRole.SUPPORT)
    associate(make_client(first_name="Ana", last_name="Helped"), broker)
    sign_in(client, support)

    assert names_on(client.get(URL)) == ["Ana Helped"]


@pytest.mark.django_db
def test_an_assister_who_may_not_act_sees_a_notice_and_no_clients(client, broker):
    associate(make_client(first_name="Ana", last_name="Helped"), broker)
    certification_services.certification_decide(
        certification=broker.certifications.get(), action="suspend", actor=staff_user(), reason="Lapsed E&O."
    )

    response = client.get(URL)

    assert response.status_code == 200
    assert "Your certification is not current, so you cannot see clients" in response.content.decode()
    assert names_on(response) == []
    partial = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "Your certification is not current" in partial
    assert not AuditEvent.objects.filter(action=Action.CLIENT_LIST_VIEWED).exists()


@pytest.mark.django_db
def test_anonymous_people_are_sent_to_sign_in_and_consumers_and_staff_get_404(client, consumer, exchange_staff):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    sign_in(client, consumer)
    assert client.get(URL).status_code == 404
    client.post(reverse("account_logout"))
    sign_in(client, exchange_staff)
    assert client.get(URL).status_code == 404


@pytest.mark.django_db
def test_an_htmx_request_gets_only_the_results_partial(client, broker):
    associate(make_client(first_name="Ana", last_name="Helped"), broker)

    response = client.get(URL, {"name": "ana"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert names_on(response) == ["Ana Helped"]
    assert "HX-Request" in response["Vary"]
    full = client.get(URL, {"name": "ana"}).content.decode()
    assert "<html" in full and 'hx-get="/clients/"' in full and 'hx-push-url="true"' in full
    assert 'hx-target="#results"' in full and '<div id="results">' in full


@pytest.mark.django_db
def test_an_htmx_search_with_a_bad_date_shows_the_error_in_the_partial(client, broker):
    response = client.get(URL, {"date_of_birth": "yesterday"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Enter the date like 05/17/1980" in response.content.decode()


@pytest.mark.django_db
def test_every_client_shown_gets_an_audit_row_of_their_own_and_sees_it(client, broker):
    clients = [make_client(first_name="Ana", last_name=f"Helped{n}") for n in range(3)]
    for each in clients:
        associate(each, broker)

    client.get(URL)

    events = list(AuditEvent.objects.filter(action=Action.CLIENT_LIST_VIEWED))
    assert sorted(e.client_id for e in events) == sorted(c.pk for c in clients)
    assert {e.actor for e in events} == {broker.user}
    assert {e.details["what"] for e in events} == {"dashboard"}
    assert not AuditEvent.objects.filter(action=Action.CLIENT_VIEWED).exists()  # a list, not a client page

    client.get(URL, {"name": "ana", "sort": "-name"})
    assert AuditEvent.objects.filter(action=Action.CLIENT_LIST_VIEWED).count() == 6

    # Each client sees it in "Who viewed my information".
    client.post(reverse("account_logout"))
    sign_in(client, clients[0].user)
    page = client.get(reverse("associations:who_viewed")).content.decode()
    assert page.count("Your name appeared in their list of clients") == 2
    assert broker.user.email in page or broker.full_name in page


@pytest.fixture
def fifty_clients(broker):
    clients = [make_client(first_name="Pat", last_name=f"Client{n:02d}") for n in range(50)]
    for each in clients:
        associate(each, broker)
    return clients


@pytest.mark.django_db
def test_pages_hold_25_and_bad_page_numbers_show_the_last_or_first_page(client, broker, fifty_clients):
    first_page = names_on(client.get(URL))
    assert len(first_page) == 25 and first_page[0] == "Pat Client00"
    last = client.get(URL, {"page": "9999"})
    assert last.status_code == 200 and names_on(last)[-1] == "Pat Client49" and len(names_on(last)) == 25
    for bad in ("abc", "-1", "0", "1.5", ""):
        response = client.get(URL, {"page": bad})
        assert response.status_code == 200
        assert names_on(response)[0] in ("Pat Client00", "Pat Client25")
    assert names_on(client.get(URL, {"page": "abc"}))[0] == "Pat Client00"
    html = client.get(URL, {"name": "pat", "page": "1"}).content.decode()
    assert 'href="?name=pat&amp;page=2"' in html  # the search is kept in the page links


@pytest.mark.django_db
def test_the_dashboard_query_count_is_the_same_with_1_and_with_50_clients(client, broker):
    associate(make_client(first_name="Pat", last_name="Only"), broker)
    client.get(URL)  # warm caches (permission ids, content types)
    with CaptureQueriesContext(connection) as one:
        assert len(names_on(client.get(URL))) == 1
    for n in range(49):
        associate(make_client(first_name="Pat", last_name=f"More{n:02d}"), broker)
    with CaptureQueriesContext(connection) as fifty:
        assert len(names_on(client.get(URL))) == 25
    assert len(one) == len(fifty), "\n".join(q["sql"] for q in fifty.captured_queries)


@pytest.mark.django_db
def test_the_agency_dashboard_query_count_is_the_same_with_1_and_with_50_clients(client):
    agency = make_agency()
    brokers = [make_assister(AssisterKind.BROKER, agency=agency) for _ in range(2)]
    associate(make_client(), brokers[0])
    sign_in(client, agency.admin_user)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        assert len(names_on(client.get(URL))) == 1
    for n in range(49):
        associate(make_client(), brokers[n % 2])
    with CaptureQueriesContext(connection) as fifty:
        assert len(names_on(client.get(URL))) == 25
    assert len(one) == len(fifty)
