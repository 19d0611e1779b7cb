from django.conf import settings
from django.core.checks import Error, Tags, register


@register()
def postgresql_check(app_configs, **kwargs):
    """The portal runs on PostgreSQL only; say so at start-up rather than with a failed search."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if not engine.endswith("postgresql"):
        return [
            Error(
                f"The database engine is {engine}; the portal needs PostgreSQL.",
                hint="Set DATABASE_URL to a postgres:// address (make run uses the local server).",
                id="assister_portal.E003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def secret_key_check(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is not set: sessions and signed links would use the development key in the repository.",
                hint="Set SECRET_KEY to at least 50 random characters.",
                id="assister_portal.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def field_encryption_key_check(app_configs, **kwargs):
    """Production must bring its own field-encryption key, never the one derived for development."""
    if settings.FIELD_ENCRYPTION_DEV_KEY in settings.FIELD_ENCRYPTION_KEYS:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: tax identifiers would be encrypted with a development key.",
                hint="Set FIELD_ENCRYPTION_KEYS to a key from cryptography.fernet.Fernet.generate_key().",
                id="assister_portal.E001",
            )
        ]
    return []


# Caches that web processes do not share (or whose `add` is not atomic across processes).
UNSHARED_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


@register(Tags.security, Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """allauth records used TOTP codes and its rate limits in the cache: outside DEBUG it must be shared.

    A deploy check (run by `check --deploy` and, through wsgi.py, when a web process starts),
    not an always-on one: management commands and the test suite run with DEBUG off and the
    local-memory default, and need no shared cache.
    """
    backend = settings.CACHES["default"]["BACKEND"]
    if not settings.DEBUG and backend in UNSHARED_CACHES:
        return [
            Error(
                f"The cache is {backend.rsplit('.', 1)[-1]}, which web processes do not share: a used "
                "authenticator code could be accepted again by another process, and rate limits would "
                "count per process.",
                hint="Set CACHE_URL to a shared Redis, e.g. redis://host:6379/1.",
                id="assister_portal.E004",
            )
        ]
    return []
