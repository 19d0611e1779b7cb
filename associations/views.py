"""The consumer's side of assisters of record: who they are, choose, confirm, change, end, and who looked.

Every change goes through `associations.services`; every association is reached through the
access functions in `associations.permissions` (someone else's → 404).
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from assister_portal.lib.forms import apply_service_errors
from assister_portal.lib.redirects import redirect_to_next, safe_next
from assister_portal.lib.roles import role_required
from clients import services as client_services
from clients.forms import Audience, ClientDetailsForm
from clients.models import POWERS, ClientKind
from clients.permissions import own_client

from . import selectors, services
from .forms import AssisterLookupForm, ConsentForm, EmployerForm, PowersForm
from .models import Association, AssociationStatus, EndReason
from .permissions import access_association_for_client

WHO_VIEWED_PER_PAGE = 25
POWER_LABELS = dict(POWERS)


# --- Helpers ---------------------------------------------------------------------


def client_required(view):
    """Pass the consumer's own client record; without one, send them to tell us who they are first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        client = own_client(request.user)
        if client is None:
            messages.info(request, _("First tell us who you are. Then you can choose who helps you."))
            target = reverse("associations:profile")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return view(request, client, *args, **kwargs)

    return wrapper


def _assister_name(assister) -> str:
    return assister.full_name or assister.user.get_full_name() or str(assister.agency)


def _decorate(association: Association) -> Association:
    """Attach what the templates show: the assister's name and the labels of the powers granted."""
    association.assister_name = _assister_name(association.assister)
    association.power_labels = [POWER_LABELS[code] for code in association.powers]
    return association


def _consent_context(client, assister, *, replacing: Association | None) -> dict:
    return {
        "assister": assister,
        "assister_name": _assister_name(assister),
        "kind_label": assister.get_kind_display(),
        "replacing": _decorate(replacing) if replacing is not None else None,
        "coi": selectors.coi_disclosures(assister),
        "consent_version": services.CONSENT_TEXT_VERSION,
        "purpose": _("Help applying for and keeping health coverage through MNsure"),
        "client": client,
    }


# --- Who I am ----------------------------------------------------------------------


