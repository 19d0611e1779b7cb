"""Production settings, checked in a fresh process with the production environment of README.md."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assister_portal.checks import shared_cache_check

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Jq2vR9pLm4Tz8Wc1Nb6Hs3Kd5Yf0Ga-Ue7Oi2Pr9Ql4Sm8Vn1Xb6Zc3Ja5Gd0",
    "ALLOWED_HOSTS": "assisters.example.org",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/assister_portal"),
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_URL": "smtp+tls://mailer:secret@127.0.0.1:587",
    "FIELD_ENCRYPTION_KEYS": "2Jf8gBBBp1lq9cOZ3OSb6Q2hP0tTn0rVYxkqGQmF0yY=",
}


def run(args, env_extra):
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(ROOT)), **env_extra}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_of(env_extra, *names):
    code = (
        "from django.conf import settings; import json; print(json.dumps({n: str(getattr(settings, n)) for n in %r}))"
    )
    result = run(["shell", "-c", code % (names,)], env_extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_prints_no_warnings_with_production_settings():
    result = run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_the_development_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_turns_on_https_hsts_and_secure_cookies():
    values = settings_of(
        PRODUCTION_ENV,
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CELERY_TASK_ALWAYS_EAGER",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SESSION_COOKIE_HTTPONLY": "True",
        "CELERY_TASK_ALWAYS_EAGER": "False",
    }


def test_storage_switches_to_a_private_s3_bucket():
    values = settings_of({**PRODUCTION_ENV, "STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "assister-docs"}, "STORAGES")
    assert "storages.backends.s3.S3Storage" in values["STORAGES"]
    assert "'default_acl': 'private'" in values["STORAGES"]
    assert "'bucket_name': 'assister-docs'" in values["STORAGES"]


def test_s3_without_a_bucket_fails_at_start_with_a_clear_message():
    result = run(["check"], {**PRODUCTION_ENV, "STORAGE": "s3"})
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_unknown_storage_fails_at_start():
    result = run(["check"], {**PRODUCTION_ENV, "STORAGE": "ftp"})
    assert result.returncode != 0
    assert "STORAGE must be 'local' or 's3'" in result.stderr


@pytest.fixture
def private_storage():
    """This module checks the storage the settings configure, not the upload tests' temporary folder
    (assister_portal/tests/conftest.py)."""


@pytest.mark.django_db
def test_local_storage_is_private_and_has_no_url(settings):
    assert settings_of({"DEBUG": "0"}, "MEDIA_URL") == {"MEDIA_URL": "None"}
    from django.core.files.storage import default_storage
    from django.urls import Resolver404, resolve

    assert default_storage.location == str(settings.MEDIA_ROOT)
    assert default_storage.file_permissions_mode == 0o600
    with pytest.raises(Resolver404):
        resolve("/media/anything.pdf")


def test_check_deploy_refuses_the_development_field_encryption_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "FIELD_ENCRYPTION_KEYS"}
    result = run(["check", "--deploy"], env)
    assert result.returncode != 0
    assert "assister_portal.E001" in result.stdout + result.stderr


def test_check_deploy_refuses_the_local_memory_cache():
    """Used TOTP codes and rate limits live in the cache; one per process lets a code work once per worker."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CACHE_URL"}  # the default: locmemcache://
    result = run(["check", "--deploy"], env)
    assert result.returncode != 0
    assert "assister_portal.E004" in result.stdout + result.stderr


def test_commands_other_than_check_deploy_run_without_a_shared_cache():
    """E004 is a deploy check: migrations, `make test` and other commands with DEBUG off are not held up."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CACHE_URL"}
    result = run(["check"], env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("backend", "debug", "refused"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", False, True),
        ("django.core.cache.backends.dummy.DummyCache", False, True),
        ("django.core.cache.backends.filebased.FileBasedCache", False, True),  # `add` is not atomic across processes
        ("django.core.cache.backends.redis.RedisCache", False, False),
        ("django.core.cache.backends.locmem.LocMemCache", True, False),  # make run: one process
    ],
)
def test_the_cache_check_refuses_caches_web_processes_do_not_share_outside_debug(
    settings, tmp_path, backend, debug, refused
):
    settings.DEBUG = debug
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path)}}  # read, never connected to
    assert [e.id for e in shared_cache_check(None)] == (["assister_portal.E004"] if refused else [])


def test_the_web_process_refuses_to_start_with_development_secrets_or_a_per_process_cache():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "CACHE_URL")}
    code = ["-c", "import assister_portal.wsgi"]
    base = {"PATH": os.environ["PATH"], "HOME": str(ROOT)}
    refused = subprocess.run([sys.executable, *code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True)
    assert refused.returncode != 0
    for check_id in ("assister_portal.E001", "assister_portal.E002", "assister_portal.E004"):
        assert check_id in refused.stderr
    started = subprocess.run(
        [sys.executable, *code], cwd=ROOT, env={**base, **PRODUCTION_ENV}, capture_output=True, text=True
    )
    assert started.returncode == 0, started.stderr
