"""The rules a review found missing (issue 14): documents sent by the due date wait for staff and never expire;
nothing is sent past the due date; only document reviewers decide, and only on the documents they saw; what expired
unproved is attested again at the next submission; a proof accepted is not asked for again; a plan may be chosen while
documents are awaited, and the credit follows an expiry; an answer changed since the request is not overwritten; the
assister notices go to whom they concern; an assister who no longer acts for the client uploads nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications import answers
from applications import services as application_services
from applications.models import ApplicationStatus, Enrollment, EnrollmentStatus
from applications.tests.factories import fill, started, submitted
from associations import services as association_services
from associations.tests.factories import associate
from conftest import sign_in
from notices.models import Notice
from plans.models import Plan
from verifications import services, sources
from verifications.models import Document, RequestStatus, VerificationRequest

from .factories import source_says, upload, with_income_request

pytestmark = pytest.mark.django_db
POWERS = ["view_client", "upload_for_client"]


def _after_due(row):
    return row.due_date + timedelta(days=1)


def test_documents_sent_by_the_due_date_wait_for_staff_and_never_expire(consumer):
    application, row = with_income_request(consumer.client)
    upload(row, actor=consumer)
    assert services.verification_daily_sweep(today=_after_due(row))["expired"] == 0
    row.refresh_from_db()
    application.refresh_from_db()
    assert row.status == RequestStatus.SUBMITTED
    assert application.status == ApplicationStatus.PENDING_VERIFICATION


def test_nothing_is_sent_past_the_due_date_and_the_page_says_whom_to_call(client, consumer):
    _application, row = with_income_request(consumer.client)
    VerificationRequest.objects.filter(pk=row.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    row.refresh_from_db()
    with pytest.raises(ValidationError, match="can no longer be sent here"):
        upload(row, actor=consumer)
    sign_in(client, consumer)
    page = client.get(reverse("verifications:detail", args=[row.public_id])).content.decode()
    assert "Call MNsure at 1-855-366-7873" in page and 'name="files"' not in page
    assert not Document.objects.exists()


def test_only_document_reviewers_decide(consumer, exchange_staff):
    _application, row = with_income_request(consumer.client)
    upload(row, actor=consumer)
    due = row.due_date
    for decide in (
        lambda: services.verification_accept(verification=row, actor=exchange_staff),
        lambda: services.verification_reject(verification=row, reason="illegible", note="", actor=exchange_staff),
        lambda: services.verification_extend(
            verification=row, due_date=row.due_date + timedelta(days=5), reason="x", actor=exchange_staff
        ),
    ):
        with pytest.raises(ValidationError, match="Only exchange staff who review documents"):
            decide()
    row.refresh_from_db()
    assert (row.status, row.due_date) == (RequestStatus.SUBMITTED, due)


def test_a_document_that_arrived_during_the_review_refuses_the_decision(consumer, reviewer):
    _application, row = with_income_request(consumer.client)
    (first,) = upload(row, actor=consumer)
    seen = {str(first.public_id)}
    upload(row, actor=consumer)  # arrives while the reviewer looks at the first
    with pytest.raises(ValidationError, match="Another document arrived"):
        services.verification_reject(verification=row, reason="illegible", note="", actor=reviewer, seen=seen)
    assert not Document.objects.exclude(decision="").exists()


def test_what_expired_unproved_is_attested_again_at_the_next_submission(consumer):
    consumer.client.ssn = "000-12-3456"
    consumer.client.save(update_fields=["ssn"])
    application = submitted(fill(started(consumer.client), actor=consumer))
    row = VerificationRequest.objects.get(application=application)
    services.verification_daily_sweep(today=_after_due(row))
    application.refresh_from_db()
    assert application.data["members"][0]["unverified"] == ["ssn"]
    consumer.client.ssn = "123-45-6789"  # the household corrects the number
    consumer.client.save(update_fields=["ssn"])
    application = application_services.application_change(
        application=application, version=application.version, actor=consumer
    )
    application = submitted(application)
    assert application.status == ApplicationStatus.DETERMINED
    assert "unverified" not in application.data["members"][0]
    assert application.determination.data["members"][0]["program"] != "not_eligible"


def test_a_proof_accepted_is_not_asked_for_again_when_the_application_is_submitted_again(consumer, reviewer):
    application, row = with_income_request(consumer.client)
    upload(row, actor=consumer)
    services.verification_accept(verification=row, actor=reviewer)
    application.refresh_from_db()
    application = application_services.application_change(
        application=application, version=application.version, actor=consumer
    )
    application = submitted(application)
    assert application.status == ApplicationStatus.DETERMINED
    assert VerificationRequest.objects.filter(application=application).count() == 1
    assert Notice.objects.filter(client=consumer.client, kind="documents_needed").count() == 1


def test_a_reopened_application_is_not_expired_while_it_is_a_draft(consumer):
    application, row = with_income_request(consumer.client)
    application_services.application_change(application=application, version=application.version, actor=consumer)
    assert services.verification_daily_sweep(today=_after_due(row))["expired"] == 0
    assert not Notice.objects.filter(kind="verifications_expired").exists()


def test_a_plan_may_be_chosen_while_documents_are_awaited_and_the_credit_follows_an_expiry(
    consumer, open_enrollment, catalog_2027
):
    application, row = with_income_request(consumer.client, attested="40000", source="60000")
    assert application.status == ApplicationStatus.PENDING_VERIFICATION
    plan = Plan.objects.filter(year=2027, rating_area=application.rating_area, metal_level="silver").first()
    enrollment = application_services.enrollment_select(
        application=application, version=application.version, plan_id=plan.plan_id, credit=None, actor=consumer
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ENROLLED
    credit_on_attestation = enrollment.credit_applied
    assert credit_on_attestation > 0
    services.verification_daily_sweep(today=_after_due(row))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ENROLLED
    current = Enrollment.objects.get(application=application, status=EnrollmentStatus.ACTIVE)
    assert current.credit_applied < credit_on_attestation
    assert current.selected_by == consumer  # the sweep changed the credit; who chose the plan stays


def test_an_answer_changed_since_the_request_is_not_overwritten_by_the_sources_figure():
    """`substitute` (what expiry puts in) leaves a member whose answer is no longer the one the request was about."""
    member = answers.new_member(
        key="m1", incomes=[{"key": "i1", "kind": "wages", "amount": "52000", "frequency": "yearly"}]
    )
    data = {"members": [member]}
    sources.substitute(data, member_key="m1", source_value={"yearly_income": "40000.00", "attested_income": "20000.00"})
    assert data["members"][0]["incomes"][0]["amount"] == "52000"
    sources.substitute(data, member_key="m1", source_value={"yearly_income": "60000.00", "attested_income": "52000.00"})
    assert data["members"][0]["incomes"][0]["amount"] == "60000.00"


def test_the_rejection_notice_goes_to_the_assister_whose_document_was_refused_only(
    consumer, navigator, broker, reviewer
):
    by_navigator = associate(consumer.client, navigator.assister, powers=POWERS)
    by_broker = associate(consumer.client, broker.assister, powers=POWERS)
    _application, row = with_income_request(consumer.client)
    upload(row, actor=navigator, association=by_navigator)
    upload(row, actor=consumer)
    services.verification_reject(verification=row, reason="illegible", note="", actor=reviewer)
    upload(row, actor=broker, association=by_broker)
    services.verification_reject(verification=row, reason="wrong_person", note="", actor=reviewer)
    to_navigator = Notice.objects.filter(user=navigator, kind="verification_rejected_assister")
    to_broker = Notice.objects.filter(user=broker, kind="verification_rejected_assister")
    assert [n.data["body"]["reject_reason"] for n in to_navigator] == ["illegible"]
    assert [n.data["body"]["reject_reason"] for n in to_broker] == ["wrong_person"]
    # What the assister's notice keeps: who, what, when, why; not the attested figures.
    assert "attested" not in to_broker.get().data["body"]


def test_an_assister_who_no_longer_acts_for_the_client_or_did_not_confirm_uploads_nothing(consumer, navigator):
    association = associate(consumer.client, navigator.assister, powers=POWERS)
    _application, row = with_income_request(consumer.client)
    with pytest.raises(ValidationError) as error:
        services.document_upload(
            verification=row,
            document_type="pay_stubs",
            files=[],
            actor=navigator,
            association=association,
            client_gave_it=False,
        )
    assert "confirm" in error.value.message_dict
    association_services.association_end(association=association, actor=consumer, reason="rescinded")
    with pytest.raises(ValidationError, match="Only the client or their assister"):
        upload(row, actor=navigator, association=association)
    assert not Document.objects.exists()


def test_source_says_sets_one_record_per_person(consumer):
    source_says(consumer.client, yearly_income=Decimal("1"))
    record = source_says(consumer.client, yearly_income=Decimal("2"))
    assert record.yearly_income == Decimal("2")
    assert type(record).objects.count() == 1


def test_a_processed_change_is_matched_again_and_may_resolve_the_request(consumer, staff_processing):
    application, row = with_income_request(consumer.client, attested="20000", source="40000")

    def raise_income(data):
        data["members"][0]["incomes"] = [
            {"key": answers.new_key(), "kind": "wages", "amount": "41000", "frequency": "yearly"}
        ]

    application = application_services.application_apply_change(
        application=application, what="change_income", update=raise_income, actor=staff_processing
    )
    row.refresh_from_db()
    assert row.status == RequestStatus.CANCELLED
    assert application.status == ApplicationStatus.DETERMINED


@pytest.fixture
def staff_processing(exchange_staff):
    """Whoever processes a change in the admin (the service takes any actor; the changes admin checks the duty)."""
    return exchange_staff


def test_only_documents_that_can_be_looked_at_are_decided(consumer, reviewer):
    _application, row = with_income_request(consumer.client)
    (looked_at,) = upload(row, actor=consumer)
    (waiting,) = upload(row, actor=consumer, scan=False)  # its virus scan has not run: nobody has seen it
    services.verification_accept(verification=row, actor=reviewer, seen={str(looked_at.public_id)})
    looked_at.refresh_from_db()
    waiting.refresh_from_db()
    assert (looked_at.decision, waiting.decision) == ("accepted", "")


def test_a_processed_change_after_an_expiry_does_not_ask_for_the_expired_proof_again(consumer, exchange_staff):
    consumer.client.ssn = "000-12-3456"
    consumer.client.save(update_fields=["ssn"])
    application = submitted(fill(started(consumer.client), actor=consumer))
    row = VerificationRequest.objects.get(application=application)
    services.verification_daily_sweep(today=_after_due(row))

    def new_phone(data):
        data["address"]["street"] = "200 Main St"

    application.refresh_from_db()
    application_services.application_apply_change(
        application=application, what="change_address", update=new_phone, actor=exchange_staff
    )
    assert list(VerificationRequest.objects.values_list("status", flat=True)) == [RequestStatus.EXPIRED]
    assert Notice.objects.filter(kind="documents_needed").count() == 1


def test_the_dashboard_next_step_is_documents_while_a_request_is_open_whatever_the_status(client, consumer, broker):
    associate(consumer.client, broker.assister)
    application = submitted(fill(started(consumer.client), actor=consumer))
    assert application.status == ApplicationStatus.DETERMINED
    source_says(consumer.client, yearly_income=Decimal("900000"))

    def same(data):
        data["address"]["street"] = "101 Main St"

    application_services.application_apply_change(  # matched again: the source now disagrees
        application=application, what="change_address", update=same, actor=broker
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DETERMINED  # the attestation's determination stands
    sign_in(client, broker)
    (row,) = client.get(reverse("clients:dashboard")).context["rows"]
    assert row.next_step == "documents"
