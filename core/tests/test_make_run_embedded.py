"""`make run` on a machine with no PostgreSQL server: the embedded one (assister_portal/devdb.py).

The chooser takes DATABASE_URL, else a server answering on 127.0.0.1:5432, else the embedded
PostgreSQL from .venv. The end-to-end test runs what `make run` runs, in a temporary folder
rather than var/postgres, and presses Ctrl-C.
"""

import os
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
import psycopg
import pytest

from assister_portal import devdb

pytestmark = pytest.mark.embedded_pg

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_database_url_is_used_when_set():
    url = "postgres://someone@db.example:5433/portal"
    assert devdb.choose(database_url=url, local=f"127.0.0.1:{free_port()}") == url


def test_the_local_server_is_used_when_it_answers():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        local = f"127.0.0.1:{server.getsockname()[1]}"
        assert devdb.choose(database_url="", local=local) == f"postgres://postgres@{local}/assister_portal_dev"


def test_the_embedded_server_is_chosen_when_nothing_answers():
    assert devdb.choose(database_url="", local=f"127.0.0.1:{free_port()}") is None


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback, our own server)
        return response.status, response.read().decode()


def processes_using(folder: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        if process.info["status"] != psutil.STATUS_ZOMBIE and str(folder) in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


def test_make_run_without_a_server_migrates_seeds_serves_and_ctrl_c_stops_everything():
    # Not pytest's tmp_path: as root the server runs as another user, who must be able to enter the
    # folder, and pytest resets its own base folder to owner-only.
    folder = Path(tempfile.mkdtemp(prefix="ap-embedded-pg-"))
    root, log = folder / "postgres", folder / "make-run.log"
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}
    }
    env["DEBUG"] = "1"
    web = free_port()
    python = shlex.quote(sys.executable)
    devdb_run = [sys.executable, "-m", "assister_portal.devdb", "--dir", str(root), "run"]
    devdb_run += ["--local", f"127.0.0.1:{free_port()}", "--port", str(free_port())]  # nothing answers on --local
    command = [
        *devdb_run,
        f"{python} manage.py migrate --noinput",
        f"{python} manage.py seed_demo",
        f"{python} manage.py runserver 127.0.0.1:{web}",
    ]
    started = time.monotonic()
    make_run = None
    try:
        with log.open("w") as output:
            # Its own process group: the test presses Ctrl-C for it (SIGINT to the whole group), as a terminal does.
            make_run = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        status, page = None, ""
        while time.monotonic() - started < 240 and make_run.poll() is None:
            try:
                status, page = get(f"http://127.0.0.1:{web}/")
                break
            except OSError:
                time.sleep(0.25)
        served = time.monotonic() - started
        printed = log.read_text()
        assert status == 200, printed
        assert "Help with MNsure coverage, from people certified to give it" in page
        assert f"Using the embedded PostgreSQL {devdb.POSTGRES_VERSION} in {root} on port" in printed
        assert "created now" in printed
        postmaster = psutil.Process(int((root / "data" / "postmaster.pid").read_text().split()[0]))
        # Another user of the machine cannot connect without the password, which only the developer can read.
        assert stat.S_IMODE((root / "password").stat().st_mode) == 0o600
        port = devdb.EmbeddedServer(root).port()
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(f"postgres://postgres@127.0.0.1:{port}/postgres", connect_timeout=5)
        psycopg.connect(devdb.EmbeddedServer(root).url(), connect_timeout=5).close()

        os.killpg(make_run.pid, signal.SIGINT)
        assert make_run.wait(timeout=60) == 130
        assert "Stopped the embedded PostgreSQL" in log.read_text()
        assert not postmaster.is_running() or postmaster.status() == psutil.STATUS_ZOMBIE
        assert processes_using(folder) == []
        with pytest.raises(OSError):
            get(f"http://127.0.0.1:{web}/")

        # Run again: the same data (no initdb), the demo users still there.
        count_users = "import os, psycopg; print(psycopg.connect(os.environ['DATABASE_URL']).execute('SELECT count(*) FROM accounts_user').fetchone()[0], 'users')"
        again = subprocess.run(
            [*devdb_run, f"{python} -c {shlex.quote(count_users)}"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert again.returncode == 0, again.stdout + again.stderr
        assert "(started; database assister_portal_dev)" in again.stdout
        assert int(again.stdout.split(" users")[0].split()[-1]) > 0
        assert processes_using(folder) == []
        print(f"served the home page after {served:.1f} s; whole test {time.monotonic() - started:.1f} s")
    finally:
        if make_run is not None and make_run.poll() is None:
            os.killpg(make_run.pid, signal.SIGKILL)
        devdb.EmbeddedServer(root).stop()
        shutil.rmtree(folder)
