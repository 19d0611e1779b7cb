import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from assister_portal.lib.state_machine import TransitionNotAllowed
from certification import services
from certification.models import (
    AssisterKind,
    BackgroundStudy,
    Certification,
    CertificationEvent,
    CertificationStatus,
    IssuedAssisterId,
)
from certification.periods import period_end_for, renewal_opens_for
from certification.services import ASSISTER_ID_ALPHABET, CERTIFICATION_MACHINE
from certification.tests.factories import complete_application, make_assister, staff_checks, staff_user
from conftest import sign_in
from notices.models import Notice

CHICAGO = timezone.get_fixed_timezone(-360)


def at(year, month, day):
    return datetime(year, month, day, 12, 0, tzinfo=CHICAGO)


def decide(cert, action, reason="Reviewed."):
    return services.certification_decide(certification=cert, action=action, actor=staff_user(), reason=reason)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(AssisterKind))
def test_whole_lifecycle_through_the_pages(client, kind, django_capture_on_commit_callbacks):
    assister = make_assister(kind, state="draft", mfa=True)
    sign_in(client, assister.user)
    page = client.get("/certification/").content.decode()
    assert "Draft" in page and "To do" in page
    form = client.get("/certification/application/").content.decode()
    if kind == AssisterKind.BROKER:
        assert "National Producer Number" in form and "Errors-and-omissions" in form
    else:
        assert "spouse or domestic partner" in form and "National Producer Number" not in form
    data = {
        "legal_first_name": "Pat",
        "legal_last_name": assister.legal_last_name,
        "date_of_birth": "1985-04-12",
        "training_completed_on": "2026-10-01",
        "training_certificate_number": "TRN-42",
        "agreement-typed_name": f"Pat {assister.legal_last_name}",
    }
    if kind == AssisterKind.BROKER:
        data |= {
            "npn": "7654321",
            "license_number": "40999",
            "license_expires_on": "2029-12-31",
            "eo_carrier": "North Star Mutual",
            "eo_policy_number": "EO-1",
            "eo_expires_on": "2029-12-31",
        }
    response = client.post("/certification/application/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    cert = assister.certifications.get()
    assert cert.agreement_signed_at and cert.agreement_signed_ip == "127.0.0.1"
    assert client.post("/certification/application/submit/").status_code == 302
    cert.refresh_from_db()
    assert cert.status == CertificationStatus.SUBMITTED
    assert client.get("/certification/application/").status_code == 404  # locked once submitted
    staff_checks(cert)
    with django_capture_on_commit_callbacks(execute=True):
        decide(cert, "approve", "Everything checks out.")
    assister.refresh_from_db()
    page = client.get("/certification/").content.decode()
    assert "You are certified" in page and assister.assister_id in page
    assert "Everything checks out." in page
    approval = Notice.objects.get(user=assister.user, kind="certification_approved")
    assert approval.data["body"]["assister_id"] == assister.assister_id  # the notice says the new ID
    assert [m.to for m in mail.outbox if assister.user.email in m.to] == [[assister.user.email]]


@pytest.mark.django_db
def test_bad_application_input_is_refused_and_nothing_changes(client):
    assister = make_assister(AssisterKind.BROKER, state="draft")
    sign_in(client, assister.user)
    response = client.post(
        "/certification/application/",
        {
            "legal_first_name": "Pat",
            "legal_last_name": "Person",
            "date_of_birth": "not a date",
            "training_completed_on": "2026-10-01",
            "training_certificate_number": "T",
            "npn": "12ab",
            "license_number": "1",
            "license_expires_on": "2029-01-01",
            "eo_carrier": "x",
            "eo_policy_number": "y",
            "eo_expires_on": "2029-01-01",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the date like 05/17/1980" in html and "1 to 10 digits" in html
    assert assister.certifications.get().training_certificate_number == ""


@pytest.mark.django_db
def test_the_agreement_is_signed_only_with_the_exact_legal_name(client):
    assister = make_assister(AssisterKind.NAVIGATOR, state="draft", first_name="Hodan", last_name="Ali")
    cert = assister.certifications.get()
    with pytest.raises(Exception, match="exactly as above"):
        services.certification_sign_agreement(certification=cert, actor=assister.user, typed_name="H. Ali")
    services.certification_sign_agreement(certification=cert, actor=assister.user, typed_name="  hodan   ALI ")
    cert.refresh_from_db()
    assert cert.agreement_version == "2026-1" and cert.agreement_signed_at is not None


def _cert_in(status):
    """A certification in `status`, reached through the services."""
    assister = make_assister(AssisterKind.NAVIGATOR, state="draft")
    cert = assister.certifications.get()
    if status == CertificationStatus.DRAFT:
        return cert
    if status == CertificationStatus.WITHDRAWN:
        return services.certification_withdraw(certification=cert, actor=assister.user)
    complete_application(cert)
    cert = services.certification_submit(certification=cert, actor=assister.user)
    if status == CertificationStatus.SUBMITTED:
        return cert
    cert = staff_checks(cert)
    if status == CertificationStatus.IN_REVIEW:
        return services.certification_start_review(certification=cert, actor=staff_user())
    action = {CertificationStatus.INFO_REQUESTED: "request_info", CertificationStatus.DENIED: "deny"}.get(
        status, "approve"
    )
    cert = decide(cert, action)
    if status in (CertificationStatus.SUSPENDED, CertificationStatus.DECERTIFIED):
        cert = decide(cert, {"suspended": "suspend", "decertified": "decertify"}[status])
    if status == CertificationStatus.EXPIRED:
        with time_machine.travel(
            at(cert.valid_until.year, cert.valid_until.month, cert.valid_until.day) + timedelta(days=2)
        ):
            cert = services.certification_expire(certification=cert)
    return cert


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(CertificationStatus))
def test_every_forbidden_transition_is_refused_with_a_message_and_changes_nothing(status):
    cert = _cert_in(status)
    assert cert.status == status
    events_before = CertificationEvent.objects.filter(certification=cert).count()
    for transition in CERTIFICATION_MACHINE:
        if status in transition.sources:
            continue
        with pytest.raises(TransitionNotAllowed, match="Cannot"):
            CERTIFICATION_MACHINE.run(cert, transition.name, actor=staff_user(), reason="Trying anyway.")
        cert.refresh_from_db()
        assert cert.status == status, transition.name
    assert CertificationEvent.objects.filter(certification=cert).count() == events_before


@pytest.mark.django_db
def test_approving_a_draft_is_refused():
    cert = _cert_in(CertificationStatus.DRAFT)
    with pytest.raises(TransitionNotAllowed, match="Cannot approve a certification that is draft"):
        decide(cert, "approve")


@pytest.mark.django_db
def test_a_decision_needs_a_reason():
    cert = _cert_in(CertificationStatus.SUBMITTED)
    with pytest.raises(TransitionNotAllowed, match="Give a reason"):
        decide(cert, "deny", reason="   ")
    cert.refresh_from_db()
    assert cert.status == CertificationStatus.SUBMITTED


@pytest.mark.django_db
def test_a_broker_whose_license_ends_before_the_period_cannot_be_approved():
    with time_machine.travel(at(2026, 11, 27)):
        assister = make_assister(AssisterKind.BROKER, state="draft")
        cert = complete_application(assister.certifications.get(), license_expires_on=date(2027, 6, 30))
        services.certification_submit(certification=cert, actor=assister.user)
        staff_checks(cert)
        with pytest.raises(TransitionNotAllowed, match="license valid through the certification period"):
            decide(cert, "approve")
        cert.refresh_from_db()
        assert cert.status == CertificationStatus.SUBMITTED


@pytest.mark.django_db
def test_navigator_cannot_be_approved_without_a_passed_background_study():
    assister = make_assister(AssisterKind.NAVIGATOR, state="submitted")
    cert = assister.certifications.get()
    with pytest.raises(TransitionNotAllowed, match="Background study"):
        decide(cert, "approve")
    services.certification_record_check(certification=cert, actor=staff_user(), background_study=BackgroundStudy.FAILED)
    with pytest.raises(TransitionNotAllowed, match="Background study"):
        decide(cert, "approve")


@pytest.mark.django_db
def test_approval_issues_a_readable_unique_assister_id_and_a_period_to_the_day_before_open_enrollment():
    with time_machine.travel(at(2026, 11, 27)):
        assister = make_assister(AssisterKind.CAC)
    cert = assister.certifications.get()
    assert (cert.valid_from, cert.valid_until) == (date(2026, 11, 27), date(2027, 10, 31))
    assert re.fullmatch(f"[{ASSISTER_ID_ALPHABET}]{{9}}", assister.assister_id)
    assert not set(assister.assister_id) & set("0O1IL")
    assert IssuedAssisterId.objects.filter(value=assister.assister_id).exists()


def test_period_end_follows_the_open_enrollment_setting(settings):
    assert period_end_for(date(2026, 10, 31)) == date(2026, 10, 31)
    assert period_end_for(date(2026, 11, 1)) == date(2027, 10, 31)
    settings.OPEN_ENROLLMENT_START = (11, 15)
    assert period_end_for(date(2026, 11, 1)) == date(2026, 11, 14)
    assert renewal_opens_for(date(2027, 10, 31)) == date(2027, 8, 1)


@pytest.mark.django_db
def test_withdrawing_before_a_decision(client):
    assister = make_assister(AssisterKind.BROKER, state="submitted")
    sign_in(client, assister.user)
    client.post("/certification/application/withdraw/")
    assert assister.certifications.get().status == CertificationStatus.WITHDRAWN
    page = client.get("/certification/").content.decode()
    assert "Withdrawn" in page and "Start a new application" in page
    client.post("/certification/apply-again/")
    assert assister.certifications.filter(status=CertificationStatus.DRAFT).count() == 1


@pytest.mark.django_db
def test_request_more_information_then_resubmit(client):
    assister = make_assister(AssisterKind.BROKER, state="submitted")
    cert = assister.certifications.get()
    decide(cert, "request_info", "Upload a clearer E&O certificate number.")
    sign_in(client, assister.user)
    page = client.get("/certification/").content.decode()
    assert "Upload a clearer E&amp;O certificate number." in page
    assert client.get("/certification/application/").status_code == 200
    client.post("/certification/application/submit/")
    cert.refresh_from_db()
    assert cert.status == CertificationStatus.SUBMITTED


@pytest.mark.django_db
def test_renewal_opens_august_first_prefilled_and_starts_when_the_old_period_ends(client):
    with time_machine.travel(at(2026, 11, 27)):
        assister = make_assister(AssisterKind.BROKER)
    old = assister.certifications.get()
    old_id, ids_issued = assister.assister_id, IssuedAssisterId.objects.count()
    with time_machine.travel(at(2027, 7, 31)), pytest.raises(Exception, match="Renewal opens on 2027-08-01"):
        services.certification_renew(assister=assister, actor=assister.user)
    with time_machine.travel(at(2027, 8, 2)):
        sign_in(client, assister.user)
        assert "Renew for the next period" in client.get("/certification/").content.decode()
        client.post("/certification/renew/")
        renewal = Certification.objects.get(renews=old)
        assert renewal.is_renewal and renewal.license_number == old.license_number
        services.certification_sign_agreement(certification=renewal, actor=assister.user, typed_name=assister.full_name)
        services.certification_submit(certification=renewal, actor=assister.user)
        staff_checks(renewal)
        renewal = decide(renewal, "approve")
    assert (renewal.valid_from, renewal.valid_until) == (date(2027, 11, 1), date(2028, 10, 31))
    assister.refresh_from_db()
    assert assister.assister_id == old_id  # a renewal keeps the assister ID…
    assert IssuedAssisterId.objects.count() == ids_issued  # …and issues no new one


@pytest.mark.django_db
def test_the_applicant_and_agency_admin_are_emailed_with_the_name_only(django_capture_on_commit_callbacks):
    assister = make_assister(AssisterKind.CAC, state="submitted", first_name="Erik", last_name="Lind")
    cert = staff_checks(assister.certifications.get())
    with django_capture_on_commit_callbacks(execute=True):
        decide(cert, "deny", "Training certificate not found.")
    admin = assister.agency.memberships.get(role="admin").user
    denials = Notice.objects.filter(kind="certification_denied")
    assert sorted(denials.values_list("user", flat=True)) == sorted([assister.user.pk, admin.pk])  # one each
    assert {n.data["body"]["reason"] for n in denials} == {"Training certificate not found."}  # read in the portal
    assert sorted(m.to[0] for m in mail.outbox) == sorted([assister.user.email, admin.email])
    for message in mail.outbox:  # the email names the recipient only, and says where to read the notice
        person = assister.user if message.to == [assister.user.email] else admin
        assert f"Hello {person.first_name}," in message.body
        assert "Training certificate not found." not in message.body
        assert "Lind" not in message.body  # not even the assister's full name
        assert "1985" not in message.body
