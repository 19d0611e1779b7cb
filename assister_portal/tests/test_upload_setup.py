"""The pipeline's wiring: settings that fail fast, the worker knows the tasks, models migrate."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/14"
WORKER = [sys.executable, "-m", "celery", "-A", "assister_portal", "worker", "--pool=solo", "--loglevel=INFO"]
WORKER += ["--without-heartbeat", "--without-mingle", "--without-gossip"]
TASKS = {
    "assister_portal.lib.uploads.tasks.scan_quarantined_file",
    "assister_portal.lib.uploads.tasks.rescan_quarantined_files",
}


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("address", ["127.0.0.1:3310", "clamd", "tcp://127.0.0.1", "http://127.0.0.1:3310"])
def test_a_clamd_address_that_is_not_tcp_or_unix_stops_start_up(address):
    result = run_python("import assister_portal.settings", CLAMD_ADDRESS=address)
    assert result.returncode != 0
    assert "CLAMD_ADDRESS must look like tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl" in result.stderr


def test_a_pixel_limit_above_pillows_bomb_limit_stops_start_up():
    result = run_python("import assister_portal.settings", UPLOAD_MAX_PIXELS="100000000")
    assert result.returncode != 0 and "UPLOAD_MAX_PIXELS between 1 and 89478485" in result.stderr


def test_a_worker_process_registers_the_upload_tasks_at_start_up():
    # What `celery worker` does before it takes a task: load the app, then its default modules.
    code = (
        "from assister_portal.celery import app; app.loader.import_default_modules(); "
        "print('\\n'.join(name for name in app.tasks if 'uploads' in name))"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == TASKS


def test_beat_sends_the_rescan_sweep_by_its_registered_name(settings):
    assert settings.CELERY_BEAT_SCHEDULE["uploads-rescan-quarantined"]["task"] in TASKS


@pytest.mark.django_db
def test_the_test_apps_migration_matches_the_abstract_model():
    call_command("makemigrations", "uploads_tests", "--check", "--dry-run", verbosity=0)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_the_rescan_sweep_sent_by_name(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
    }
    with log.open("w") as sink:
        worker = subprocess.Popen(
            [*WORKER, "-Q", queue],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    sender = Celery(broker=BROKER, set_as_current=False)  # the project app stays the current one
    try:
        sender.send_task("assister_portal.lib.uploads.tasks.rescan_quarantined_files", queue=queue)
        deadline = time.monotonic() + 60
        while "rescan_quarantined_files[" not in log.read_text() or " succeeded " not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            assert worker.poll() is None, log.read_text()[-3000:]
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        sender.close()
    output = log.read_text()
    assert "Received unregistered task" not in output
    assert "assister_portal.lib.uploads.tasks.scan_quarantined_file" in output  # listed among the worker's tasks
