"""Exchange staff review certifications in the Django admin: lists, filters, checks and decisions."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification import services
from certification.models import (
    AgencyKind,
    AssisterKind,
    BackgroundStudy,
    Certification,
    CertificationEvent,
    CertificationStatus,
    MembershipRole,
)
from certification.requirements import planned_valid_until
from certification.tests.factories import (
    PASSWORD,
    complete_application,
    make_agency,
    make_assister,
    staff_checks,
    staff_user,
)
from conftest import sign_in

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/certification/certification/"


def change_url(certification):
    return f"{CHANGELIST}{certification.pk}/change/"


def decide_url(certification):
    return f"{CHANGELIST}{certification.pk}/decide/"


@pytest.fixture
def staff_client(client, exchange_staff):
    sign_in(client, exchange_staff)
    return client


def listed(client, url=CHANGELIST, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def submitted_and_checked(kind, **invite):
    certification = make_assister(kind, state="submitted", **invite).certifications.get()
    return staff_checks(certification)


def bulk(client, action, certifications, reason=None):
    data = {"action": action, "_selected_action": [c.pk for c in certifications]}
    if reason is not None:
        data.update(confirm="yes", reason=reason)
    return client.post(CHANGELIST, data, follow=reason is not None)


def refreshed(certification):
    certification.refresh_from_db()
    return certification


# --- The list ----------------------------------------------------------------------------


def test_changelist_filters_by_status_kind_agency_expiry_and_renewal(staff_client):
    broker = make_assister(AssisterKind.BROKER, first_name="Greta", last_name="Lindqvist")
    navigator_org = make_agency(AgencyKind.NAVIGATOR_ORG, public_name="Northern Lights Navigators")
    navigator = make_assister(AssisterKind.NAVIGATOR, agency=navigator_org, state="submitted")
    cac = make_assister(AssisterKind.CAC, state="draft")
    broker_cert, navigator_cert, cac_cert = (a.certifications.get() for a in (broker, navigator, cac))
    agency_cert = navigator_org.certifications.get()

    page = staff_client.get(CHANGELIST)
    html = page.content.decode()
    for title in ("status", "kind", "agency", "valid until (month)", "is renewal"):
        assert f'data-filter-title="{title}"' in html
    assert "Northern Lights Navigators" in html and "Already expired" in html
    assert "Greta Lindqvist" in html

    assert listed(staff_client, status="submitted") == {navigator_cert}
    assert listed(staff_client, kind="broker") == {broker_cert}
    assert listed(staff_client, kind="navigator_org") == {agency_cert}
    assert listed(staff_client, agency=navigator_org.pk) == {agency_cert, navigator_cert}
    month = broker_cert.valid_until.strftime("%Y-%m")
    approved = set(Certification.objects.filter(status=CertificationStatus.APPROVED))
    assert broker_cert in approved and cac_cert not in approved
    assert listed(staff_client, expires=month) == approved
    assert listed(staff_client, expires="expired") == set()
    assert listed(staff_client, is_renewal__exact="0") == set(Certification.objects.all())
    for column in range(1, 9):  # every column sorts, including the computed ones
        assert len(listed(staff_client, o=str(column))) == Certification.objects.count()


def test_changelist_searches_by_name_email_npn_and_assister_id(staff_client):
    broker = make_assister(AssisterKind.BROKER, first_name="Greta", last_name="Lindqvist", email="greta.l@example.net")
    draft_broker = make_assister(AssisterKind.BROKER, state="draft", first_name="Hal", last_name="Okafor")
    navigator_org = make_agency(AgencyKind.NAVIGATOR_ORG, public_name="Northern Lights Navigators")
    broker_cert = broker.certifications.get()

    assert listed(staff_client, q="Lindqvist") == {broker_cert}
    assert listed(staff_client, q="greta lindqvist") == {broker_cert}
    assert listed(staff_client, q="greta.l@example.net") == {broker_cert}
    assert listed(staff_client, q=broker.npn) == {broker_cert}  # the draft broker has no NPN yet
    assert listed(staff_client, q=broker.assister_id) == {broker_cert}
    assert listed(staff_client, q="Okafor") == {draft_broker.certifications.get()}
    assert listed(staff_client, q="Northern Lights") == {navigator_org.certifications.get()}
    assert listed(staff_client, q="nobody-like-this") == set()


def test_agency_admin_finds_an_agency_by_exact_fein_through_its_hash(staff_client):
    prairie = make_agency(fein="27-7654321", public_name="Prairie Brokers")
    make_agency(fein="27-7654322", public_name="Lakeside Brokers")
    agencies = "/admin/certification/agency/"

    assert listed(staff_client, agencies, q="27-7654321") == {prairie}
    assert listed(staff_client, agencies, q="7654321") == set()  # no partial match on an encrypted value
    assert listed(staff_client, agencies, q="Prairie") == {prairie}
    assert listed(staff_client, agencies, q=prairie.agency_npn) == {prairie}
    detail = staff_client.get(f"{agencies}{prairie.pk}/change/").content.decode()
    assert "••-•••4321" in detail and "27-7654321" not in detail
    assert prairie.admin_user.email in detail  # the membership inline


def test_changelist_query_count_is_the_same_at_1_and_50_rows(staff_client, settings):
    settings.INVITATIONS_PER_HOUR = settings.INVITATIONS_PER_DAY = 100  # one admin builds 50 rows here
    agency = make_agency()  # its registration is the one certification

    def count_queries():
        staff_client.get(CHANGELIST)  # warm-up: the session's activity stamp is saved at most every 15 s
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(CHANGELIST)
        assert response.status_code == 200
        return len(queries), response.context["cl"].result_count

    at_1, rows = count_queries()
    assert rows == 1
    for n in range(49):  # 50 rows, all on the first page (DESIGN §9: 1 and 50)
        _, token = services.invitation_create(
            agency=agency,
            actor=agency.admin_user,
            email=f"bulk{n}@assister.example.org",
            role=MembershipRole.ASSISTER,
            assister_kind=AssisterKind.BROKER,
        )
        services.invitation_accept(token=token, first_name="Bulk", last_name=f"Broker{n}", password=PASSWORD)
    at_50, rows = count_queries()
    assert rows == 50
    print(f"\nCertification changelist queries: {at_1} at 1 row, {at_50} at 50 rows")
    assert at_1 == at_50


# --- Bulk decisions ---------------------------------------------------------------------------


def test_bulk_approve_of_checked_applications_records_the_reason_and_emails(
    staff_client, exchange_staff, django_capture_on_commit_callbacks
):
    broker_cert = submitted_and_checked(AssisterKind.BROKER, first_name="Greta", last_name="Lindqvist")
    navigator_cert = submitted_and_checked(AssisterKind.NAVIGATOR, first_name="Omar", last_name="Haddad")

    confirm = bulk(staff_client, "approve", [broker_cert, navigator_cert])
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Greta Lindqvist" in page and "Omar Haddad" in page and 'name="reason"' in page
    assert refreshed(broker_cert).status == CertificationStatus.SUBMITTED  # nothing happens before the reason is given

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(staff_client, "approve", [broker_cert, navigator_cert], reason="All requirements checked.")
    assert "Approve: done for 2 of 2 selected certifications." in response.content.decode()
    for certification in (broker_cert, navigator_cert):
        assert refreshed(certification).status == CertificationStatus.APPROVED
        event = certification.events.last()
        assert (event.actor, event.to_status, event.reason) == (
            exchange_staff,
            CertificationStatus.APPROVED,
            "All requirements checked.",
        )
    approved = "[MNsure Assister Portal] New notice: Your certification is approved"
    emailed = {m.to[0]: m.subject for m in mail.outbox}
    for certification in (broker_cert, navigator_cert):  # the assister and the agency's admins, one email each
        assert emailed[certification.assister.user.email] == approved
        for admin in certification.assister.agency.memberships.filter(role="admin"):
            assert emailed[admin.user.email] == approved
    assert len(mail.outbox) == len(emailed)  # nobody twice


def test_bulk_approve_including_a_draft_reports_the_draft_and_approves_the_others(staff_client):
    draft_cert = make_assister(AssisterKind.CAC, state="draft", first_name="Mai", last_name="Vang").certifications.get()
    ready_cert = submitted_and_checked(AssisterKind.NAVIGATOR)

    response = bulk(staff_client, "approve", [draft_cert, ready_cert], reason="Reviewed.")
    html = response.content.decode()
    assert "Mai Vang — Draft</a>: Cannot approve a certification that is draft." in html
    assert "Approve: done for 1 of 2 selected certifications." in html
    assert refreshed(draft_cert).status == CertificationStatus.DRAFT
    assert refreshed(ready_cert).status == CertificationStatus.APPROVED
    assert not draft_cert.events.exists()


def test_broker_whose_license_expires_before_the_period_ends_cannot_be_approved(staff_client):
    assister = make_assister(AssisterKind.BROKER, state="draft", first_name="Lars", last_name="Berg")
    certification = assister.certifications.get()
    complete_application(certification, license_expires_on=planned_valid_until(certification) - timedelta(days=1))
    services.certification_submit(certification=certification, actor=assister.user)
    staff_checks(certification)

    response = bulk(staff_client, "approve", [certification], reason="Looks fine.")
    html = response.content.decode()
    assert "Cannot approve: Minnesota license valid through the certification period." in html
    assert "Approve: done for 0 of 1 selected certifications." in html
    assert refreshed(certification).status == CertificationStatus.SUBMITTED

    # The single-object page refuses it too, as a form error, and changes nothing.
    response = staff_client.post(decide_url(certification), {"decision": "approve", "reason": "Looks fine."})
    assert response.status_code == 200
    assert "Minnesota license valid through the certification period" in response.content.decode()
    assert refreshed(certification).status == CertificationStatus.SUBMITTED
    assert not certification.events.filter(to_status=CertificationStatus.APPROVED).exists()


def test_an_empty_reason_reshows_the_page_and_changes_nothing(staff_client, django_capture_on_commit_callbacks):
    certification = submitted_and_checked(AssisterKind.NAVIGATOR)
    events = certification.events.count()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(staff_client, "deny", [certification], reason="   ")
    assert response.status_code == 200
    assert response.redirect_chain == []
    html = response.content.decode()
    assert "Give a reason: it is recorded and shown to the applicant." in html
    assert f'name="_selected_action" value="{certification.pk}"' in html
    assert refreshed(certification).status == CertificationStatus.SUBMITTED
    assert certification.events.count() == events
    assert mail.outbox == []


def test_reinstating_a_suspended_certification(staff_client, exchange_staff, django_capture_on_commit_callbacks):
    certification = make_assister(AssisterKind.NAVIGATOR).certifications.get()
    services.certification_decide(
        certification=certification, action="suspend", actor=staff_user(), reason="Complaint under review."
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(staff_client, "reinstate", [certification], reason="Complaint resolved.")
    assert "Reinstate: done for 1 of 1 selected certifications." in response.content.decode()
    assert refreshed(certification).status == CertificationStatus.APPROVED
    event = certification.events.last()
    assert (event.from_status, event.to_status, event.reason, event.actor) == (
        CertificationStatus.SUSPENDED,
        CertificationStatus.APPROVED,
        "Complaint resolved.",
        exchange_staff,
    )
    assert {m.subject for m in mail.outbox} == {"[MNsure Assister Portal] New notice: Your certification is reinstated"}
    assert certification.assister.user.email in {m.to[0] for m in mail.outbox}


# --- One certification: the change page and the decide page ------------------------------------


def test_change_page_shows_checklist_history_and_applicant_read_only(staff_client):
    assister = make_assister(AssisterKind.BROKER, state="submitted", first_name="Greta", last_name="Lindqvist")
    certification = assister.certifications.get()

    html = staff_client.get(change_url(certification)).content.decode()
    assert '<ul class="errorlist"><li><strong>Missing:</strong> License verified by staff</li></ul>' in html
    assert "<strong>Met:</strong> Training completed" in html
    assert "April 12, 1985" in html and "1234567" in html and "40123456" in html and "North Star Mutual" in html
    assert "Submitted" in html  # the history inline: draft → submitted
    assert f'href="{decide_url(certification)}"' in html
    assert 'name="_save"' not in html and "deletelink" not in html

    agency_html = staff_client.get(change_url(assister.agency.certifications.get())).content.decode()
    assert assister.agency.fein in agency_html and assister.agency.agency_npn in agency_html
    assert "3 of 3 requirements met." in agency_html


def test_decide_page_records_the_background_study_then_approves_a_navigator(
    staff_client, exchange_staff, django_capture_on_commit_callbacks
):
    certification = make_assister(AssisterKind.NAVIGATOR, state="submitted").certifications.get()
    page = staff_client.get(decide_url(certification))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Background study result" in html and "Missing:" in html and "license_verified" not in html

    response = staff_client.post(decide_url(certification), {"background_study": BackgroundStudy.PASSED})
    assert response.status_code == 302 and response["Location"] == change_url(certification)
    assert refreshed(certification).background_study == BackgroundStudy.PASSED
    assert refreshed(certification).status == CertificationStatus.SUBMITTED

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            decide_url(certification), {"decision": "approve", "reason": "Background study passed."}, follow=True
        )
    assert "Decision recorded: Approve." in response.content.decode()
    assert refreshed(certification).status == CertificationStatus.APPROVED
    event = certification.events.last()
    assert (event.actor, event.reason) == (exchange_staff, "Background study passed.")
    assert {m.subject for m in mail.outbox} == {"[MNsure Assister Portal] New notice: Your certification is approved"}
    assert certification.assister.user.email in {m.to[0] for m in mail.outbox}


def test_decide_page_needs_a_reason_with_a_decision(staff_client):
    certification = submitted_and_checked(AssisterKind.BROKER)
    response = staff_client.post(decide_url(certification), {"decision": "deny", "reason": ""})
    assert response.status_code == 200
    assert "Give a reason" in response.content.decode()
    assert refreshed(certification).status == CertificationStatus.SUBMITTED
    response = staff_client.post(decide_url(certification), {"decision": "reinstate", "reason": "x"})
    assert "not possible for a certification that is submitted" in response.content.decode()


def test_decide_page_verifies_a_broker_license(staff_client):
    certification = make_assister(AssisterKind.BROKER, state="submitted").certifications.get()
    response = staff_client.post(decide_url(certification), {"license_verified": "yes"})
    assert response.status_code == 302
    assert refreshed(certification).license_verified_by_staff is True


# --- Permissions ------------------------------------------------------------------------------


def test_staff_cannot_add_change_or_delete_certifications(staff_client):
    certification = make_assister(AssisterKind.NAVIGATOR, state="submitted").certifications.get()
    assert staff_client.get(f"{CHANGELIST}add/").status_code == 403
    assert staff_client.post(f"{CHANGELIST}add/", {"status": "approved"}).status_code == 403
    assert staff_client.post(f"{CHANGELIST}{certification.pk}/delete/", {"post": "yes"}).status_code == 403
    assert staff_client.post(change_url(certification), {"status": "approved"}).status_code == 403
    assert staff_client.get("/admin/certification/agency/add/").status_code == 403
    assert 'value="delete_selected"' not in staff_client.get(CHANGELIST).content.decode()
    assert refreshed(certification).status == CertificationStatus.SUBMITTED
    assert Certification.objects.filter(pk=certification.pk).exists()


def test_an_assister_cannot_reach_the_decide_page(client):
    assister = make_assister(AssisterKind.NAVIGATOR, state="submitted")
    certification = assister.certifications.get()
    sign_in(client, assister.user)
    response = client.post(decide_url(certification), {"decision": "approve", "reason": "Me!"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")  # then 403: not staff
    assert refreshed(certification).status == CertificationStatus.SUBMITTED
    assert not CertificationEvent.objects.filter(
        certification=certification, to_status=CertificationStatus.APPROVED
    ).exists()


def test_assister_invitation_and_membership_admins_are_read_only_lists(staff_client):
    assister = make_assister(AssisterKind.BROKER, first_name="Greta", last_name="Lindqvist", email="greta@example.net")
    for model in ("assister", "invitation", "agencymembership"):
        url = f"/admin/certification/{model}/"
        assert "greta@example.net" in staff_client.get(url).content.decode()
        assert staff_client.get(f"{url}add/").status_code == 403
    assisters = "/admin/certification/assister/"
    assert listed(staff_client, assisters, q=assister.assister_id) == {assister}
    assert listed(staff_client, assisters, q="Lindqvist") == {assister}
    detail = staff_client.get(f"{assisters}{assister.pk}/change/").content.decode()
    assert "Greta Lindqvist" in detail and 'name="_save"' not in detail
    invitation = staff_client.get("/admin/certification/invitation/").content.decode()
    assert "token_hash" not in invitation


@pytest.mark.django_db
def test_a_staff_member_in_the_reviewers_group_can_decide_without_being_superuser(client):
    from django.contrib.auth.models import Group

    from accounts.models import Role
    from accounts.tests.factories import UserFactory

    reviewer = UserFactory(role=Role.STAFF, email="reviewer-group@example.org", mfa=True)
    reviewer.groups.add(Group.objects.get(name="Certification reviewers"))
    assister = make_assister(AssisterKind.BROKER, state="submitted")
    cert = staff_checks(assister.certifications.get())
    sign_in(client, reviewer)
    assert client.get("/admin/certification/certification/").status_code == 200
    client.post(
        f"/admin/certification/certification/{cert.pk}/decide/",
        {"decision": "approve", "reason": "Reviewed by a non-superuser."},
    )
    cert.refresh_from_db()
    assert cert.status == "approved"
    assert client.get("/admin/accounts/user/").status_code == 403  # no more than the group grants
