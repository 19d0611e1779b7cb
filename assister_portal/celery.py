"""Celery application with reliable defaults.

A task is acknowledged only after it finishes (late ack) and is re-queued when
the worker running it dies, so a crash or a deploy loses no work; tasks must
therefore be idempotent. Each worker process reserves one task at a time, only
JSON crosses the broker, and every task has a soft and a hard time limit. The
Redis visibility timeout is longer than the hard limit, so a slow task is never
handed to a second worker while the first still runs it.

With no CELERY_BROKER_URL (make run, unit tests) tasks run in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assister_portal.settings")

TASK_SOFT_TIME_LIMIT = 120  # seconds; the task gets SoftTimeLimitExceeded
TASK_TIME_LIMIT = 180  # seconds; the worker process is killed
VISIBILITY_TIMEOUT = 3600  # seconds; far above TASK_TIME_LIMIT

app = Celery("assister_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # WeasyPrint's native libraries keep a few KiB per notice rendered (bench/README.md, "Notice rendering"):
    # each worker process is replaced after this many tasks, between tasks, so its memory stays bounded.
    worker_max_tasks_per_child=5000,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_soft_time_limit=TASK_SOFT_TIME_LIMIT,
    task_time_limit=TASK_TIME_LIMIT,
    broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    broker_connection_retry_on_startup=True,
    # A page whose event writes a notice must not hang while Redis is down: two quick tries, then the
    # error is logged and the sweep sends the task later (notices.services._send).
    broker_connection_timeout=2,
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
    task_ignore_result=True,
    timezone="America/Chicago",
    enable_utc=True,
    worker_hijack_root_logger=False,
    # Tasks of the shared kernel (assister_portal/lib/, not an installed app) that the worker must register.
    imports=("assister_portal.lib.uploads.tasks",),
)
app.autodiscover_tasks()
