import re

import pytest
from django.core import mail

from accounts.models import Role, User
from certification.models import Agency, AgencyKind, Certification, CertificationStatus, Invitation
from certification.tests.factories import make_agency
from conftest import PASSWORD, sign_in

URL = "/agencies/register/"


def form_data(**overrides):
    data = {
        "agency-kind": AgencyKind.BROKER_AGENCY,
        "agency-legal_name": "North Star Benefits LLC",
        "agency-public_name": "North Star Benefits",
        "agency-fein": "41-1234567",
        "agency-agency_npn": "1234567",
        "agency-contract_number": "",
        "agency-street": "100 Main St",
        "agency-city": "Duluth",
        "agency-state": "MN",
        "agency-zip_code": "55802",
        "agency-phone": "218-555-0100",
        "agency-public_email": "help@northstar.example.org",
        "agency-website": "northstar.example.org",
        "account-admin_first_name": "Grace",
        "account-admin_last_name": "Olson",
        "account-admin_email": "grace@northstar.example.org",
        "account-admin_password": PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_broker_agency_registers_and_its_admin_confirms_the_email_then_must_set_up_mfa(client):
    response = client.post(URL, form_data())
    assert response.status_code == 302
    agency = Agency.objects.get()
    assert agency.fein == "41-1234567"  # decrypted for the code…
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT fein FROM certification_agency")
        assert "41-1234567" not in cursor.fetchone()[0]  # …but only ciphertext in the database
    admin = User.objects.get(email="grace@northstar.example.org")
    assert admin.role == Role.AGENCY_ADMIN
    cert = Certification.objects.get(agency=agency)
    assert cert.status == CertificationStatus.SUBMITTED
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    response = client.post(response["Location"], {"code": code})
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert client.get("/agency/")["Location"] == "/accounts/2fa/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"agency-fein": "411234567"}, "like 41-1234567"),
        ({"agency-agency_npn": ""}, "must give its agency NPN"),
        ({"agency-kind": AgencyKind.NAVIGATOR_ORG, "agency-agency_npn": ""}, "contract or grant number"),
        ({"agency-state": "TX"}, "Select a valid choice"),
        ({"agency-zip_code": "5580"}, "5-digit ZIP"),
        ({"agency-phone": "call me"}, "10-digit phone"),
        ({"account-admin_password": "short"}, "too short"),
        ({"account-admin_email": "not-an-email"}, "valid email"),
    ],
)
def test_bad_registrations_say_what_to_fix_and_create_nothing(client, overrides, field_error):
    response = client.post(URL, form_data(**overrides))
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not Agency.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_registering_does_not_tell_who_has_an_account(client, consumer, django_capture_on_commit_callbacks):
    """The attack: post the public form with someone's address and read whether it "already has an account"."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(URL, form_data(**{"account-admin_email": consumer.email.upper()}), follow=True)
    assert not Agency.objects.exists() and User.objects.filter(email__iexact=consumer.email).count() == 1
    notice = [m for m in mail.outbox if m.to == [consumer.email]]
    assert len(notice) == 1 and "already exists" in notice[0].body  # its owner learns someone tried

    client.cookies.clear()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = client.post(URL, form_data(**{"account-admin_email": "new-admin@example.org"}), follow=True)
    assert Agency.objects.count() == 1

    def seen(response) -> tuple:
        html = response.content.decode()
        return response.redirect_chain[-1][0], "already has an account" in html, "Your agency is registered" in html

    assert seen(taken) == seen(fresh) == ("/accounts/confirm-email/", False, True)


@pytest.mark.django_db
def test_an_unapproved_agency_can_only_edit_its_registration(client):
    agency = make_agency(approved=False)
    sign_in(client, agency.admin_user)
    html = client.get("/agency/").content.decode()
    assert "Until MNsure approves it, you can only edit the registration" in html
    assert "Invite someone" not in html
    response = client.post(
        "/agency/invitations/", {"email": "x@example.org", "role": "assister", "assister_kind": "broker"}, follow=True
    )
    assert "must be approved by MNsure" in response.content.decode()
    assert not Invitation.objects.exists()
    assert client.get("/agency/listing/").status_code == 302
    response = client.post(
        "/agency/registration/",
        {k: v for k, v in form_data(**{"agency-public_name": "Renamed"}).items() if k.startswith("agency-")},
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.public_name == "Renamed"


@pytest.mark.django_db
def test_an_approved_agency_cannot_change_its_fein_itself(client):
    agency = make_agency()
    sign_in(client, agency.admin_user)
    data = {k: v for k, v in form_data(**{"agency-fein": "41-7654321"}).items() if k.startswith("agency-")}
    response = client.post("/agency/registration/", data)
    assert "ask MNsure to change" in response.content.decode()
    agency.refresh_from_db()
    assert agency.fein != "41-7654321"


@pytest.mark.django_db
def test_agency_registration_page_is_public_and_explains_itself(client):
    html = client.get(URL).content.decode()
    assert "Register an agency" in html and "independent broker registers an agency of one" in html


@pytest.mark.django_db
def test_kind_of_agency_offers_the_three_kinds_and_none_is_ticked_or_blank(client):
    html = client.get(URL).content.decode()
    radios = re.findall(r'<input[^>]*name="agency-kind"[^>]*>', html)
    assert [re.search(r'value="([^"]*)"', radio).group(1) for radio in radios] == [
        "broker_agency",
        "navigator_org",
        "cac_org",
    ]
    assert "---------" not in html
    assert not any("checked" in radio for radio in radios)
    response = client.post(URL, {"agency-legal_name": "Lakeside Insurance"})
    assert "Choose the kind of agency." in response.content.decode()
