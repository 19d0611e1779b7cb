"""Notices survive what production does to them, through a real Celery worker, a real Redis and PostgreSQL.

Every test starts a Redis of its own (a free loopback port, nothing saved to disk) and one or more Celery
worker subprocesses against the test database, with private storage and a file email backend in the test's
tmp folder, so it can count exactly what the worker stored and sent. The test process is "the web": it
writes notices in committed transactions, and `notices.services._send` hands them to that Redis after the
commit (the project's Celery app is pointed at it for the test, not eager). The sweep is sent by name, as
Celery beat sends it.

What each test proves, once everything has settled: every notice is `ready` with one `ready` event, one
stored PDF (the file the row names, with the row's SHA-256, all distinct) and one "a notice is waiting" email.
"""

import email
import hashlib
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import contextmanager, suppress
from email import policy
from pathlib import Path

import kombu.pools
import psutil
import psycopg
import pytest
from django.db import connection
from psycopg import sql

from accounts.tests.factories import UserFactory
from notices import services as notice_services
from notices.models import Notice, NoticeEvent, NoticeStatus
from notices.tasks import render_notice

from .factories import make_user_notice

S = NoticeStatus
ROOT = Path(__file__).resolve().parents[2]
# Notices written at once by the burst test. 1,000 take about 130-140 s on a 2-core machine: the worker spends
# about 130 ms of CPU on each (90 ms of it WeasyPrint), so two processes finish about 7 a second.
BURST = 1000
SWEEP = "notices.tasks.notices_sweep"  # its name in CELERY_BEAT_SCHEDULE
QUEUED_TIMEOUT = 2  # seconds: NOTICE_QUEUED_TIMEOUT of the workers here (production: 120)
RENDERING_TIMEOUT = 3  # seconds: NOTICE_RENDERING_TIMEOUT of the workers here (production: 600)
EMAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what Django's file backend writes after each message
NUMBER = re.compile(r"\(notice (\d{4}-\d{8})\)")

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


# --- The rig: a Redis, workers, the test process's Celery app pointed at that Redis -------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path: Path, chars: int = 4000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else f"({path} not written)"


def wait_until(predicate, timeout: float, message, interval: float = 0.1):
    """Poll `predicate` until it returns something truthy; fail with `message()` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"After {timeout:.0f} s: {message() if callable(message) else message}")
        time.sleep(interval)


class Redis:
    """A redis-server of our own: stopping it stops no other test's broker; restarting it gives an empty one."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.log = workdir / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or pytest.fail("redis-server is not installed (apt-get install redis).")
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--daemonize", "no", "--dir", str(self.workdir)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_until(self.answers, 10, lambda: f"redis-server on {self.port} does not answer:\n{tail(self.log)}", 0.05)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class Worker:
    """`celery -A assister_portal worker` in a session of its own (a SIGKILL to the group kills its children)."""

    def __init__(self, rig: "Rig", *, pool: str, concurrency: int):
        self.rig = rig
        self.log = rig.tmp / f"worker-{len(rig.workers) + 1}.log"
        name = f"notices-{uuid.uuid4().hex[:8]}@%h"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "assister_portal", "worker", f"--pool={pool}",
                 f"--concurrency={concurrency}", "-n", name, "--without-heartbeat", "--without-mingle",
                 "--without-gossip", "--loglevel=INFO"],
                cwd=ROOT, env=rig.worker_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.pid = self.process.pid

    def wait_ready(self, timeout: float = 60) -> None:
        wait_until(
            lambda: self.process.poll() is not None or " ready." in self.log.read_text(errors="replace"),
            timeout,
            lambda: f"the worker did not start:\n{tail(self.log)}",
        )
        assert self.process.poll() is None, f"the worker exited ({self.process.returncode}):\n{tail(self.log)}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine does: nothing runs after it."""
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        with suppress(ProcessLookupError):  # prefork children a SIGKILL of the main process left behind
            os.killpg(self.pid, signal.SIGKILL)


