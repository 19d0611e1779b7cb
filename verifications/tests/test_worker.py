"""Documents through a real Celery worker and a real Redis broker (tasks sent by name, as beat and the commit send
them): the daily sweep expires a request past its due date once, and the application is determined again on the
source's income; a worker killed in the middle of a virus scan leaves the document quarantined for the sweep."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
from celery import Celery
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from applications.models import ApplicationStatus
from assister_portal.lib.uploads import ScanStatus
from assister_portal.lib.uploads.tasks import RESCAN_AFTER, rescan_quarantined_files
from certification.tests.test_worker import BROKER, ROOT, wait_for
from certification.tests.test_worker import worker as sweep_worker  # noqa: F401  (the fixture: a worker of its own)
from notices.models import Notice
from verifications.models import Document, RequestStatus, VerificationEvent, VerificationRequest

from .factories import upload, with_income_request


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_daily_sweep_expires_a_request_past_its_due_date_once_through_a_real_worker(sweep_worker, consumer):  # noqa: F811
    application, row = with_income_request(consumer.client, attested="40000", source="60000")
    # Made 91 days ago: only its due date is moved back (the sweep reads today's date from the worker's clock).
    VerificationRequest.objects.filter(pk=row.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    sweep_worker("verifications.tasks.verification_daily_sweep")
    assert wait_for(lambda: VerificationRequest.objects.get(pk=row.pk).status == RequestStatus.EXPIRED)
    assert wait_for(lambda: Notice.objects.filter(client=consumer.client, kind="verifications_expired").exists())
    sweep_worker("verifications.tasks.verification_daily_sweep")
    time.sleep(2)  # give a second run the chance to (wrongly) expire or notify again
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DETERMINED
    assert application.data["members"][0]["incomes"][0]["amount"] == "60000.00"
    assert VerificationEvent.objects.filter(request=row, to_status=RequestStatus.EXPIRED).count() == 1
    assert Notice.objects.filter(client=consumer.client, kind="verifications_expired").count() == 1


class SilentScanner:
    """A TCP server on loopback that takes clamd's connection and never answers: a scan that hangs."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connected = threading.Event()
        self.held = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.held.append(conn)
            self.connected.set()

    def close(self):
        for conn in self.held:
            conn.close()
        self.server.close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_during_a_scan_leaves_the_document_quarantined_and_the_sweep_scans_it(
    consumer, scanner, private_storage
):
    """A real worker (its own process, on Redis) takes the scan and is killed (SIGKILL) while clamd has the file: the
    document stays quarantined, never served; the 15-minute sweep scans it again and it is served."""
    _application, row = with_income_request(consumer.client)
    with override_settings(CLAMD_ADDRESS=""):  # stored as the service stores it; its scan is the worker's, below
        (document,) = upload(row, actor=consumer, scan=False)
    Document.objects.filter(pk=document.pk).update(scan_status=ScanStatus.QUARANTINED, scanned_at=None)
    silent = SilentScanner()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
        "CLAMD_ADDRESS": f"tcp://127.0.0.1:{silent.port}",
        "MEDIA_ROOT": str(private_storage),  # the test's private folder, where the upload was stored
        "EMAIL_URL": "consolemail://",
    }
    command = [sys.executable, "-m", "celery", "-A", "assister_portal", "worker", "--pool=solo", "-Q", queue]
    worker = subprocess.Popen(
        [*command, "--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sender = Celery(broker=BROKER, set_as_current=False)
    try:
        sender.send_task(
            "assister_portal.lib.uploads.tasks.scan_quarantined_file",
            args=["verifications", "document", document.pk],
            queue=queue,
        )
        assert silent.connected.wait(timeout=60), "the worker never started the scan"
        worker.send_signal(signal.SIGKILL)  # killed mid-scan: no verdict, no retry scheduled
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
        sender.close()
        silent.close()
    document.refresh_from_db()
    assert (document.scan_status, document.scanned_at) == (ScanStatus.QUARANTINED, None)
    assert not document.is_servable

    # The sweep (beat, every 15 minutes) takes what has been quarantined longer than RESCAN_AFTER. No service moves
    # uploaded_at (when the file arrived), so the test moves it back rather than waiting ten minutes.
    Document.objects.filter(pk=document.pk).update(uploaded_at=timezone.now() - RESCAN_AFTER - timedelta(minutes=1))
    assert rescan_quarantined_files() == 1  # in-process here (no broker in the test settings), with the real clamd
    document.refresh_from_db()
    assert document.scan_status == ScanStatus.CLEAN and document.is_servable
