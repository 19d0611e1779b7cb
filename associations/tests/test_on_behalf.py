"""An assister creates a client's account with consent given offline; the consumer claims it by link."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from assister_portal.tests.samples import plain_pdf
from associations import services
from associations.models import Association, AssociationStatus, ConsentMethod
from associations.permissions_sync import permissions_drift
from certification.models import AssisterKind
from certification.tests.factories import make_assister
from clients.models import ClaimInvitation, Client, ClientKind, EmployerDetails
from clients.tests.factories import make_client
from conftest import PASSWORD, sign_in
from core.models import County, Language

NEW = reverse("clients:create_on_behalf")
PDF = plain_pdf()


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


@pytest.fixture
def navigator(client):
    """A signed-in navigator."""
    assister = make_assister(AssisterKind.NAVIGATOR)
    sign_in(client, assister.user)
    return assister


def new_client_form(**overrides):
    return {
        "kind": ClientKind.HOUSEHOLD,
        "first_name": "Mai",
        "last_name": "Vang",
        "date_of_birth": "03/04/1975",
        "ssn": "321-54-9876",
        "email": "mai.vang@example.org",
        "phone": "651-555-0199",
        "street": "12 Elm St",
        "city": "Saint Paul",
        "zip_code": "55104",
        "county": County.objects.get(name="Ramsey").pk,
        "preferred_language": Language.objects.get(code="hmn").pk,
        "business_name": "",
        "fein": "",
        "employee_count": "",
        "method": ConsentMethod.PAPER_FORM,
        "evidence": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
        "call_reference": "",
        "consent_date": timezone.localdate().isoformat(),
        "attestation": "on",
        "powers": ["apply_for_client", "upload_for_client", "report_change_for_client", "view_notices_for_client"],
    } | overrides


# --- Creating the account ----------------------------------------------------------------


@pytest.mark.django_db
def test_creating_an_account_on_behalf_makes_the_client_an_active_association_and_a_claim_email(
    client, navigator, django_capture_on_commit_callbacks
):
    page = client.get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'value="select_plan_for_client"' in html and 'value="view_client"' not in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, new_client_form())

    created = Client.objects.get(search_last="vang")
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[created.public_id])
    assert created.user is None and created.created_by == navigator.user
    assert created.ssn_last4 == "9876" and created.county.name == "Ramsey"
    association = Association.objects.get(client=created)
    assert (association.assister, association.status) == (navigator, AssociationStatus.ACTIVE)
    assert association.powers == [
        "view_client",
        "apply_for_client",
        "upload_for_client",
        "report_change_for_client",
        "view_notices_for_client",
    ]
    evidence = association.consents.get(event="granted").evidence_file
    assert evidence.kind == "pdf" and evidence.file.read().startswith(b"%PDF-")
    claim_messages = [m for m in mail.outbox if m.to == ["mai.vang@example.org"] and "/claim/" in m.body]
    assert len(claim_messages) == 1
    assert ClaimInvitation.objects.filter(client=created, email="mai.vang@example.org").exists()
    page = client.get(response["Location"])
    assert page.status_code == 200 and "•••-••-9876" in page.content.decode()
    assert permissions_drift() == []


@pytest.mark.django_db
def test_the_powers_start_with_the_defaults_for_the_assisters_kind(client, navigator):
    html = client.get(NEW).content.decode()
    assert re.search(r'value="apply_for_client"\s+checked', html) or 'value="apply_for_client" checked' in html
    assert 'value="select_plan_for_client" checked' not in html  # navigators do not pick plans by default


@pytest.mark.django_db
def test_a_small_employer_needs_its_details_and_gets_them_saved(client, navigator):
    response = client.post(NEW, new_client_form(kind=ClientKind.EMPLOYER, last_name="Employer"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter the business name of the small employer." in html
    assert "Enter the employer&#x27;s FEIN, like 41-1234567." in html
    assert not Client.objects.filter(search_last="employer").exists()

    response = client.post(NEW, new_client_form(kind=ClientKind.EMPLOYER, fein="41-12345", employee_count="60"))
    html = response.content.decode()
    assert "Enter the FEIN as two digits, a hyphen and seven digits" in html
    assert "Larger employers cannot use SHOP." in html

    response = client.post(
        NEW,
        new_client_form(
            kind=ClientKind.EMPLOYER, business_name="Vang Noodles LLC", fein="41-7654321", employee_count="12"
        ),
    )
    assert response.status_code == 302
    details = EmployerDetails.objects.get(client__search_last="vang")
    assert (details.business_name, details.employee_count, details.fein) == ("Vang Noodles LLC", 12, "41-7654321")
    assert "Vang Noodles LLC" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_the_fein_may_be_typed_as_nine_digits_as_on_the_consumers_own_page(client, navigator):
    form = new_client_form(
        kind=ClientKind.EMPLOYER, last_name="Vang", business_name="Vang Noodles LLC", fein="41 7654321"
    )
    response = client.post(NEW, form | {"employee_count": "12"})
    assert response.status_code == 302
    assert EmployerDetails.objects.get(client__search_last="vang").fein == "41-7654321"


@pytest.mark.django_db
def test_a_household_ignores_employer_fields_left_blank(client, navigator):
    assert client.post(NEW, new_client_form()).status_code == 302
    assert not EmployerDetails.objects.exists()


@pytest.mark.django_db
def test_the_email_is_required_and_bad_input_is_explained(client, navigator):
    form = new_client_form(email="", ssn="12345", zip_code="5510", evidence="", date_of_birth="01/01/2999")
    html = client.post(NEW, form).content.decode()
    assert "The date of birth cannot be in the future." in html
    assert "Enter the client&#x27;s email address: we send them the link to claim the account." in html
    assert "Enter the SSN as nine digits" in html
    assert "Enter a 5-digit ZIP code." in html
    assert "Upload the signed consent form (PDF, JPEG or PNG)." in html
    assert not Client.objects.filter(search_last="vang").exists()


@pytest.mark.django_db
def test_a_duplicate_is_refused_with_a_pointer_to_request_an_association_instead(client, navigator):
    make_client(first_name="Mai", last_name="Váng", date_of_birth=date(1975, 3, 4))

    response = client.post(NEW, new_client_form(ssn=""))

    assert response.status_code == 200
    html = response.content.decode()
    assert "This person may already have an account. Ask to become their assister instead" in html
    assert f'href="{reverse("clients:find")}"' in html
    assert "Find the client and ask to become their assister" in html
    assert Client.objects.filter(search_last="vang").count() == 1
    assert not Association.objects.filter(assister=navigator).exists()


@pytest.mark.django_db
def test_a_duplicate_ssn_is_refused_too(client, navigator):
    make_client(first_name="Someone", last_name="Else", ssn="321-54-9876")
    html = client.post(NEW, new_client_form()).content.decode()
    assert "Ask to become their assister instead" in html
    assert not Client.objects.filter(search_last="vang").exists()


@pytest.mark.django_db
def test_only_assisters_may_create_accounts(client, consumer):
    sign_in(client, consumer)
    assert client.get(NEW).status_code == 404
    assert client.post(NEW, new_client_form()).status_code == 404
    assert not Client.objects.filter(search_last="vang").exists()


# --- Claiming it ----------------------------------------------------------------------------


@pytest.fixture
def created(db):
    """An account a broker created on behalf (not through the page): (client, claim path)."""
    broker = make_assister(AssisterKind.BROKER)
    call_at = timezone.now() - timedelta(minutes=10)
    record, token = services.client_create_on_behalf(
        assister=broker,
        actor=broker.user,
        fields={
            "kind": ClientKind.HOUSEHOLD,
            "first_name": "Mai",
            "last_name": "Vang",
            "date_of_birth": date(1975, 3, 4),
            "ssn": "321-54-9876",
            "email": "mai.vang@example.org",
        },
        employer=None,
        consent={
            "method": ConsentMethod.RECORDED_CALL,
            "given_on": timezone.localtime(call_at).date(),
            "attestation": "I confirm the client agreed on the call.",
            "call_reference": "CALL-2026-0001",
            "call_at": call_at,
            "call_participants": "Mai Vang (client), me",
        },
    )
    return record, reverse("clients:claim", args=[token])


def claim_form(**overrides):
    return {"date_of_birth": "03/04/1975", "ssn_last4": "9876", "password": PASSWORD} | overrides


@pytest.mark.django_db
def test_claiming_with_a_wrong_date_of_birth_fails_generically(client, created):
    record, link = created
    assert client.get(link).status_code == 200

    response = client.post(link, claim_form(date_of_birth="03/05/1975"))

    assert response.status_code == 200
    assert "Those details do not match our records." in response.content.decode()
    response = client.post(link, claim_form(ssn_last4="0000"))
    assert "Those details do not match our records." in response.content.decode()
    assert ClaimInvitation.objects.get(client=record).failed_attempts == 2
    assert not User.objects.filter(email="mai.vang@example.org").exists()


@pytest.mark.django_db
def test_claiming_with_the_right_details_creates_the_consumer_and_signs_them_in(client, created):
    record, link = created

    response = client.post(link, claim_form())

    assert response.status_code == 302
    assert response["Location"] == reverse("associations:my_assisters")
    user = User.objects.get(email="mai.vang@example.org")
    assert user.role == Role.CONSUMER
    record.refresh_from_db()
    assert record.user == user
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post(reverse("account_logout"))
    assert client.get(link).status_code == 404  # the link works once


@pytest.mark.django_db
def test_a_weak_password_is_refused_before_the_details_are_checked(client, created):
    record, link = created
    html = client.post(link, claim_form(password="password")).content.decode()
    assert "This password is too short." in html or "too common" in html
    assert ClaimInvitation.objects.get(client=record).failed_attempts == 0


@pytest.mark.django_db
def test_five_wrong_tries_stop_the_link(client, created):
    _record, link = created
    for _ in range(4):
        assert "Those details do not match" in client.post(link, claim_form(ssn_last4="0000")).content.decode()
    response = client.post(link, claim_form(ssn_last4="0000"))
    assert response.status_code == 404
    assert client.post(link, claim_form()).status_code == 404
    assert not User.objects.filter(email="mai.vang@example.org").exists()


@pytest.mark.django_db
def test_an_expired_link_is_refused_with_a_plain_explanation(client, created):
    _record, link = created
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.get(link)
        assert response.status_code == 404
        assert "Ask your assister for a new one." in response.content.decode()
        assert client.post(link, claim_form()).status_code == 404
    assert not User.objects.filter(email="mai.vang@example.org").exists()


@pytest.mark.django_db
def test_an_unknown_link_is_404(client):
    response = client.get(reverse("clients:claim", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "Ask your assister for a new one." in response.content.decode()
