"""Asking to help a client who has an account, the list of requests, and recording consent given offline."""

import hashlib
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assister_portal.lib.uploads import ScanStatus
from assister_portal.tests.samples import pdf_with_javascript, plain_pdf, png
from associations import services as association_services
from associations.models import Association, AssociationStatus, Consent, ConsentEvent, ConsentMethod
from associations.permissions_sync import permissions_drift
from associations.tests.factories import ask_to_help
from audit.models import Action, AuditEvent
from certification import services as certification_services
from certification.models import AssisterKind
from certification.tests.factories import make_assister, staff_user
from clients.tests.factories import make_client
from conftest import sign_in

FIND = reverse("clients:find")
REQUESTS = reverse("clients:requests")
PDF = plain_pdf()
PNG = png()


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Uploaded evidence goes to a throwaway folder, not var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def cac(client):
    """A signed-in certified application counselor."""
    assister = make_assister(AssisterKind.CAC)
    sign_in(client, assister.user)
    return assister


@pytest.fixture
def known():
    """A client whose account an assister created and who has not claimed it yet: the only kind of client whose
    consent an assister may record offline (test_offline_consent_rules.py)."""
    return make_client(
        first_name="Ana",
        last_name="García",
        date_of_birth=date(1990, 2, 3),
        ssn="987-65-4321",
        email="ana@example.org",
        claimed=False,
    )


def find_details(**overrides):
    return {"first_name": "ana", "last_name": "GARCIA", "date_of_birth": "02/03/1990", "ssn_last4": "4321"} | overrides


def pending_for(known, cac):
    return ask_to_help(known, cac)


def consent_url(association) -> str:
    return reverse("clients:record_consent", args=[association.public_id])


def consent_form(**overrides):
    return {
        "method": ConsentMethod.PAPER_FORM,
        "evidence": SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf"),
        "call_reference": "",
        "consent_date": timezone.localdate().strftime("%m/%d/%Y"),
        "attestation": "on",
    } | overrides


# --- Find a client ------------------------------------------------------------------------


@pytest.mark.django_db
def test_finding_a_client_with_the_right_details_creates_a_pending_request(
    client, cac, known, django_capture_on_commit_callbacks
):
    assert client.get(FIND).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FIND, find_details(), follow=True)

    assert response.redirect_chain[-1][0] == REQUESTS
    association = Association.objects.get(client=known, assister=cac)
    assert association.status == AssociationStatus.PENDING
    html = response.content.decode()
    assert "Your request was sent." in html
    assert "Ana García" in html and consent_url(association) in html
    assert mail.outbox and mail.outbox[-1].to == ["ana@example.org"]


@pytest.mark.django_db
def test_finding_with_an_email_instead_of_the_ssn_works_too(client, cac, known):
    response = client.post(FIND, find_details(ssn_last4="", email="ANA@example.org", date_of_birth="1990-02-03"))
    assert response.status_code == 302
    assert Association.objects.filter(client=known, assister=cac, status=AssociationStatus.PENDING).exists()


@pytest.mark.django_db
def test_wrong_details_get_one_generic_error_that_does_not_say_which_part_failed(client, cac, known):
    for wrong in (
        find_details(ssn_last4="0000"),
        find_details(date_of_birth="02/04/1990"),
        find_details(last_name="X"),
    ):
        response = client.post(FIND, wrong)
        assert response.status_code == 200
        html = response.content.decode()
        assert "We could not match those details to a client." in html
        assert "usa-form-group--error" not in html  # no field is singled out
    assert not Association.objects.exists()
    assert AuditEvent.objects.filter(action=Action.CLIENT_LOOKUP_FAILED).count() == 3


@pytest.mark.django_db
def test_finding_needs_the_email_or_the_last_four_and_bad_input_is_explained(client, cac, known):
    html = client.post(FIND, find_details(ssn_last4="")).content.decode()
    assert "Give the client&#x27;s email address or the last four digits of their SSN." in html
    html = client.post(FIND, find_details(ssn_last4="12a", date_of_birth="Feb 3")).content.decode()
    assert "Enter exactly four digits, like 6789." in html
    assert "Enter the date like 05/17/1980" in html
    assert not Association.objects.exists()


