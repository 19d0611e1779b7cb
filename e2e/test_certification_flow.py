"""Register an agency, approve it as staff, invite a broker and certify them — all through the pages."""

import re

import pytest
from django.core import mail

from accounts.models import Role
from accounts.tests.factories import UserFactory
from certification.models import Agency, Certification
from conftest import PASSWORD, totp_code
from e2e.conftest import assert_accessible
from e2e.helpers import set_up_totp, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def staff_decides(page, certification, decision, reason, **checks):
    page.goto(f"/admin/certification/certification/{certification.pk}/change/")
    assert_accessible(page, "admin certification page")
    page.get_by_role("link", name="Record checks or decide").click()
    page.wait_for_load_state()
    assert_accessible(page, "admin decide page")
    for label, value in checks.items():
        page.get_by_label(label).select_option(value)
    page.get_by_label("Decision").select_option(decision)
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name=re.compile("Save|Record|Apply|Decide", re.I)).first.click()
    page.wait_for_load_state()


def test_agency_to_certified_broker_through_the_pages(watched, django_capture_on_commit_callbacks):
    staff = UserFactory(role=Role.STAFF, email="reviewer@example.org", mfa=True, is_superuser=True)
    agency_page, staff_page, broker_page = watched.new_page(), watched.new_page(), watched.new_page()

    # 1. A broker registers an agency of one.
    agency_page.goto("/agencies/register/")
    assert_accessible(agency_page, "register an agency")
    agency_page.locator("label", has_text="Broker agency").click()  # USWDS draws the radio on the label
    agency_page.get_by_label("Legal name").fill("Lake Superior Benefits LLC")
    agency_page.get_by_label("Public name").fill("Lake Superior Benefits")
    agency_page.get_by_label("FEIN").fill("41-5550001")
    agency_page.get_by_label("Agency NPN").fill("7700123")
    agency_page.get_by_label("Street address").fill("1 Canal Park Dr")
    agency_page.get_by_label("City").fill("Duluth")
    agency_page.get_by_label("ZIP code").fill("55802")
    agency_page.get_by_label("Phone", exact=True).fill("218-555-0110")
    agency_page.get_by_label("Public email").fill("hello@lakesuperior.example.org")
    agency_page.get_by_label("Your first name").fill("Ingrid")
    agency_page.get_by_label("Your last name").fill("Larsen")
    agency_page.get_by_label("Your work email").fill("ingrid@lakesuperior.example.org")
    agency_page.get_by_label("Choose a password").fill(PASSWORD)
    agency_page.get_by_role("button", name="Register the agency").click()
    agency_page.wait_for_url(re.compile(r".*/accounts/confirm-email/.*"))
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    agency_page.get_by_label("Code").fill(code)
    agency_page.get_by_role("button", name="Confirm").click()
    agency_page.wait_for_load_state()
    assert agency_page.url.endswith("/accounts/2fa/")
    set_up_totp(agency_page, PASSWORD)
    agency_page.goto("/agency/")
    assert "you can only edit the registration" in agency_page.content()
    assert_accessible(agency_page, "agency home, pending")

    # 2. Staff approve the agency in the admin.
    sign_in(staff_page, staff.email, PASSWORD, totp=lambda: totp_code(staff))
    staff_page.goto("/admin/certification/certification/?status__exact=submitted")
    assert_accessible(staff_page, "admin certification list")
    agency_cert = Certification.objects.get(agency=Agency.objects.get())
    with django_capture_on_commit_callbacks(execute=True):
        staff_decides(staff_page, agency_cert, "approve", "FEIN and NPN verified.")
    agency_cert.refresh_from_db()
    assert agency_cert.status == "approved"

    # 3. The agency admin invites a broker.
    agency_page.goto("/agency/")
    assert_accessible(agency_page, "agency home, approved")
    agency_page.get_by_label("Email address").fill("bao@lakesuperior.example.org")
    agency_page.locator("label.usa-radio__label", has_text=re.compile(r"^Assister$")).click()
    with django_capture_on_commit_callbacks(execute=True):
        agency_page.get_by_role("button", name="Send the invitation").click()
        agency_page.wait_for_load_state()
    assert "Invitation sent to bao@lakesuperior.example.org" in agency_page.content()
    link = re.search(r"http://127\.0\.0\.1:8000(/invitations/\S+/)", mail.outbox[-1].body).group(1)

    # 4. The broker accepts, sets up MFA, completes and submits the application.
    broker_page.goto(link)
    assert_accessible(broker_page, "accept invitation")
    broker_page.get_by_label("Legal first name").fill("Bao")
    broker_page.get_by_label("Legal last name").fill("Vang")
    broker_page.get_by_label("Choose a password").fill(PASSWORD)
    broker_page.get_by_role("button", name="Create my account").click()
    broker_page.wait_for_load_state()
    set_up_totp(broker_page, PASSWORD)
    broker_page.goto("/certification/")
    assert_accessible(broker_page, "my certification, draft")
    broker_page.get_by_role("link", name="Complete or change the application").click()
    broker_page.wait_for_load_state()
    assert_accessible(broker_page, "application form")
    broker_page.get_by_label("Date of birth").fill("1984-03-02")
    broker_page.get_by_label("Training completed on").fill("2026-10-15")
    broker_page.get_by_label("Course certificate number").fill("TRN-2026-88")
    broker_page.get_by_label("National Producer Number (NPN)").fill("8812345")
    broker_page.get_by_label("Minnesota insurance license number").fill("40112233")
    broker_page.get_by_label("License expiry date").fill("2029-06-30")
    broker_page.get_by_label("Errors-and-omissions insurance carrier").fill("Gopher Mutual")
    broker_page.get_by_label("Errors-and-omissions policy number").fill("EO-88")
    broker_page.get_by_label("Errors-and-omissions coverage expiry date").fill("2029-06-30")
    broker_page.get_by_label("Type your full legal name to sign").fill("Bao Vang")
    broker_page.get_by_role("button", name="Save the application").click()
    broker_page.wait_for_load_state()
    broker_page.get_by_role("button", name="Submit to MNsure").click()
    broker_page.wait_for_load_state()
    assert "Your application was submitted" in broker_page.content()
    assert_accessible(broker_page, "my certification, submitted")

    # 5. Staff verify the license and approve; the broker sees the assister ID.
    broker_cert = Certification.objects.get(assister__user__email="bao@lakesuperior.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        staff_decides(
            staff_page,
            broker_cert,
            "approve",
            "License verified with Commerce.",
            **{"Minnesota license verified": "yes"},
        )
    broker_cert.refresh_from_db()
    assert broker_cert.status == "approved", staff_page.content()[:2000]
    broker_page.reload()
    assister_id = broker_cert.assister.assister_id
    assert assister_id and assister_id in broker_page.content()
    assert_accessible(broker_page, "my certification, approved")
