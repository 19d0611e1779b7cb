import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assister_portal.settings")
application = get_wsgi_application()


def _refuse_development_secrets() -> None:
    """Outside DEBUG the web process does not start with the development secrets (fail closed)."""
    from django.conf import settings
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    if settings.DEBUG:
        return
    serious = [m for m in checks.run_checks(include_deployment_checks=True, tags=["security"]) if m.is_serious()]
    if serious:
        raise ImproperlyConfigured("Refusing to start:\n" + "\n".join(f"{m.id}: {m.msg}" for m in serious))


_refuse_development_secrets()