@pytest.mark.django_db
def test_asking_twice_is_refused_politely(client, cac, known):
    client.post(FIND, find_details())
    html = client.post(FIND, find_details()).content.decode()
    assert "You already have a request or an association with this client." in html
    assert Association.objects.filter(client=known).count() == 1


@pytest.mark.django_db
def test_find_and_requests_are_for_assisters_only(client, consumer, known):
    from certification.tests.factories import make_agency

    sign_in(client, consumer)
    assert client.get(FIND).status_code == 404
    assert client.get(REQUESTS).status_code == 404
    client.post(reverse("account_logout"))
    sign_in(client, make_agency().admin_user)
    assert client.get(FIND).status_code == 404
    assert client.post(FIND, find_details()).status_code == 404


@pytest.mark.django_db
def test_an_assister_who_may_not_act_cannot_send_requests(client, cac, known):
    certification_services.certification_decide(
        certification=cac.certifications.get(), action="suspend", actor=staff_user(), reason="Lapsed."
    )
    response = client.post(FIND, find_details())
    assert "Your certification is not current" in response.content.decode()
    assert not Association.objects.exists()


# --- My requests ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_show_pending_declined_and_expired_newest_first(client, cac, known):
    declined_client = make_client(first_name="Dee", last_name="Clined", email="dee@example.org")
    expired_client = make_client(first_name="Ex", last_name="Pired", email="ex@example.org")
    ask_to_help(expired_client, cac)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert association_services.associations_expire_requests() == 1
    declined = ask_to_help(declined_client, cac)
    association_services.association_decline(association=declined, actor=declined_client.user)
    pending = pending_for(known, cac)

    response = client.get(REQUESTS)

    html = response.content.decode()
    assert html.index("Ana García") < html.index("Dee Clined") < html.index("Ex Pired")
    assert "Waiting for the client" in html and "Declined" in html and "Request expired" in html
    assert html.count("Record consent") == 1 and consent_url(pending) in html
    shown = AuditEvent.objects.filter(action=Action.CLIENT_LIST_VIEWED, details__what="requests")
    assert sorted(shown.values_list("client_id", flat=True)) == sorted(
        [known.pk, declined_client.pk, expired_client.pk]
    )


@pytest.mark.django_db
def test_requests_page_survives_bad_page_numbers(client, cac, known):
    pending_for(known, cac)
    for page in ("abc", "9999", "-3"):
        response = client.get(REQUESTS, {"page": page})
        assert response.status_code == 200 and "Ana García" in response.content.decode()


# --- Recording consent given offline -----------------------------------------------------------


@pytest.mark.django_db
def test_recording_a_signed_pdf_form_activates_the_association(
    client, cac, known, private_files, django_capture_on_commit_callbacks
):
    association = pending_for(known, cac)
    page = client.get(consent_url(association))
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(consent_url(association), consent_form())

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[known.public_id])
    association.refresh_from_db()
    assert association.status == AssociationStatus.ACTIVE
    consent = association.consents.get(event=ConsentEvent.GRANTED)
    assert consent.method == ConsentMethod.PAPER_FORM
    assert consent.recorded_by == cac.user
    evidence = consent.evidence_file
    assert (evidence.kind, evidence.uploaded_by, evidence.scan_status) == ("pdf", cac.user, ScanStatus.NOT_SCANNED)
    stored = evidence.file.read()
    assert stored.startswith(b"%PDF-") and hashlib.sha256(stored).hexdigest() == evidence.sha256
    assert not consent.evidence  # nothing is stored as sent any more
    assert "Ana García gave this consent on" in consent.attestation
    assert client.get(response["Location"]).status_code == 200
    assert permissions_drift() == []


