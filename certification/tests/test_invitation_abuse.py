"""The invitation page cannot be used to learn who has an account, nor to send email without limit (issue 9, item 7).

Before, `/agency/invitations/` answered "This email address already has an account" for any address, as
often as an agency admin liked. Now every address gets the same answer ("Invitation sent"), the owner of
an existing account is emailed that someone tried (with no link), and each admin may send 20 invitations
an hour and 60 a day, new and resent together, counted in the database from the audit trail.
"""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent, Outcome
from certification import services
from certification.models import AgencyKind, AgencyMembership, Invitation, MembershipRole
from certification.tests.factories import make_agency
from conftest import sign_in

LIMITED = "You have sent as many invitations as we allow for now"


def invite(browser, email, kind="broker"):
    return browser.post("/agency/invitations/", {"email": email, "role": "assister", "assister_kind": kind})


@pytest.fixture
def admin_browser(client):
    agency = make_agency(AgencyKind.BROKER_AGENCY)
    sign_in(client, agency.admin_user)
    client.agency = agency
    return client


@pytest.fixture
def someone_with_an_account(db):
    return UserFactory(role=Role.CONSUMER, email="has.account@example.org")


# --- Nothing tells whether an address has an account ------------------------------------------------


@pytest.mark.django_db
def test_an_address_with_an_account_is_answered_exactly_like_a_new_one(admin_browser, someone_with_an_account):
    answers = {}
    for email in ("no.account@example.org", "Has.Account@example.org"):
        response = invite(admin_browser, email)
        page = admin_browser.get(response["Location"]).content.decode()
        answers[email] = (response.status_code, response["Location"], f"Invitation sent to {email}" in page)
    assert answers["no.account@example.org"] == answers["Has.Account@example.org"] == (302, "/agency/", True)
    invitations = {i.email: i for i in Invitation.objects.all()}
    assert invitations.keys() == {"no.account@example.org", "has.account@example.org"}
    assert {i.state for i in invitations.values()} == {"pending"}
    page = admin_browser.get("/agency/").content.decode()
    assert "no.account@example.org" in page and "has.account@example.org" in page
    sent = AuditEvent.objects.filter(action=Action.INVITATION_SENT, outcome=Outcome.SUCCESS)
    assert sorted(event.details["email"] for event in sent) == ["has.account@example.org", "no.account@example.org"]
    assert {tuple(event.details) for event in sent} == {("email",)}


@pytest.mark.django_db
def test_the_owner_of_an_existing_account_is_told_someone_tried_and_gets_no_link(
    admin_browser, someone_with_an_account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_browser, "has.account@example.org")
    [message] = mail.outbox
    agency = str(admin_browser.agency)
    assert message.to == ["has.account@example.org"]
    assert message.subject.endswith(f"{agency} tried to invite you to the MNsure Assister Portal")
    assert "already has an account" in message.body and "no invitation link was sent" in message.body
    assert "/invitations/" not in message.body
    # Resending tells them again, still without a link; their account is untouched.
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_browser.post(f"/agency/invitations/{invitation.public_id}/resend/")
    assert len(mail.outbox) == 2 and "/invitations/" not in mail.outbox[1].body
    someone_with_an_account.refresh_from_db()
    assert someone_with_an_account.role == Role.CONSUMER
    assert not AgencyMembership.objects.filter(user=someone_with_an_account).exists()


@pytest.mark.django_db
def test_a_new_address_still_gets_its_link(admin_browser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_browser, "no.account@example.org")
    [message] = mail.outbox
    assert message.to == ["no.account@example.org"] and "/invitations/" in message.body


# --- How many invitations an admin may send --------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_may_send_20_invitations_an_hour_then_is_told_to_wait(
    admin_browser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            assert invite(admin_browser, f"person{n}@example.org").status_code == 302
        response = invite(admin_browser, "one.too.many@example.org")
    assert response.status_code == 429
    assert LIMITED in response.content.decode()
    assert Invitation.objects.count() == 20 and len(mail.outbox) == 20
    refused = AuditEvent.objects.get(action=Action.INVITATION_SENT, outcome=Outcome.DENIED)
    assert refused.actor == admin_browser.agency.admin_user
    assert refused.details == {
        "email": "one.too.many@example.org",
        "refused": "limit",
        "last_hour": 20,
        "last_day": 20,
    }
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert invite(admin_browser, "one.too.many@example.org").status_code == 302


@pytest.mark.django_db
def test_the_daily_limit_holds_when_the_hourly_one_has_room(admin_browser, settings):
    settings.INVITATIONS_PER_DAY = 3
    for n in range(3):
        with time_machine.travel(timezone.now() - timedelta(hours=5 - n)):
            assert invite(admin_browser, f"person{n}@example.org").status_code == 302
    assert invite(admin_browser, "later@example.org").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(hours=20)):
        assert invite(admin_browser, "later@example.org").status_code == 302


@pytest.mark.django_db
def test_resending_counts_toward_the_limit(admin_browser, settings):
    settings.INVITATIONS_PER_HOUR = 3
    invite(admin_browser, "person@example.org")
    invitation = Invitation.objects.get()
    resend = f"/agency/invitations/{invitation.public_id}/resend/"
    for _ in range(2):
        assert "Invitation sent again" in admin_browser.post(resend, follow=True).content.decode()
    assert LIMITED in admin_browser.post(resend, follow=True).content.decode()
    assert invite(admin_browser, "another@example.org").status_code == 429
    assert AuditEvent.objects.filter(action=Action.INVITATION_SENT, outcome=Outcome.SUCCESS).count() == 3


@pytest.mark.django_db
def test_the_limit_is_per_admin(admin_browser, settings):
    settings.INVITATIONS_PER_HOUR = 2
    for n in range(2):
        invite(admin_browser, f"person{n}@example.org")
    assert invite(admin_browser, "person9@example.org").status_code == 429
    other = make_agency(AgencyKind.BROKER_AGENCY)
    other_browser = HttpClient()
    sign_in(other_browser, other.admin_user)
    assert invite(other_browser, "person9@example.org").status_code == 302


@pytest.mark.django_db
def test_the_service_enforces_the_limit_for_every_caller(admin_browser, settings):
    settings.INVITATIONS_PER_HOUR = 1
    agency, admin = admin_browser.agency, admin_browser.agency.admin_user
    services.invitation_create(agency=agency, actor=admin, email="a@example.org", role=MembershipRole.SUPPORT)
    with pytest.raises(Exception, match=LIMITED):
        services.invitation_create(agency=agency, actor=admin, email="b@example.org", role=MembershipRole.SUPPORT)
    assert list(Invitation.objects.values_list("email", flat=True)) == ["a@example.org"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_invitations_cannot_get_past_the_limit(settings):
    """Eight posts at once with room for three: the per-admin lock counts them one at a time."""
    settings.INVITATIONS_PER_HOUR = 3
    agency = make_agency(AgencyKind.BROKER_AGENCY)
    browsers = [HttpClient() for _ in range(8)]
    sign_in(browsers[0], agency.admin_user, follow=False)  # one sign-in (a code works once), eight tabs
    for browser in browsers[1:]:
        browser.cookies.load({name: morsel.value for name, morsel in browsers[0].cookies.items()})
    barrier = threading.Barrier(len(browsers))
    statuses = [None] * len(browsers)

    def attempt(i):
        try:
            barrier.wait()
            response = invite(browsers[i], f"parallel{i}@example.org")
            statuses[i] = (response.status_code, response.get("Location"))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses, key=str) == [(302, "/agency/")] * 3 + [(429, None)] * 5
    assert Invitation.objects.filter(agency=agency).count() == 3