class Rig:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.media = tmp / "media"
        self.mail = tmp / "mail"
        self.media.mkdir()
        self.mail.mkdir()
        assert self.mail.is_absolute()
        self.redis = Redis(tmp)
        self.workers: list[Worker] = []
        self.application_name = f"notice-worker-{uuid.uuid4().hex[:8]}"

    def worker_env(self) -> dict:
        db = connection.settings_dict
        return {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
            f"?application_name={self.application_name}",
            "CELERY_BROKER_URL": self.redis.url,
            "STORAGE": "local",
            "MEDIA_ROOT": str(self.media),
            "EMAIL_URL": f"filemail:///{self.mail}",  # django-environ reads filemail:////abs as /abs
            "NOTICE_QUEUED_TIMEOUT": str(QUEUED_TIMEOUT),
            "NOTICE_RENDERING_TIMEOUT": str(RENDERING_TIMEOUT),
            "NOTICE_MAX_ATTEMPTS": "5",
            "CONN_MAX_AGE": "60",  # production's (README); Celery closes connections around each task anyway
        }

    def start_worker(self, *, pool: str = "solo", concurrency: int = 1) -> Worker:
        worker = Worker(self, pool=pool, concurrency=concurrency)
        self.workers.append(worker)
        worker.wait_ready()
        return worker

    def logs(self) -> str:
        return "\n".join(f"--- {w.log.name} (pid {w.pid}) ---\n{tail(w.log, 2500)}" for w in self.workers)

    def sweep(self) -> None:
        """What beat does every minute in production."""
        render_notice.app.send_task(SWEEP)

    # What the worker stored and sent, read from its folders.

    def stored_pdfs(self) -> list[Path]:
        return sorted(path for path in self.media.rglob("*") if path.is_file())

    def emailed_numbers(self) -> Counter:
        numbers = Counter()
        for path in self.mail.iterdir():
            for raw in path.read_bytes().split(EMAIL_SEPARATOR):
                if not raw.strip():
                    continue
                message = email.message_from_bytes(raw.lstrip(b"\n"), policy=policy.default)
                found = NUMBER.findall(message.get_content())
                assert len(found) == 1, f"an email that is not a 'notice waiting' one:\n{raw[:2000]!r}"
                numbers[found[0]] += 1
        return numbers


@contextmanager
def maintenance_connection():
    """A connection of the test's own to the server's `postgres` database (autocommit)."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None, dbname="postgres",
        autocommit=True,
    ) as admin:  # fmt: skip
        yield admin


@contextmanager
def project_app_sending_to(url: str):
    """Point the test process's Celery app (the project's, configured by assister_portal/celery.py) at `url`:
    not eager, so `notices.services._send` publishes to Redis as a web process does. Afterwards the app is
    eager on `memory://` again with fresh connection pools: kombu keeps producer pools in a registry of its
    own, keyed by connection, and a closed one left there would fail every later `delay` in this process."""
    app = render_notice.app
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}

    def forget_connections():
        app._pool = None
        app.amqp._producer_pool = None

    forget_connections()
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield app
    finally:
        forget_connections()
        kombu.pools.reset()  # closes and forgets every pool, this Redis's included
        app.conf.update(saved)
        # A refused publish pauses this process's sends for a while (services.BROKER_PAUSE_SECONDS): the
        # next test in this process starts with the broker trusted again.
        notice_services._broker_unreachable_until = 0.0


@pytest.fixture
def rig(transactional_db, tmp_path):
    rig = Rig(tmp_path)
    rig.redis.start()
    try:
        with project_app_sending_to(rig.redis.url):
            yield rig
    finally:
        for worker in rig.workers:
            worker.stop()
        rig.redis.kill()


# --- Creating notices and checking what became of them ---------------------------------------------------


@pytest.fixture
def recipient(transactional_db):
    return UserFactory(role="assister", email="reliable@example.org", first_name="Rae")


def create_notices(user, count: int) -> list[int]:
    """`count` notices, each written in a committed transaction of its own (sent to the broker on commit)."""
    return [make_user_notice(user).pk for _ in range(count)]


def statuses() -> Counter:
    return Counter(Notice.objects.values_list("status", flat=True))


def all_ready_and_emailed(expected: int) -> bool:
    done = Notice.objects.filter(status=S.READY, emailed_at__isnull=False).count()
    return done == expected == Notice.objects.count()


def wait_for_all_delivered(rig: Rig, expected: int, timeout: float, *, sweep_every: float | None = None) -> None:
    """Wait until every notice is ready and emailed, sending the sweep every `sweep_every` seconds (beat)."""
    last_sweep = float("-inf")

    def done():
        nonlocal last_sweep
        if sweep_every is not None and time.monotonic() - last_sweep >= sweep_every:
            rig.sweep()
            last_sweep = time.monotonic()
        return all_ready_and_emailed(expected)

    wait_until(
        done,
        timeout,
        lambda: (
            f"not all {expected} notices are ready and emailed: {dict(statuses())}, emailed "
            f"{Notice.objects.filter(emailed_at__isnull=False).count()}\n{rig.logs()}"
        ),
        interval=0.2,
    )


def assert_each_delivered_exactly_once(rig: Rig, expected: int) -> None:
    time.sleep(1)  # a late duplicate (a redelivered or resent task) would store or send by now
    notices = list(Notice.objects.order_by("pk"))
    assert len(notices) == expected
    assert statuses() == Counter({S.READY: expected})
    ready_events = Counter(NoticeEvent.objects.filter(to_status=S.READY).values_list("notice_id", flat=True))
    assert ready_events == Counter({notice.pk: 1 for notice in notices}), "a notice was finished twice"

    stored = rig.stored_pdfs()
    assert len(stored) == expected, f"{len(stored)} files stored for {expected} notices"
    assert {path.relative_to(rig.media).as_posix() for path in stored} == {notice.pdf.name for notice in notices}
    for notice in notices:
        assert hashlib.sha256((rig.media / notice.pdf.name).read_bytes()).hexdigest() == notice.sha256
    assert len({notice.sha256 for notice in notices}) == expected

    emailed = rig.emailed_numbers()
    assert sum(emailed.values()) == expected, f"{sum(emailed.values())} emails for {expected} notices"
    assert emailed == Counter({notice.number: 1 for notice in notices})


def make_long_notice(user) -> int:
    """A 19-page notice: it renders for about a second (a usual one takes a tenth), so a kill or an outage
    started once it is seen in `rendering` surely lands while the PDF is being made."""
    return make_user_notice(user, client_name="Ana Amador " * 5000).pk


def catch_the_rendering_of(pk: int, rig: Rig, timeout: float = 60) -> None:
    """Return within milliseconds of the commit that moved notice `pk` to `rendering`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Notice.objects.filter(pk=pk).values_list("status", flat=True).get()
        if status == S.RENDERING:
            return
        assert status == S.QUEUED, f"notice {pk} went {status} before it was seen rendering"
        time.sleep(0.002)
    raise AssertionError(f"Notice {pk} did not start rendering: {dict(statuses())}\n{rig.logs()}")


