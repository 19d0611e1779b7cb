"""One sign-in in an OS process of its own, for test_totp_replay.py.

`python -m accounts.tests.totp_sign_in_process EMAIL PASSWORD` signs in through the real
login page with the password, prints "ready", reads the authenticator code from stdin,
submits it, and prints "signed-in" or "refused". The cache is whatever CACHE_URL says,
as in a web worker.
"""

import os
import sys

import django


def main(email: str, password: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assister_portal.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name is allowed; email stays in memory
    # As in the test suite (conftest.py): its password hasher, static files without collectstatic.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": password})
    if response.status_code != 302 or not response["Location"].startswith("/accounts/2fa/authenticate/"):
        print(f"the password step failed: {response.status_code}", flush=True)
        return 1
    print("ready", flush=True)
    code = sys.stdin.readline().strip()
    client.post("/accounts/2fa/authenticate/", {"code": code})
    print("signed-in" if "_auth_user_id" in client.session else "refused", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
