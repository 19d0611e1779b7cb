"""The portal refuses to start on anything but PostgreSQL, with a message that says so."""

import subprocess
import sys


def test_a_sqlite_database_url_is_refused_at_start_up():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "DATABASE_URL": "sqlite:////tmp/not-the-portal.sqlite3"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "assister_portal.E003" in result.stderr
    assert "the portal needs PostgreSQL" in result.stderr