# --- The tests ---------------------------------------------------------------------------------------------


def test_a_worker_killed_while_rendering_loses_and_doubles_nothing_once_restarted(rig, recipient):
    """SIGKILL in the middle of a rendering: the message stays unacknowledged in Redis (late ack) and comes
    back only after the visibility timeout (an hour), so it is the sweep that finds the notice stuck in
    `rendering`, queues it again, and a new worker finishes it. Nothing else is rendered or emailed twice."""
    count = 30
    first = rig.start_worker()
    create_notices(recipient, 4)
    victim = make_long_notice(recipient)
    create_notices(recipient, count - 5)
    catch_the_rendering_of(victim, rig)
    first.kill()

    victim_row = Notice.objects.get(pk=victim)
    assert victim_row.status == S.RENDERING, "the kill did not land during the rendering"
    assert victim_row.attempts == 1 and not list(rig.media.rglob(f"{victim_row.public_id}*"))
    ready_before = statuses()[S.READY]
    assert ready_before == 4  # one task at a time, in the order sent: the four written before it

    started = time.monotonic()
    second = rig.start_worker()
    # The new worker renders everything still in the queue, but not the notice whose message died with the
    # first one: that stays `rendering` until the sweep.
    wait_until(
        lambda: statuses()[S.READY] == count - 1,
        60,
        lambda: f"the queue was not worked off: {dict(statuses())}\n{rig.logs()}",
    )
    assert Notice.objects.get(pk=victim).status == S.RENDERING
    wait_for_all_delivered(rig, count, 30, sweep_every=1)
    print(
        f"\n[killed mid-render] {ready_before} ready before the kill; recovered in {time.monotonic() - started:.1f} s"
    )

    victim_row = Notice.objects.get(pk=victim)
    assert victim_row.attempts == 2
    assert list(victim_row.events.values_list("from_status", "to_status")) == [
        (S.QUEUED, S.QUEUED), (S.QUEUED, S.RENDERING), (S.RENDERING, S.QUEUED),
        (S.QUEUED, S.RENDERING), (S.RENDERING, S.READY),
    ]  # fmt: skip
    assert "did not finish in time" in victim_row.events.get(to_status=S.QUEUED, from_status=S.RENDERING).reason
    assert Notice.objects.exclude(pk=victim).filter(attempts=1).count() == count - 1
    assert_each_delivered_exactly_once(rig, count)
    assert second.alive()


def test_notices_written_while_redis_is_down_are_delivered_by_the_sweep_once_it_is_back(rig, recipient, caplog):
    """The outbox: with the broker down the event still commits with its notice (sending fails, is logged,
    and the page goes on); Redis comes back empty, and the sweep sends what it never got."""
    count = 5
    worker = rig.start_worker()
    rig.redis.kill()
    caplog.set_level(logging.WARNING, logger="notices.services")

    started = time.monotonic()
    created = create_notices(recipient, count)
    took = time.monotonic() - started
    assert len(created) == count and Notice.objects.filter(pk__in=created, status=S.QUEUED).count() == count
    logged = [r.getMessage() for r in caplog.records if r.name == "notices.services"]
    # The first refusal pauses this process's sends (services.BROKER_PAUSE_SECONDS): the page does not wait on
    # Redis once per notice, and every notice is left queued for the sweep.
    assert sum("not sent to the broker" in m for m in logged) == 1, logged
    assert sum("left for the sweep" in m for m in logged) == count - 1, logged
    assert took < 5 * count, f"writing {count} notices with Redis down took {took:.1f} s"

    time.sleep(QUEUED_TIMEOUT)  # down long enough for the worker to notice it lost the broker
    assert statuses() == Counter({S.QUEUED: count})
    rig.redis.start()  # same port, empty: whatever was sent before the outage is gone too
    back = time.monotonic()
    wait_for_all_delivered(rig, count, 60, sweep_every=2)
    print(f"\n[redis down] {count} notices written in {took:.1f} s; delivered {time.monotonic() - back:.1f} s after")

    assert Notice.objects.filter(attempts=1).count() == count
    assert_each_delivered_exactly_once(rig, count)
    assert worker.alive(), "the worker did not survive the broker outage"


