"""Fixtures for the upload pipeline: a concrete model, private storage in a temp folder, a real clamd.

The test-only app `uploads_tests` (assister_portal/tests/uploads_app, one model, one
migration) is added to the app registry when this file is loaded, which pytest does
while collecting, before the test database is created, so the migration runs with the
others. It is added alone: `apps.set_installed_apps` would create every other app's
config anew and run their ready() a second time.
"""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.apps import AppConfig, apps

TEST_APP = "assister_portal.tests.uploads_app"
SIGNATURES = Path(__file__).resolve().parents[1] / "lib" / "clamav" / "eicar-test.ndb"


def _install_test_app() -> None:
    config = AppConfig.create(TEST_APP)
    if config.label in apps.app_configs:
        return
    config.apps = apps
    apps.app_configs[config.label] = config
    config.import_models()
    apps.clear_cache()
    config.ready()


_install_test_app()


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Uploads land in a folder of this test's own, private like the real one."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "file_permissions_mode": 0o600},
        },
    }
    return root


@pytest.fixture(autouse=True)
def no_scanner(settings):
    """No virus scanner unless a test asks for clamd."""
    settings.CLAMD_ADDRESS = ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def clamd_address(tmp_path_factory):
    """A clamd of our own: only the EICAR test signature, on a free loopback port.

    Fails, not skips, when clamd is missing: CI installs Debian's clamav-daemon (.ci/run).
    As root clamd keeps running as root when the config has no User line; it needs no
    systemd socket, no freshclam and no signatures of Debian's.
    """
    binary = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin")
    if binary is None:
        pytest.fail("clamd is not installed: apt-get install clamav-daemon (.ci/run does).")
    workdir = tmp_path_factory.mktemp("clamd")
    database = workdir / "db"
    database.mkdir()
    shutil.copy(SIGNATURES, database / SIGNATURES.name)
    port = _free_port()
    config = workdir / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                f"DatabaseDirectory {database}",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                "Foreground yes",
                f"LogFile {workdir / 'clamd.log'}",
                f"PidFile {workdir / 'clamd.pid'}",
                f"TemporaryDirectory {workdir}",
                "SelfCheck 0",
                "",
            ]
        )
    )
    output = workdir / "clamd.out"
    with output.open("wb") as sink:
        process = subprocess.Popen([binary, "--config-file", str(config)], stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                text = output.read_text(errors="replace")
                pytest.fail(f"clamd stopped at start-up (exit {process.returncode}):\n{text[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"nPING\n")
                    if conn.recv(16).strip() == b"PONG":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("clamd did not answer within 60 seconds.")
            time.sleep(0.2)
        yield f"tcp://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def scanner(settings, clamd_address):
    settings.CLAMD_ADDRESS = clamd_address
    return clamd_address
