"""A client's page: who may see it (everyone else gets 404), what it shows, and releasing a client."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Association, AssociationStatus, ConsentEvent, EndReason
from associations.permissions_sync import permissions_drift
from associations.services import association_end
from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from certification.models import AgencyKind, AssisterKind, MembershipRole
from certification.tests.factories import invite_and_accept, make_agency, make_assister
from clients.tests.factories import make_client
from conftest import sign_in


def detail_url(client_record) -> str:
    return reverse("clients:detail", args=[client_record.public_id])


@pytest.fixture
def agency():
    return make_agency(AgencyKind.NAVIGATOR_ORG)


@pytest.fixture
def navigator(agency):
    return make_assister(AssisterKind.NAVIGATOR, agency=agency, first_name="Nia", last_name="Navigator")


@pytest.fixture
def helped(navigator):
    """A client whose navigator of record is `navigator` (default navigator powers: no plan selection)."""
    record = make_client(first_name="José", last_name="Hernández", ssn="123-45-6789", language="es")
    associate(record, navigator)
    return record


@pytest.mark.django_db
def test_the_navigator_of_record_sees_the_details_with_the_ssn_masked_and_the_view_is_audited(
    client, navigator, helped
):
    sign_in(client, navigator.user)

    response = client.get(detail_url(helped))

    assert response.status_code == 200
    html = response.content.decode()
    assert "José Hernández" in html
    assert "•••-••-6789" in html
    assert "123-45-6789" not in html and "123456789" not in html and "123-45" not in html
    assert helped.email in html
    assert "May 17, 1980" in html
    assert "Hennepin" in html and "Español" in html
    assert "Nia Navigator" in html and "(you)" in html
    event = AuditEvent.objects.get(action=Action.CLIENT_VIEWED, actor=navigator.user)
    assert event.client == helped
    assert event.details["what"] == "viewed client page"


@pytest.mark.django_db
def test_the_page_lists_each_power_as_granted_or_not_and_offers_only_release_as_an_action(client, navigator, helped):
    sign_in(client, navigator.user)

    html = client.get(detail_url(helped)).content.decode()

    assert "Select a health plan</th><td>Not granted" in html
    assert "Start, change or withdraw applications</th><td>Granted" in html
    assert "Release this client" in html
    association = Association.objects.get(client=helped, assister=navigator)
    assert reverse("clients:release", args=[association.public_id]) in html
    assert reverse("applications:for_client", args=[helped.public_id]) in html
    assert "/documents/" not in html  # a later issue; no stub links
    # Reporting a change is a navigator's default power: its form is offered (issue 15).
    assert reverse("changes:report_for_client", args=[helped.public_id]) in html


@pytest.mark.django_db
def test_the_history_shows_every_association_with_the_agency_and_its_consent_events(client, navigator, helped):
    sign_in(client, navigator.user)

    html = client.get(detail_url(helped)).content.decode()

    assert "History with your agency" in html
    assert "Granted" in html and "Online, by the client in the portal" in html
    assert "2026-1" in html  # the consent text version


@pytest.mark.django_db
def test_a_consumer_an_outsider_and_an_unassociated_colleague_get_404(client, agency, helped, consumer):
    outsider = make_assister(AssisterKind.NAVIGATOR)
    colleague = make_assister(AssisterKind.CAC, agency=agency)
    url = detail_url(helped)
    for user in (consumer, helped.user, outsider.user, colleague.user):
        sign_in(client, user)
        assert client.get(url).status_code == 404, user
        client.post(reverse("account_logout"))
    assert client.get(url).status_code == 302  # anonymous: sign in first
    assert not AuditEvent.objects.filter(action=Action.CLIENT_VIEWED).exists()


@pytest.mark.django_db
def test_an_unknown_client_id_is_404(client, navigator):
    sign_in(client, navigator.user)
    assert client.get("/clients/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/clients/not-a-uuid/").status_code == 404


@pytest.mark.django_db
def test_the_agency_admin_and_support_staff_see_the_page_without_the_release_action(client, agency, helped):
    support = invite_and_accept(agency, role=MembershipRole.SUPPORT)
    sign_in(client, agency.admin_user)
    response = client.get(detail_url(helped))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nia Navigator" in html and "•••-••-6789" in html
    assert "Release this client" not in html
    assert "Report a change in the client&#x27;s circumstances</th><td>Not granted" in html
    client.post(reverse("account_logout"))
    sign_in(client, support)
    html = client.get(detail_url(helped)).content.decode()
    assert "Report a change in the client&#x27;s circumstances</th><td>Granted" in html


@pytest.mark.django_db
def test_releasing_a_client_ends_the_association_and_the_page_is_then_404(
    client, navigator, helped, django_capture_on_commit_callbacks
):
    association = Association.objects.get(client=helped, assister=navigator)
    url = reverse("clients:release", args=[association.public_id])
    sign_in(client, navigator.user)

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Stop being José Hernández's assister?" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse("clients:dashboard")
    assert "You are no longer José Hernández&#x27;s assister." in response.content.decode()
    association.refresh_from_db()
    assert (association.status, association.end_reason) == (AssociationStatus.ENDED, EndReason.RELEASED)
    assert client.get(detail_url(helped)).status_code == 404
    assert client.post(url).status_code == 404  # nothing left to release
    assert permissions_drift() == []


@pytest.mark.django_db
def test_only_the_assister_of_record_may_release(client, agency, navigator, helped):
    association = Association.objects.get(client=helped, assister=navigator)
    url = reverse("clients:release", args=[association.public_id])
    sign_in(client, agency.admin_user)
    assert client.get(url).status_code == 404
    client.post(reverse("account_logout"))
    colleague = make_assister(AssisterKind.NAVIGATOR, agency=agency)
    sign_in(client, colleague.user)
    assert client.post(url).status_code == 404
    association.refresh_from_db()
    assert association.status == AssociationStatus.ACTIVE


@pytest.mark.django_db
def test_the_client_page_query_count_does_not_grow_with_the_history(client, agency, navigator):
    short = make_client(first_name="Short", last_name="History")
    associate(short, navigator)
    long = make_client(first_name="Long", last_name="History")
    for _ in range(5):  # chosen, ended by the client, chosen again...
        association_end(association=associate(long, navigator), actor=long.user, reason="rescinded")
    associate(long, navigator)
    assert Association.objects.filter(client=long).count() == 6
    sign_in(client, navigator.user)
    client.get(detail_url(short))
    with CaptureQueriesContext(connection) as one:
        assert client.get(detail_url(short)).status_code == 200
    with CaptureQueriesContext(connection) as six:
        assert client.get(detail_url(long)).status_code == 200
    assert len(one) == len(six), "\n".join(q["sql"] for q in six.captured_queries)


@pytest.mark.django_db
def test_a_request_sent_from_find_a_client_is_shown_as_made_by_the_assister_not_the_client(client, navigator):
    person = make_client(first_name="Ana", last_name="García", ssn="987-65-4321", email="ana@example.org")
    sign_in(client, navigator.user)
    find = {"first_name": "Ana", "last_name": "García", "date_of_birth": "05/17/1980", "ssn_last4": "4321"}
    assert client.post(reverse("clients:find"), find).status_code == 302
    request = Association.objects.get(client=person, assister=navigator)
    browser = Client()  # the client, in their own browser
    sign_in(browser, person.user)
    confirm = reverse("associations:confirm", args=[request.public_id])
    assert browser.post(confirm, {"action": "confirm", "powers": ["view_client"], "agree": "on"}).status_code == 302

    html = client.get(detail_url(person)).content.decode()

    rows = [row for row in html.split("<tr>") if "<td>" in row]
    requested = next(row for row in rows if "<td>Requested" in row)
    granted = next(row for row in rows if "<td>Granted" in row)
    assert "Online, by the assister in the portal" in requested and "Nia Navigator" in requested
    assert "by the client" not in requested
    assert "Online, by the client in the portal" in granted and "The client" in granted
    assert "Recorded by" in html


@pytest.mark.django_db
def test_releasing_a_client_is_recorded_as_done_by_the_assister(client, navigator, helped):
    association = Association.objects.get(client=helped, assister=navigator)

    association_end(association=association, actor=navigator.user, reason=EndReason.RELEASED)

    revoked = association.consents.get(event=ConsentEvent.REVOKED)
    assert revoked.get_method_display() == "Online, by the assister in the portal"
    assert revoked.recorded_by == navigator.user


@pytest.mark.django_db
def test_the_history_says_the_client_ended_it_by_the_emailed_link_and_mnsure_for_certification_changes(
    client, agency, navigator, helped
):
    from associations.services import association_start_by_consumer, end_link_token
    from certification.services import certification_decide
    from certification.services.decisions import CertificationTransition
    from certification.tests.factories import staff_user

    first = Association.objects.get(client=helped, assister=navigator)
    client.post(reverse("associations:end_by_link", args=[end_link_token(first)]))  # nobody signed in
    colleague = make_assister(AssisterKind.CAC, agency=agency)
    association_start_by_consumer(client=helped, assister=colleague, powers=["view_client"], actor=helped.user)
    staff = staff_user()
    certification = colleague.certifications.get()
    certification_decide(
        certification=certification, action=CertificationTransition.SUSPEND, actor=staff, reason="Check."
    )
    certification_decide(
        certification=certification, action=CertificationTransition.REINSTATE, actor=staff, reason="OK."
    )
    sign_in(client, colleague.user)

    page = client.get(detail_url(helped)).content.decode()

    assert "The client, with the link we emailed them" in page
    assert "MNsure" in page and staff.email not in page and (staff.get_full_name() or staff.email) not in page
