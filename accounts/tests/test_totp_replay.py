"""One authenticator code, two web processes: it signs in once.

allauth remembers used TOTP codes in Django's cache. The security tester found a code
accepted twice on gunicorn with two workers, each with its own local-memory cache; in
production the cache is Redis (check assister_portal.E004 refuses anything per-process).
Here two real OS processes sign in as the same person and submit the same code at once.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from conftest import PASSWORD, totp_code

ROOT = Path(__file__).resolve().parents[2]
SHARED_CACHE = "redis://127.0.0.1:6379/13"  # this test's own Redis database


def submit_one_code_from_two_processes(user, cache_url: str) -> list[str]:
    """Both processes pass the password step, then get the same current code; what each says after."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CACHE_URL": cache_url,
        "DEBUG": "0",
        "HTTPS": "0",
    }
    command = [sys.executable, "-m", "accounts.tests.totp_sign_in_process", user.email, PASSWORD]
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for process in processes:
            output = []
            while not output or output[-1] not in ("ready", ""):
                output.append(process.stdout.readline().strip())
            assert output[-1] == "ready", "\n".join(output)
        code = totp_code(user)
        for process in processes:
            process.stdin.write(code + "\n")
            process.stdin.flush()
        return [process.communicate(timeout=60)[0].strip().splitlines()[-1] for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.mark.processes
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_code_signs_in_once_across_two_processes_sharing_redis(broker):
    results = submit_one_code_from_two_processes(broker, SHARED_CACHE)
    assert sorted(results) == ["refused", "signed-in"]


@pytest.mark.processes
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_a_cache_per_process_the_same_code_signs_in_twice(broker):
    """The defect E004 prevents, shown here so the test above is known to catch it."""
    results = submit_one_code_from_two_processes(broker, "locmemcache://")
    assert results == ["signed-in", "signed-in"]
