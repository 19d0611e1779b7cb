from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assister_portal.lib.redirects import redirect_to_next

from .forms import PreferencesForm


@require_POST
@login_required
def keepalive(request):
    """ "Stay signed in" on the idle warning: the session middleware has already renewed the clock."""
    if request.htmx or request.headers.get("Accept") == "application/json":
        return HttpResponse(status=204)
    return redirect_to_next(request.POST.get("next"), default="/")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """The language of the person's notices and emails."""
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            user = form.save(request)
            messages.success(
                request,
                _("Saved. Your notices and emails will be in %(language)s.")
                % {"language": form.fields["preferred_language"].label_from_instance(user.preferred_language)},
            )
            return redirect("core:home")
        return render(request, "accounts/preferences.html", {"form": form}, status=400)
    return render(request, "accounts/preferences.html", {"form": form})
