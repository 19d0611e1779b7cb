"""Uploading documents, staff's review, and the deadlines (issue 14): a document sent moves the request to staff;
accepting the last open request determines the application again; a rejection carries a reason the uploader reads; a
good-faith extension moves the due date; past the due date a request expires and the sources' figure is used (the
credit is recomputed); reminders 15, 5 and 1 days before, once each."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from applications import services as application_services
from applications.models import ApplicationStatus
from applications.tests.factories import fill, started, submitted
from assister_portal.lib.uploads import ScanStatus
from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from notices.models import Notice
from verifications import services
from verifications.models import Decision, Document, RequestStatus, VerificationRequest

from .factories import pdf_file, png_file, source_says, upload, with_income_request

pytestmark = pytest.mark.django_db
POWERS = ["view_client", "upload_for_client"]


def kinds(client) -> list[str]:
    return list(Notice.objects.filter(client=client).order_by("pk").values_list("kind", flat=True))


def test_the_consumer_uploads_several_files_and_the_request_goes_to_staff(consumer, django_capture_on_commit_callbacks):
    _application, row = with_income_request(consumer.client)
    with django_capture_on_commit_callbacks(execute=True):
        documents = upload(row, actor=consumer, files=[png_file("week1.png"), png_file("week2.png"), pdf_file()])
    row.refresh_from_db()
    assert row.status == RequestStatus.SUBMITTED
    assert [d.document_type for d in documents] == ["pay_stubs"] * 3
    stored = Document.objects.filter(request=row)
    assert stored.count() == 3
    assert set(stored.values_list("scan_status", flat=True)) == {ScanStatus.NOT_SCANNED}  # no scanner configured here
    assert not any(d.on_behalf for d in stored)
    assert kinds(consumer.client)[-1] == "document_received"
    assert AuditEvent.objects.get(action=Action.DOCUMENT_UPLOADED).details["files"] == 3


def test_an_assister_with_the_power_uploads_for_the_client_and_the_client_is_told(consumer, navigator):
    association = associate(consumer.client, navigator.assister, powers=POWERS)
    _application, row = with_income_request(consumer.client)
    (document,) = upload(row, actor=navigator, association=association)
    assert document.on_behalf and document.association == association
    notice = Notice.objects.filter(client=consumer.client, kind="document_received").get()
    assert notice.data["body"]["by_client"] is False
    assert navigator.get_full_name() in notice.data["body"]["submitter"]
    # In the client's "Who viewed my information": the upload, by the navigator.
    assert AuditEvent.objects.filter(client=consumer.client, actor=navigator, action=Action.DOCUMENT_UPLOADED).exists()


def test_an_assister_without_the_upload_power_is_refused_by_the_service(consumer, navigator):
    association = associate(consumer.client, navigator.assister, powers=["view_client"])
    _application, row = with_income_request(consumer.client)
    with pytest.raises(ValidationError, match="Only the client or their assister"):
        upload(row, actor=navigator, association=association)
    assert not Document.objects.exists()


def test_a_document_type_not_accepted_for_the_request_is_refused(consumer):
    _application, row = with_income_request(consumer.client)
    with pytest.raises(ValidationError) as error:
        upload(row, actor=consumer, document_type="us_passport")
    assert "document_type" in error.value.message_dict
    row.refresh_from_db()
    assert row.status == RequestStatus.OUTSTANDING and not Document.objects.exists()


def test_accepting_the_last_open_request_determines_the_application_again(consumer, reviewer):
    application, row = with_income_request(consumer.client)
    upload(row, actor=consumer)
    before = application.determination_id
    row = services.verification_accept(verification=row, actor=reviewer)
    assert row.status == RequestStatus.ACCEPTED and row.decided_by == reviewer
    assert set(row.documents.values_list("decision", flat=True)) == {Decision.ACCEPTED}
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DETERMINED
    assert application.determination_id != before
    assert kinds(consumer.client)[-2:] == ["verification_accepted", "application_determination"]


def test_the_application_waits_while_another_request_is_open(consumer, reviewer):
    source_says(consumer.client, yearly_income=Decimal("40000"), other_coverage="medicare")
    application = submitted(fill(started(consumer.client), actor=consumer, income="20000"))
    income = VerificationRequest.objects.get(application=application, type="income")
    upload(income, actor=consumer)
    services.verification_accept(verification=income, actor=reviewer)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING_VERIFICATION


def test_a_rejection_gives_the_reason_and_another_document_may_be_sent(consumer, navigator, reviewer):
    association = associate(consumer.client, navigator.assister, powers=POWERS)
    _application, row = with_income_request(consumer.client)
    upload(row, actor=navigator, association=association)
    row = services.verification_reject(
        verification=row, reason="illegible", note="The photo is blurred.", actor=reviewer
    )
    assert row.status == RequestStatus.REJECTED
    assert (row.reject_reason, row.reject_note) == ("illegible", "The photo is blurred.")
    client_notice = Notice.objects.get(client=consumer.client, kind="verification_rejected")
    assert client_notice.data["body"]["reject_note"] == "The photo is blurred."
    assert Notice.objects.filter(user=navigator, kind="verification_rejected_assister").exists()
    upload(row, actor=consumer)
    row.refresh_from_db()
    assert row.status == RequestStatus.SUBMITTED
    assert list(row.documents.order_by("pk").values_list("decision", flat=True)) == [Decision.REJECTED, ""]


def test_another_reason_needs_a_note_and_nothing_changes_without_one(consumer, reviewer):
    _application, row = with_income_request(consumer.client)
    upload(row, actor=consumer)
    with pytest.raises(ValidationError) as error:
        services.verification_reject(verification=row, reason="other", note="  ", actor=reviewer)
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.verification_reject(verification=row, reason="because", note="x", actor=reviewer)
    row.refresh_from_db()
    assert row.status == RequestStatus.SUBMITTED
    assert not Notice.objects.filter(kind="verification_rejected").exists()


def test_nothing_to_accept_before_a_document_is_sent_or_while_its_scan_waits(consumer, reviewer):
    _application, row = with_income_request(consumer.client)
    with pytest.raises(ValidationError, match="nothing to accept"):
        services.verification_accept(verification=row, actor=reviewer)
    upload(row, actor=consumer, scan=False)  # quarantined: not looked at, so not accepted
    with pytest.raises(ValidationError, match="nothing to accept"):
        services.verification_accept(verification=row, actor=reviewer)
    row.refresh_from_db()
    assert row.status == RequestStatus.SUBMITTED


def test_a_good_faith_extension_moves_the_due_date_and_the_household_is_told(consumer, reviewer, settings):
    _application, row = with_income_request(consumer.client)
    later = row.due_date + timedelta(days=30)
    row = services.verification_extend(
        verification=row, due_date=later, reason="Waiting for the employer", actor=reviewer
    )
    assert row.due_date == later
    assert (
        Notice.objects.get(kind="verification_extended").data["body"]["extension_reason"] == "Waiting for the employer"
    )
    for bad in (row.due_date, row.due_date + timedelta(days=settings.VERIFICATION_MAX_EXTENSION_DAYS + 1)):
        with pytest.raises(ValidationError) as error:
            services.verification_extend(verification=row, due_date=bad, reason="x", actor=reviewer)
        assert "due_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.verification_extend(verification=row, due_date=later + timedelta(days=1), reason=" ", actor=reviewer)
    assert "reason" in error.value.message_dict
    row.refresh_from_db()
    assert row.due_date == later


def test_past_the_due_date_the_request_expires_and_the_credit_is_recomputed_on_the_sources_income(
    consumer, catalog_2027
):
    application, row = with_income_request(consumer.client, attested="40000", source="60000")
    credit_before = application.determination.max_monthly_credit
    result = services.verification_daily_sweep(today=row.due_date + timedelta(days=1))
    assert result["expired"] == 1
    row.refresh_from_db()
    assert row.status == RequestStatus.EXPIRED
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DETERMINED
    assert application.data["members"][0]["incomes"][0]["amount"] == "60000.00"
    assert credit_before > 0
    assert application.revisions.filter(what="verification_expired").exists()
    assert application.determination.max_monthly_credit < credit_before
    assert kinds(consumer.client)[-2:] == ["verifications_expired", "application_determination"]
    # A second sweep the same day changes nothing.
    assert services.verification_daily_sweep(today=row.due_date + timedelta(days=1)) == {
        "closed": 0,
        "expired": 0,
        "reminded": 0,
    }


def test_an_ssn_that_expires_unproved_makes_the_person_ineligible_to_buy_a_plan(consumer):
    consumer.client.ssn = "000-12-3456"
    consumer.client.save(update_fields=["ssn"])
    application = submitted(fill(started(consumer.client), actor=consumer))
    row = VerificationRequest.objects.get(application=application)
    services.verification_daily_sweep(today=row.due_date + timedelta(days=1))
    application.refresh_from_db()
    member = application.determination.data["members"][0]
    assert member["program"] == "not_eligible"
    assert "unverified_ssn" in [r["code"] for r in member["reasons"]]


def test_reminders_at_15_5_and_1_days_once_each(consumer, navigator):
    associate(consumer.client, navigator.assister, powers=POWERS)
    _application, row = with_income_request(consumer.client)
    due = row.due_date
    sent = []
    for days_left in range(20, -1, -1):
        day = due - timedelta(days=days_left)
        if services.verification_remind(today=day):
            sent.append(days_left)
        services.verification_remind(today=day)  # twice the same day: nothing more
    assert sent == [15, 5, 1]
    assert Notice.objects.filter(client=consumer.client, kind="verification_reminder").count() == 3
    assert Notice.objects.filter(user=navigator, kind="verification_reminder_assister").count() == 3


def test_a_sweep_that_missed_days_sends_one_reminder_not_three(consumer):
    _application, row = with_income_request(consumer.client)
    assert services.verification_remind(today=row.due_date - timedelta(days=2)) == 1
    row.refresh_from_db()
    assert row.reminders_sent == [15, 5]
    assert services.verification_remind(today=row.due_date - timedelta(days=1)) == 1
    assert Notice.objects.filter(kind="verification_reminder").count() == 2


def test_no_reminder_for_a_request_waiting_for_staff(consumer):
    _application, row = with_income_request(consumer.client)
    upload(row, actor=consumer)
    assert services.verification_remind(today=row.due_date - timedelta(days=5)) == 0


def test_requests_of_a_withdrawn_application_are_no_longer_needed_at_once(consumer):
    application, row = with_income_request(consumer.client)
    application_services.application_withdraw(application=application, version=application.version, actor=consumer)
    row.refresh_from_db()
    assert row.status == RequestStatus.CANCELLED  # in the withdrawal's own transaction
    assert row.events.get(to_status=RequestStatus.CANCELLED).actor == consumer
    assert services.verification_daily_sweep(today=timezone.localdate())["closed"] == 0
    with pytest.raises(ValidationError):
        upload(row, actor=consumer)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_accepting_the_last_two_requests_at_once_still_determine_the_application(consumer, reviewer):
    """Each acceptance locks the application first; without it each would see the other request still open."""
    source_says(consumer.client, yearly_income=Decimal("40000"), other_coverage="medicare")
    application = submitted(fill(started(consumer.client), actor=consumer, income="20000"))
    rows = list(VerificationRequest.objects.filter(application=application).order_by("type"))
    assert len(rows) == 2
    for row in rows:
        upload(row, actor=consumer, document_type=row.accepted_documents[0])
    barrier = threading.Barrier(2)
    errors = []

    def accept(row):
        try:
            barrier.wait(timeout=10)
            services.verification_accept(verification=row, actor=reviewer)
        except Exception as exc:  # reported below: a thread's exception would otherwise be lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(row,)) for row in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DETERMINED
    assert set(VerificationRequest.objects.values_list("status", flat=True)) == {RequestStatus.ACCEPTED}
