"""A clamd of our own for the tests and the benchmarks: only the EICAR test signature, on a free loopback port.

As root clamd keeps running as root when the configuration has no User line; it needs no systemd socket, no
freshclam and no signatures of Debian's. `running_clamd(workdir)` starts it, yields its address and stops it;
`ClamdUnavailable` says why it could not (not installed, stopped at start-up, no answer within a minute).
"""

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

SIGNATURES = Path(__file__).resolve().parents[1] / "lib" / "clamav" / "eicar-test.ndb"


class ClamdUnavailable(Exception):
    pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"nPING\n")
            return conn.recv(16).strip() == b"PONG"
    except OSError:
        return False


@contextlib.contextmanager
def running_clamd(workdir: Path) -> Iterator[str]:
    """Start clamd with its files in `workdir`; yield `tcp://127.0.0.1:<port>`; stop it on the way out."""
    binary = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin")
    if binary is None:
        raise ClamdUnavailable("clamd is not installed: apt-get install clamav-daemon (.ci/run does).")
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
        while not _answers(port):
            if process.poll() is not None:
                text = output.read_text(errors="replace")
                raise ClamdUnavailable(f"clamd stopped at start-up (exit {process.returncode}):\n{text[-3000:]}")
            if time.monotonic() > deadline:
                raise ClamdUnavailable("clamd did not answer within 60 seconds.")
            time.sleep(0.2)
        yield f"tcp://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
