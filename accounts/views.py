from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


@require_POST
@login_required
def keepalive(request):
    """ "Stay signed in" on the idle warning: the session middleware has already renewed the clock."""
    if request.htmx or request.headers.get("Accept") == "application/json":
        return HttpResponse(status=204)
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)
