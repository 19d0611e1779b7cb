import logging

from allauth.mfa.utils import is_mfa_enabled
from celery import current_app
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from assister_portal.lib.request_guard import bad_request_page

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
    try:
        # The project's Celery app (assister_portal/celery.py), current since Django started; core sits below it.
        with current_app.connection_for_write() as conn:
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


# --- Error pages (handler400, 403, 404, 500 in assister_portal/urls.py) ------------------------
# Django's own handlers are wrapped in `requires_csrf_token`, which runs the CSRF check, which reads
# request.POST. For a body Django had already refused to parse (a form in another charset) that raised
# again inside the error page, and the visitor got a 500 with an empty body. These render the same
# templates without reading the body; the CSRF cookie the templates need comes from `get_token`.


def bad_request(request, exception=None):
    return bad_request_page(request)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """Plain HTML without the request: it must render when the database or the session is what failed."""
    return HttpResponseServerError(loader.get_template("500.html").render())


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on every page, the admin's included."""
    return HttpResponsePermanentRedirect(static("uswds/img/favicons/favicon.ico"))
