"""Staff review in the Django admin (issue 14): the queue (submitted, oldest due first, by type and due date), the
Review page with what was attested beside pictures made from the cleaned files, accept / reject / extend through the
services, every open and picture audited; staff without the duty get nothing."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from accounts.tests.factories import UserFactory
from applications.models import ApplicationStatus
from audit.models import Action, AuditEvent
from clients.tests.factories import make_client
from conftest import sign_in
from verifications.models import RequestStatus, VerificationRequest

from .factories import pdf_file, png_file, upload, with_income_request

pytestmark = pytest.mark.django_db


def shown(client, url) -> dict:
    """What the Review page's decision form carries besides the reviewer's choice: the documents it showed."""
    return {"seen": client.get(url).context["form"]["seen"].value()}


@pytest.fixture
def submitted_request(consumer, django_capture_on_commit_callbacks):
    application, row = with_income_request(consumer.client)
    with django_capture_on_commit_callbacks(execute=True):  # the scan after commit (no scanner here: "not scanned")
        upload(row, actor=consumer, files=[png_file(size=(2400, 1600)), pdf_file(pages=2)])
    row.refresh_from_db()
    return application, row


def test_the_queue_shows_what_waits_for_review_oldest_due_first(client, reviewer, submitted_request):
    _application, waiting = submitted_request
    later = make_client(first_name="Later")
    _a, other = with_income_request(later)
    upload(other, actor=later.user)
    VerificationRequest.objects.filter(pk=other.pk).update(due_date=waiting.due_date + timedelta(days=3))
    outstanding = make_client(first_name="Outstanding")
    with_income_request(outstanding)
    sign_in(client, reviewer)
    url = reverse("admin:verifications_verificationrequest_changelist")
    rows = list(client.get(url).context["cl"].result_list)
    assert [r.pk for r in rows] == [waiting.pk, other.pk]  # submitted only, by due date
    assert len(client.get(url, {"queue": "all"}).context["cl"].result_list) == 3
    assert len(client.get(url, {"queue": "outstanding"}).context["cl"].result_list) == 1
    assert len(client.get(url, {"type__exact": "citizenship"}).context["cl"].result_list) == 0
    assert client.get(url, {"due": "overdue"}).status_code == 200
    assert client.get(url, {"queue": "bogus"}).status_code == 200


def test_the_review_page_shows_the_attested_facts_beside_pictures_of_each_page(client, reviewer, submitted_request):
    _application, row = submitted_request
    sign_in(client, reviewer)
    page = client.get(reverse("admin:verifications_verificationrequest_decide", args=[row.pk]))
    html = page.content.decode()
    assert "$20,000 a year" in html and "$40,000 a year" in html
    documents = page.context["documents"]
    assert [len(d.pages) for d in documents] == [1, 2]
    for document in documents:
        for number in document.pages:
            url = reverse("admin:verifications_verificationrequest_preview", args=[row.pk, document.public_id, number])
            assert url in html
            picture = client.get(url)
            assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
            assert picture["X-Content-Type-Options"] == "nosniff"
            image = Image.open(BytesIO(picture.content))
            assert image.format == "PNG" and image.width <= 1100
    missing = reverse("admin:verifications_verificationrequest_preview", args=[row.pk, documents[1].public_id, 9])
    assert client.get(missing).status_code == 404
    previews = AuditEvent.objects.filter(action=Action.DOCUMENT_VIEWED, actor=reviewer, client=row.client)
    assert previews.count() == 3
    assert AuditEvent.objects.filter(action=Action.CLIENT_VIEWED, actor=reviewer, client=row.client).exists()


def test_staff_accept_and_the_application_is_determined_again(client, reviewer, submitted_request):
    application, row = submitted_request
    sign_in(client, reviewer)
    url = reverse("admin:verifications_verificationrequest_decide", args=[row.pk])
    response = client.post(url, {"action": "accept", **shown(client, url)})
    assert response.status_code == 302
    row.refresh_from_db()
    application.refresh_from_db()
    assert row.status == RequestStatus.ACCEPTED
    assert application.status == ApplicationStatus.DETERMINED


def test_a_rejection_needs_a_reason_and_changes_nothing_without_one(client, reviewer, submitted_request):
    _application, row = submitted_request
    sign_in(client, reviewer)
    url = reverse("admin:verifications_verificationrequest_decide", args=[row.pk])
    response = client.post(url, {"action": "reject", **shown(client, url)})
    assert response.status_code == 200
    assert "Choose why the document is not accepted." in response.context["form"].errors["reason"]
    response = client.post(url, {"action": "reject", "reason": "other", "note": "", **shown(client, url)})
    assert "Say what is wrong" in " ".join(response.context["form"].errors["note"])
    row.refresh_from_db()
    assert row.status == RequestStatus.SUBMITTED
    response = client.post(url, {"action": "reject", "reason": "wrong_person", "seen": "stale-page"}, follow=True)
    assert "Another document arrived" in response.content.decode()  # the page again, with what it shows now
    assert response.context["form"]["seen"].value() == shown(client, url)["seen"]
    assert client.post(url, {"action": "reject", "reason": "wrong_person", **shown(client, url)}).status_code == 302
    row.refresh_from_db()
    assert row.status == RequestStatus.REJECTED and row.reject_reason == "wrong_person"


def test_staff_extend_the_due_date_with_a_reason(client, reviewer, submitted_request):
    _application, row = submitted_request
    sign_in(client, reviewer)
    url = reverse("admin:verifications_verificationrequest_decide", args=[row.pk])
    new = row.due_date + timedelta(days=20)
    response = client.post(url, {"extend": "1", "due_date": row.due_date.isoformat(), "reason": "Asked in time"})
    assert response.status_code == 200 and "due_date" in response.context["extend_form"].errors
    assert client.post(url, {"extend": "1", "due_date": "not a date", "reason": "x"}).status_code == 200
    assert client.post(url, {"extend": "1", "due_date": new.isoformat(), "reason": "Asked in time"}).status_code == 302
    row.refresh_from_db()
    assert row.due_date == new and row.status == RequestStatus.SUBMITTED


def test_staff_without_the_duty_get_nothing_and_change_nothing(client, submitted_request):
    _application, row = submitted_request
    other_staff = UserFactory(role=Role.STAFF, email="other-staff@example.org", mfa=True, groups=("Change reviewers",))
    sign_in(client, other_staff)
    decide = reverse("admin:verifications_verificationrequest_decide", args=[row.pk])
    document = row.documents.first()
    preview = reverse("admin:verifications_verificationrequest_preview", args=[row.pk, document.public_id, 1])
    # 404, as for a request that does not exist (the access matrix's rule for our views inside the admin).
    assert client.get(decide).status_code == 404
    assert client.post(decide, {"action": "accept", "seen": str(document.public_id)}).status_code == 404
    assert client.get(preview).status_code == 404
    row.refresh_from_db()
    assert row.status == RequestStatus.SUBMITTED
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_VIEWED).exists()
