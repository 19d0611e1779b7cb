"""The documents' daily sweep through a real Celery worker and a real Redis broker (the task sent by name, as beat
sends it): a request past its due date expires once, and the application is determined again on the source's income;
a second run changes nothing."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import ApplicationStatus
from certification.tests.test_worker import wait_for, worker  # noqa: F401  (the fixture: a worker process of its own)
from notices.models import Notice
from verifications.models import RequestStatus, VerificationEvent, VerificationRequest

from .factories import with_income_request


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_daily_sweep_expires_a_request_past_its_due_date_once_through_a_real_worker(worker, consumer):  # noqa: F811
    application, row = with_income_request(consumer.client, attested="40000", source="60000")
    # Made 91 days ago: only its due date is moved back (the sweep reads today's date from the worker's clock).
    VerificationRequest.objects.filter(pk=row.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    worker("verifications.tasks.verification_daily_sweep")
    assert wait_for(lambda: VerificationRequest.objects.get(pk=row.pk).status == RequestStatus.EXPIRED)
    assert wait_for(lambda: Notice.objects.filter(client=consumer.client, kind="verifications_expired").exists())
    worker("verifications.tasks.verification_daily_sweep")
    time.sleep(2)  # give a second run the chance to (wrongly) expire or notify again
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DETERMINED
    assert application.data["members"][0]["incomes"][0]["amount"] == "60000.00"
    assert VerificationEvent.objects.filter(request=row, to_status=RequestStatus.EXPIRED).count() == 1
    assert Notice.objects.filter(client=consumer.client, kind="verifications_expired").count() == 1