def test_a_worker_refused_by_postgresql_for_ten_seconds_recovers_without_a_restart(rig, recipient):
    """PostgreSQL stops accepting the worker's connections (ALLOW_CONNECTIONS false, its open ones terminated)
    for 10 s, starting while it renders. Meanwhile the web still writes notices. Afterwards the same worker
    process renders what is written next, and with the sweep every notice is delivered once.

    The outage begins while the worker renders, so no email is in flight: `notice_email` sends before it
    commits `emailed_at`, and a connection lost between the two means the retry sends a second email
    (terminating the worker's connections over and over, rather than refusing them, shows it)."""
    count, during, after = 30, 5, 5
    worker = rig.start_worker()
    create_notices(recipient, 4)
    victim = make_long_notice(recipient)
    create_notices(recipient, count - 5)
    catch_the_rendering_of(victim, rig)

    db = connection.settings_dict["NAME"]
    terminated = 0
    # From the server's maintenance database: PostgreSQL lets no one close the database they are connected to.
    with maintenance_connection() as admin:
        try:
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(sql.Identifier(db)))
            outage = time.monotonic()
            ready_at_start = None
            while time.monotonic() - outage < 10:
                terminated += admin.execute(  # the worker's DATABASE_URL names it (?application_name=)
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = %s AND datname = %s",
                    [rig.application_name, db],
                ).fetchone()[0]
                if ready_at_start is None:
                    ready_at_start = statuses()[S.READY]
                    create_notices(recipient, during)  # the web (its connection open) goes on writing notices
                time.sleep(0.2)
            ready_at_end = statuses()[S.READY]
        finally:
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(sql.Identifier(db)))

    assert terminated >= 1, "the worker held no connection when the outage began"
    assert ready_at_start == ready_at_end == 4, "the worker still reached the database during the outage"
    assert Notice.objects.get(pk=victim).status == S.RENDERING  # its rendering could not be recorded
    assert "is not currently accepting connections" in worker.log.read_text(errors="replace")
    assert worker.alive()

    later = time.monotonic()
    new = create_notices(recipient, after)
    wait_until(
        lambda: Notice.objects.filter(pk__in=new, status=S.READY).count() == after,
        60,
        lambda: f"the worker renders nothing new after the outage: {dict(statuses())}\n{rig.logs()}",
    )
    print(f"\n[postgres refused 10 s] {ready_at_start} ready before; new notices ready "
          f"{time.monotonic() - later:.1f} s after the outage")  # fmt: skip
    wait_for_all_delivered(rig, count + during + after, 60, sweep_every=2)
    print(f"[postgres refused 10 s] all delivered {time.monotonic() - later:.1f} s after the outage")

    assert worker.alive() and len(rig.workers) == 1  # the process started before the outage, never restarted
    assert_each_delivered_exactly_once(rig, count + during + after)


def test_a_burst_of_notices_is_rendered_and_emailed_once_each(rig, recipient):
    """BURST notices written one after another, as fast as the web can, for a prefork worker of two."""
    worker = rig.start_worker(pool="prefork", concurrency=2)
    started, web_cpu = time.monotonic(), time.process_time()
    create_notices(recipient, BURST)
    written, web_cpu = time.monotonic() - started, time.process_time() - web_cpu
    wait_for_all_delivered(rig, BURST, max(120, BURST * 0.5))
    took = time.monotonic() - started
    processes = [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]
    worker_cpu = sum(sum(p.cpu_times()[:2]) for p in processes)
    print(f"\n[burst] {BURST} notices: written in {written:.1f} s ({web_cpu:.1f} s CPU), all ready and emailed "
          f"after {took:.1f} s ({BURST / took:.1f} notices/s); worker CPU {worker_cpu:.1f} s "
          f"({1000 * worker_cpu / BURST:.0f} ms a notice)")  # fmt: skip
    assert Notice.objects.filter(attempts=1).count() == BURST
    assert_each_delivered_exactly_once(rig, BURST)
