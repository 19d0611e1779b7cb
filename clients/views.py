"""The consumer claims the account an assister created for them (public, by the emailed link).

The assister's side of clients (the book, a client's page, requests, consent given offline, creating an
account on a client's behalf) works on associations: `associations.assister_views`.
"""

from allauth.account.utils import perform_login
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from assister_portal.lib.forms import apply_service_errors

from . import services
from .forms import ClaimForm


@sensitive_post_parameters("ssn_last4", "password")
@require_http_methods(["GET", "POST"])
def claim(request, token):
    invitation = services.claim_for_token(token)
    if invitation is None:
        return render(request, "clients/claim_invalid.html", status=404)
    if request.user.is_authenticated:
        messages.info(request, _("Sign out first, then open the link again to claim the account."))
        return redirect("core:home")
    form = ClaimForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.client_claim(token=token, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if user is not None:
                messages.success(request, _("Your account is ready. Here is who helps you."))
                return perform_login(
                    request, user, email_verification="none", redirect_url=reverse("associations:my_assisters")
                )
            if services.claim_for_token(token) is None:  # that was the last attempt allowed
                return render(request, "clients/claim_invalid.html", status=404)
            form.add_error(None, _("Those details do not match our records."))
    return render(request, "clients/claim.html", {"form": form})
