from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from assister_portal.lib.redirects import redirect_to_next


@require_POST
@login_required
def keepalive(request):
    """ "Stay signed in" on the idle warning: the session middleware has already renewed the clock."""
    if request.htmx or request.headers.get("Accept") == "application/json":
        return HttpResponse(status=204)
    return redirect_to_next(request.POST.get("next"), default="/")
