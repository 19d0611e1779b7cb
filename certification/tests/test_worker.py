"""The daily sweep through a real Celery worker and a real Redis broker.

The worker is a separate process started here with the test database and a
queue of its own; the test sends the task by name, as beat does in production.
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from celery import Celery
from django.db import connection
from django.utils import timezone

from certification.models import AssisterKind, CertificationEvent, CertificationStatus
from certification.tests.factories import make_assister

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/14"


@pytest.fixture
def worker(transactional_db):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_URL": "consolemail://",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "assister_portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sender = Celery(broker=BROKER, set_as_current=False)  # the project app stays the current one
    try:
        yield lambda name: sender.send_task(name, queue=queue)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
        sender.close()
        print(output[-3000:])


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_daily_sweep_expires_a_lapsed_certification_once_through_a_real_worker(worker):
    with time_machine.travel(datetime(2025, 11, 27, 12, 0, tzinfo=timezone.get_fixed_timezone(-360))):
        assister = make_assister(AssisterKind.NAVIGATOR)  # valid until 2026-10-31: already past today
    cert = assister.certifications.get()
    worker("certification.tasks.certification_daily_sweep")
    assert wait_for(
        lambda: CertificationEvent.objects.filter(certification=cert, to_status=CertificationStatus.EXPIRED).exists()
    )
    worker("certification.tasks.certification_daily_sweep")
    time.sleep(2)  # give a second run the chance to (wrongly) expire it again
    cert.refresh_from_db()
    assert cert.status == CertificationStatus.EXPIRED
    assert CertificationEvent.objects.filter(certification=cert, to_status=CertificationStatus.EXPIRED).count() == 1
