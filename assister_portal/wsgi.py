import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assister_portal.settings")
application = get_wsgi_application()


def _refuse_unsafe_settings() -> None:
    """Outside DEBUG the web process does not start with the development secrets (fail closed).

    Nor with a per-process cache (E004): with several workers, a used TOTP code could be
    accepted again by another one. These are deploy checks, so commands and tests are not held up.
    """
    from django.conf import settings
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    if settings.DEBUG:
        return
    serious = [m for m in checks.run_checks(include_deployment_checks=True, tags=["security"]) if m.is_serious()]
    if serious:
        raise ImproperlyConfigured("Refusing to start:\n" + "\n".join(f"{m.id}: {m.msg}" for m in serious))


_refuse_unsafe_settings()
