import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import Role, User
from audit.models import Action, AuditEvent
from certification import services
from certification.models import AgencyKind, AgencyMembership, AssisterKind, Invitation, MembershipRole
from certification.selectors import assister_may_act
from certification.tests.factories import make_agency, make_assister
from conftest import PASSWORD, sign_in


def invite(client, email="new.broker@example.org", role="assister", kind="broker"):
    with_capture = client.post("/agency/invitations/", {"email": email, "role": role, "assister_kind": kind})
    return with_capture


def link_from_mail():
    return re.search(r"http://127\.0\.0\.1:8000(/invitations/\S+/)", mail.outbox[-1].body).group(1)


@pytest.fixture
def admin_client(client):
    agency = make_agency(AgencyKind.BROKER_AGENCY)
    sign_in(client, agency.admin_user)
    client.agency = agency
    return client


@pytest.mark.django_db
def test_admin_invites_a_broker_who_creates_an_account_from_the_link(
    admin_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client)
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new.broker@example.org"]
    link = link_from_mail()
    admin_client.post("/accounts/logout/")
    page = client.get(link)
    assert "You are invited as a broker" in page.content.decode()
    response = client.post(link, {"first_name": "Bao", "last_name": "Vang", "password": PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(email="new.broker@example.org")
    assert user.role == Role.ASSISTER and user.assister.kind == AssisterKind.BROKER
    assert user.emailaddress_set.get().verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/certification/")["Location"] == "/accounts/2fa/"  # MFA first
    # The link works once.
    client.post("/accounts/logout/")
    assert client.get(link).status_code == 404


@pytest.mark.django_db
def test_a_broker_agency_cannot_invite_a_navigator(admin_client):
    response = invite(admin_client, kind="navigator")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    with pytest.raises(Exception, match="can invite only"):
        services.invitation_create(
            agency=admin_client.agency,
            actor=admin_client.agency.admin_user,
            email="nav@example.org",
            role=MembershipRole.ASSISTER,
            assister_kind="navigator",
        )
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_navigator_organization_invites_navigators_and_counselors(client):
    agency = make_agency(AgencyKind.NAVIGATOR_ORG)
    sign_in(client, agency.admin_user)
    assert invite(client, "n@example.org", kind="navigator").status_code == 302
    assert invite(client, "c@example.org", kind="cac").status_code == 302
    assert invite(client, "b@example.org", kind="broker").status_code == 400


@pytest.mark.django_db
def test_invitations_expire_after_14_days(admin_client, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client)
    link = link_from_mail()
    admin_client.post("/accounts/logout/")
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        response = client.get(link)
        assert response.status_code == 404
        assert "expired" in response.content.decode()
        response = client.post(link, {"first_name": "A", "last_name": "B", "password": PASSWORD})
        assert response.status_code == 404
    assert not User.objects.filter(email="new.broker@example.org").exists()


@pytest.mark.django_db
def test_resend_replaces_the_link_and_revoke_kills_it(admin_client, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client)
    first = link_from_mail()
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/agency/invitations/{invitation.public_id}/resend/")
    second = link_from_mail()
    assert first != second
    admin_client.post(f"/agency/invitations/{invitation.public_id}/revoke/")
    for link in (first, second):
        assert client.get(link).status_code == 404
    assert Invitation.objects.get().state == "revoked"
    # revoking again explains itself
    response = admin_client.post(f"/agency/invitations/{invitation.public_id}/revoke/", follow=True)
    assert "already accepted or revoked" in response.content.decode()


@pytest.mark.django_db
def test_duplicate_open_invitation_is_refused_with_a_way_forward(admin_client):
    invite(admin_client)
    response = invite(admin_client)
    assert response.status_code == 400
    assert "Resend it instead" in response.content.decode()
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_admin_adds_support_staff(admin_client, client):
    response = invite(admin_client, "helper@example.org", role="support", kind="")
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.role == MembershipRole.SUPPORT and invitation.assister_kind == ""


@pytest.mark.django_db
def test_removing_a_member_ends_their_access(admin_client):
    assister = make_assister(AssisterKind.BROKER, agency=admin_client.agency)
    assert assister_may_act(assister.user)
    membership = AgencyMembership.objects.get(user=assister.user)
    page = admin_client.get(f"/agency/members/{membership.public_id}/remove/")
    assert "lose access" in page.content.decode()
    admin_client.post(f"/agency/members/{membership.public_id}/remove/")
    membership.refresh_from_db()
    assert membership.ended_at is not None
    assert not assister_may_act(assister.user)
    event = AuditEvent.objects.filter(action=Action.ASSISTER_ACCESS_CHANGED).latest("id")
    assert event.details["reason"] == "removed_from_agency"
    assert admin_client.get(f"/agency/members/{membership.public_id}/remove/").status_code == 404


@pytest.mark.django_db
def test_the_last_admin_cannot_be_removed(admin_client):
    with pytest.raises(Exception, match="at least one administrator"):
        services.membership_end(
            membership=AgencyMembership.objects.get(role="admin"), actor=admin_client.agency.admin_user
        )


@pytest.mark.django_db
def test_roster_shows_each_members_certification_status_and_expiry(admin_client):
    certified = make_assister(AssisterKind.BROKER, agency=admin_client.agency)
    make_assister(AssisterKind.BROKER, agency=admin_client.agency, state="submitted")
    html = admin_client.get("/agency/").content.decode()
    assert certified.assister_id in html
    assert "Approved" in html and "Submitted" in html
    cert = certified.certifications.get()
    assert cert.valid_until.strftime("%b %-d, %Y") in html


@pytest.mark.django_db
def test_agency_a_admin_gets_404_for_agency_b(client):
    agency_a, agency_b = make_agency(), make_agency()
    b_member = make_assister(AssisterKind.BROKER, agency=agency_b)
    b_invitation, _token = services.invitation_create(
        agency=agency_b,
        actor=agency_b.admin_user,
        email="b-invite@example.org",
        role=MembershipRole.ASSISTER,
        assister_kind="broker",
    )
    b_membership = AgencyMembership.objects.get(user=b_member.user)
    sign_in(client, agency_a.admin_user)
    assert client.get(f"/agency/members/{b_membership.public_id}/remove/").status_code == 404
    assert client.post(f"/agency/members/{b_membership.public_id}/remove/").status_code == 404
    assert client.post(f"/agency/invitations/{b_invitation.public_id}/resend/").status_code == 404
    assert client.post(f"/agency/invitations/{b_invitation.public_id}/revoke/").status_code == 404
    assert b_member.user.email not in client.get("/agency/").content.decode()
    b_membership.refresh_from_db()
    assert b_membership.ended_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["consumer", "broker", "exchange_staff"])
def test_people_who_are_not_agency_admins_get_404_on_agency_pages(client, request, persona):
    sign_in(client, request.getfixturevalue(persona))
    for path in ["/agency/", "/agency/registration/", "/agency/listing/"]:
        assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_roster_query_count_is_the_same_for_1_and_50_members(admin_client, django_assert_num_queries, settings):
    settings.INVITATIONS_PER_HOUR = settings.INVITATIONS_PER_DAY = 1000  # one admin invites 50 here
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get("/agency/").status_code == 200
        return len(ctx.captured_queries)

    make_assister(AssisterKind.BROKER, agency=admin_client.agency, state="draft")
    one = count()
    for _ in range(49):
        make_assister(AssisterKind.BROKER, agency=admin_client.agency, state="draft")
    assert count() == one


@pytest.mark.django_db
def test_an_agency_renews_from_august_and_the_new_period_follows_the_old(client):
    from datetime import date, datetime

    from certification.models import Certification

    chicago = timezone.get_fixed_timezone(-360)
    with time_machine.travel(datetime(2026, 11, 27, 12, tzinfo=chicago)):
        agency = make_agency()
    with time_machine.travel(datetime(2027, 7, 20, 12, tzinfo=chicago)):
        sign_in(client, agency.admin_user)
        assert "Renew the agency" not in client.get("/agency/").content.decode()
        response = client.post("/agency/renew/", follow=True)
        assert "Renewal opens on 2027-08-01" in response.content.decode()
    with time_machine.travel(datetime(2027, 8, 3, 12, tzinfo=chicago)):
        sign_in(client, agency.admin_user)
        assert "Renew the agency" in client.get("/agency/").content.decode()
        client.post("/agency/renew/")
        renewal = Certification.objects.get(agency=agency, is_renewal=True)
        assert renewal.status == "submitted"
        from certification.tests.factories import staff_user

        renewal = services.certification_decide(
            certification=renewal, action="approve", actor=staff_user(), reason="ok"
        )
    assert (renewal.valid_from, renewal.valid_until) == (date(2027, 11, 1), date(2028, 10, 31))