@pytest.mark.django_db
def test_a_png_photo_of_the_form_is_accepted_and_stored_as_png_whatever_its_name(client, cac, known):
    association = pending_for(known, cac)
    upload = SimpleUploadedFile("photo.pdf", PNG, content_type="application/pdf")
    assert client.post(consent_url(association), consent_form(evidence=upload)).status_code == 302
    consent = Consent.objects.get(association=association, event=ConsentEvent.GRANTED)
    assert consent.evidence_file.kind == "png" and consent.evidence_file.file.name.endswith(".png")


@pytest.mark.django_db
def test_a_form_with_a_javascript_open_action_is_kept_without_it(client, cac, known):
    association = pending_for(known, cac)
    upload = SimpleUploadedFile("signed.pdf", pdf_with_javascript(), content_type="application/pdf")
    assert client.post(consent_url(association), consent_form(evidence=upload)).status_code == 302
    stored = Consent.objects.get(association=association, event=ConsentEvent.GRANTED).evidence_file.file.read()
    assert b"/JavaScript" not in stored and b"/OpenAction" not in stored and b"/JS" not in stored


@pytest.mark.django_db
def test_a_text_file_renamed_pdf_is_refused_in_plain_words(client, cac, known):
    association = pending_for(known, cac)
    fake = SimpleUploadedFile("signed.pdf", b"I agree. Signed, Ana", content_type="application/pdf")

    response = client.post(consent_url(association), consent_form(evidence=fake))

    assert response.status_code == 200
    assert "This file is not a PDF, JPEG or PNG." in response.content.decode()
    association.refresh_from_db()
    assert association.status == AssociationStatus.PENDING
    assert not Consent.objects.filter(association=association, event=ConsentEvent.GRANTED).exists()


@pytest.mark.django_db
def test_a_file_over_10_mb_is_refused(client, cac, known):
    association = pending_for(known, cac)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = client.post(consent_url(association), consent_form(evidence=big))
    assert "the limit is 10" in response.content.decode()
    association.refresh_from_db()
    assert association.status == AssociationStatus.PENDING


@pytest.mark.django_db
def test_each_method_needs_its_evidence_and_the_box_must_be_ticked(client, cac, known):
    association = pending_for(known, cac)
    url = consent_url(association)
    html = client.post(url, consent_form(evidence="")).content.decode()
    assert "Upload the signed consent form (PDF, JPEG or PNG)." in html
    html = client.post(url, consent_form(method=ConsentMethod.RECORDED_CALL, evidence="")).content.decode()
    assert "Give the reference of the recorded call as your phone system shows it" in html
    html = client.post(url, consent_form(attestation="")).content.decode()
    assert "Tick the box to confirm that the client gave this consent." in html
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    html = client.post(url, consent_form(consent_date=tomorrow)).content.decode()
    assert "The date cannot be in the future." in html
    html = client.post(url, consent_form(method="online")).content.decode()
    assert "Select a valid choice." in html
    association.refresh_from_db()
    assert association.status == AssociationStatus.PENDING


@pytest.mark.django_db
def test_a_recorded_call_with_its_reference_activates_the_association(client, cac, known):
    association = pending_for(known, cac)
    response = client.post(
        consent_url(association),
        consent_form(
            method=ConsentMethod.RECORDED_CALL,
            evidence="",
            call_reference="CALL-2026-0042",
            call_time="00:01",
            call_participants="Ana García (client), me",
        ),
    )
    assert response.status_code == 302
    consent = Consent.objects.get(association=association, event=ConsentEvent.GRANTED)
    assert (consent.method, consent.call_reference) == (ConsentMethod.RECORDED_CALL, "CALL-2026-0042")
    assert "recorded telephone call" in consent.attestation


@pytest.mark.django_db
def test_someone_elses_or_an_already_active_request_is_404(client, cac, known):
    other = make_assister(AssisterKind.BROKER)
    theirs = pending_for(known, other)
    assert client.get(consent_url(theirs)).status_code == 404
    assert client.post(consent_url(theirs), consent_form()).status_code == 404
    mine = pending_for(known, cac)
    assert client.post(consent_url(mine), consent_form()).status_code == 302
    assert client.get(consent_url(mine)).status_code == 404  # no longer pending
