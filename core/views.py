import logging

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


@require_safe
def home(request):
    user = request.user
    context = {}
    if user.is_authenticated:
        context["mfa_enabled"] = is_mfa_enabled(user)
    return render(request, "core/home.html", context)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        log.exception("healthz: database check failed")
        return False


def _broker_answers() -> bool:
    if settings.CELERY_BROKER_URL.startswith("memory://"):
        return True  # no broker configured: tasks run in-process
    from assister_portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        log.exception("healthz: broker check failed")
        return False


@never_cache
@require_safe
def healthz(request):
    """200 "ok" when the database (and the broker, if configured) answers; 503 otherwise. No details."""
    healthy = _database_answers() and _broker_answers()
    return HttpResponse(
        "ok" if healthy else "unavailable",
        status=200 if healthy else 503,
        content_type="text/plain",
    )


def csrf_failure(request, reason=""):
    return render(request, "csrf_failure.html", status=403)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on every page, the admin's included."""
    return HttpResponsePermanentRedirect(static("uswds/img/favicons/favicon.ico"))