@sensitive_post_parameters("ssn", "employer-fein")
@login_required
@role_required(Role.CONSUMER)
@require_http_methods(["GET", "POST"])
def profile(request):
    client = own_client(request.user)
    if client is not None:
        if request.method == "POST":
            messages.info(request, _("Your details are already saved."))
            return redirect("associations:profile")
        return render(
            request,
            "associations/profile_view.html",
            {"client": client, "employer": getattr(client, "employer", None)},
        )
    next_url = safe_next(request.POST.get("next") or request.GET.get("next")) or ""
    form = ClientDetailsForm(
        request.POST or None,
        audience=Audience.SELF,
        initial={"first_name": request.user.first_name, "last_name": request.user.last_name},
    )
    employer_form = EmployerForm(request.POST or None, prefix="employer")
    if request.method == "POST" and form.is_valid():
        is_employer = form.cleaned_data["kind"] == ClientKind.EMPLOYER
        if not is_employer or employer_form.is_valid():
            fields = {**form.service_fields(), "email": request.user.email}
            try:
                client_services.client_create_for_self(
                    user=request.user,
                    fields=fields,
                    employer=dict(employer_form.cleaned_data) if is_employer else None,
                    request=request,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and set(exc.error_dict) & set(employer_form.fields):
                    apply_service_errors(employer_form, exc)
                else:
                    apply_service_errors(form, exc)
            else:
                messages.success(request, _("Your details are saved."))
                return redirect_to_next(next_url, default=reverse("associations:my_assisters"))
    if request.method == "POST" and form.data.get("kind") != ClientKind.EMPLOYER:
        employer_form = _unbound_copy(employer_form)  # not needed for an individual or family: no errors
    return render(
        request,
        "associations/profile_form.html",
        {"form": form, "employer_form": employer_form, "next": next_url},
        status=400 if request.method == "POST" else 200,
    )


def _unbound_copy(employer_form: EmployerForm) -> EmployerForm:
    """The employer fields as typed, without errors."""
    return EmployerForm(prefix="employer", initial={name: employer_form[name].value() for name in employer_form.fields})


# --- My assisters ---------------------------------------------------------------------


def _my_assisters(request, client, *, lookup_form=None, status=200):
    rows = selectors.client_assisters(client)
    for association in (*rows["current"], *rows["pending"], *rows["history"]):
        _decorate(association)
    held = {a.kind for a in rows["current"]}
    missing = [label for kind, label in Association._meta.get_field("kind").choices if kind not in held]
    return render(
        request,
        "associations/my_assisters.html",
        {
            "client": client,
            "current": rows["current"],
            "pending": rows["pending"],
            "history": rows["history"],
            "missing": missing,
            "lookup_form": lookup_form or AssisterLookupForm(),
        },
        status=status,
    )


@login_required
@role_required(Role.CONSUMER)
@client_required
def my_assisters(request, client):
    return _my_assisters(request, client)


@login_required
@role_required(Role.CONSUMER)
@client_required
@require_http_methods(["GET", "POST"])
def choose(request, client):
    lookup = AssisterLookupForm(request.POST if request.method == "POST" else request.GET)
    if not lookup.is_valid():
        return _my_assisters(request, client, lookup_form=lookup)
    assister = selectors.assister_to_choose(lookup.cleaned_data["assister_id"])
    if assister is None:
        lookup.add_error(
            "assister_id",
            _(
                "We could not find a certified assister with the ID %(id)s. Check the ID with your assister: "
                "they may not be certified right now."
            )
            % {"id": lookup.cleaned_data["assister_id"]},
        )
        return _my_assisters(request, client, lookup_form=lookup)
    name = _assister_name(assister)
    current = selectors.current_of_kind(client, assister.kind)
    if current is not None and current.assister_id == assister.pk:
        messages.info(
            request,
            _("%(name)s is already your %(kind)s. You can change what they may do for you here.")
            % {"name": name, "kind": assister.get_kind_display().lower()},
        )
        return redirect("associations:change_powers", public_id=current.public_id)
    waiting = selectors.pending_from(client, assister)
    if waiting is not None:
        messages.info(
            request,
            _("%(name)s has already asked to help you. Read their request and confirm it here.") % {"name": name},
        )
        return redirect("associations:confirm", public_id=waiting.public_id)
    form = ConsentForm(
        request.POST if request.method == "POST" else None,
        assister_name=name,
        initial={"powers": services.DEFAULT_POWERS[assister.kind]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.association_start_by_consumer(
                client=client,
                assister=assister,
                powers=form.cleaned_data["powers"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            message = _("%(name)s is now your %(kind)s.") % {"name": name, "kind": assister.get_kind_display().lower()}
            if current is not None:
                message += " " + _("%(old)s can no longer see your information or act for you.") % {
                    "old": _assister_name(current.assister)
                }
            messages.success(request, message)
            return redirect("associations:my_assisters")
    return render(
        request,
        "associations/choose.html",
        {**_consent_context(client, assister, replacing=current), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@role_required(Role.CONSUMER)
@client_required
@require_http_methods(["GET", "POST"])
def confirm(request, client, public_id):
    association = access_association_for_client(request.user, public_id, AssociationStatus.PENDING)
    name = _assister_name(association.assister)
    if association.request_expires_at is not None and association.request_expires_at <= timezone.now():
        messages.info(
            request, _("This request from %(name)s has expired. Ask them to send a new one.") % {"name": name}
        )
        return redirect("associations:my_assisters")
    if request.method == "POST" and request.POST.get("action") == "decline":
        try:
            services.association_decline(association=association, actor=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("You declined the request from %(name)s.") % {"name": name})
        return redirect("associations:my_assisters")
    form = ConsentForm(
        request.POST if request.method == "POST" else None,
        assister_name=name,
        initial={"powers": association.powers},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.association_confirm(
                association=association, powers=form.cleaned_data["powers"], actor=request.user, request=request
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now your %(kind)s.") % {"name": name, "kind": association.get_kind_display().lower()},
            )
            return redirect("associations:my_assisters")
    current = selectors.current_of_kind(client, association.kind)
    return render(
        request,
        "associations/confirm.html",
        {
            **_consent_context(client, association.assister, replacing=current),
            "association": _decorate(association),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@role_required(Role.CONSUMER)
@client_required
@require_http_methods(["GET", "POST"])
def change_powers(request, client, public_id):
    association = access_association_for_client(
        request.user, public_id, AssociationStatus.ACTIVE, AssociationStatus.SUSPENDED
    )
    name = _assister_name(association.assister)
    form = PowersForm(request.POST if request.method == "POST" else None, initial={"powers": association.powers})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["powers"] == association.powers:
            messages.info(request, _("Nothing changed: %(name)s may do the same as before.") % {"name": name})
            return redirect("associations:my_assisters")
        try:
            services.association_change_powers(
                association=association, powers=form.cleaned_data["powers"], actor=request.user, request=request
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Saved. %(name)s may now do only what you ticked.") % {"name": name})
            return redirect("associations:my_assisters")
    return render(
        request,
        "associations/change_powers.html",
        {"association": _decorate(association), "assister_name": name, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@role_required(Role.CONSUMER)
@client_required
@require_http_methods(["GET", "POST"])
def end(request, client, public_id):
    association = access_association_for_client(
        request.user, public_id, AssociationStatus.ACTIVE, AssociationStatus.SUSPENDED
    )
    name = _assister_name(association.assister)
    if request.method == "POST":
        try:
            services.association_end(
                association=association, actor=request.user, reason=EndReason.RESCINDED, request=request
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s can no longer see your information or act for you.") % {"name": name})
        return redirect("associations:my_assisters")
    return render(request, "associations/end.html", {"association": _decorate(association), "assister_name": name})


# --- The one-click link in the email (public) ------------------------------------------


@require_http_methods(["GET", "POST"])
def end_by_link(request, token):
    association = services.association_for_end_link(token)
    if association is None or association.status not in (AssociationStatus.ACTIVE, AssociationStatus.SUSPENDED):
        return render(request, "associations/end_link_invalid.html", status=404)
    name = _assister_name(association.assister)
    if request.method == "POST":
        try:
            services.association_end(
                association=association,
                actor=None,  # whoever holds the emailed link; not a signed-in user
                reason=EndReason.RESCINDED,
                request=request,
            )
        except ValidationError:
            return render(request, "associations/end_link_invalid.html", status=404)
        return render(request, "associations/end_link_done.html", {"assister_name": name})
    return render(request, "associations/end_link.html", {"association": association, "assister_name": name})


# --- Who viewed my information ------------------------------------------------------------


@login_required
@role_required(Role.CONSUMER)
@client_required
def who_viewed(request, client):
    paginator = Paginator(selectors.who_viewed(client, request.user), WHO_VIEWED_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "associations/who_viewed.html", {"client": client, "page": page})
