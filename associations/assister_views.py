"""The assister's side of clients (issue 4): the book of clients, a client's page, asking to help a client,
recording consent given offline, creating a client's account on their behalf, releasing a client.

All of it works on associations, so it lives here (DESIGN §2); the URLs keep the `clients` namespace
(`assister_urls.py`). Views are thin: reads go through `associations.selectors` and the access functions in
`associations.permissions`; every write is a service call.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe
from guardian.core import ObjectPermissionChecker

from accounts.models import Role
from assister_portal.lib.forms import apply_service_errors
from assister_portal.lib.roles import role_required
from audit.models import Action
from audit.services import audit_record_for_clients
from certification.permissions import access_own_assister
from certification.selectors import assister_may_act
from clients.forms import Audience, ClientDetailsForm, EmployerDetailsForm, FindClientForm
from clients.models import ClientKind, EmployerDetails
from clients.powers import ALWAYS_GRANTED, POWER_CODES
from clients.selectors import POWER_ACTION_LABELS, power_labels
from clients.services import DuplicateClient
from notices import selectors as notice_selectors
from notices.emails import body_language
from notices.rendering import letter_html
from notices.responses import notice_pdf_response, pdf_is_ready

from . import hooks, selectors, services
from .forms import OfflineConsentForm
from .models import AssociationStatus, ConsentMethod, EndReason
from .permissions import access_association_for_assister, access_client
from .selectors import offline_consent_refusal
from .services import DEFAULT_POWERS, association_end, association_record_offline_consent
from .services import association_request as association_request_service

NOTICES_PER_PAGE = 20

BOOK_ROLES = (Role.ASSISTER, Role.AGENCY_ADMIN, Role.AGENCY_SUPPORT)


def paginate(request, queryset):
    """The requested page (page=abc gives the first, page=9999 the last) and the page numbers to link."""
    page = Paginator(queryset, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return page, list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def audit_list(request, clients, what: str) -> None:
    """One audit row per client shown, so each client sees that they appeared in the list."""
    audit_record_for_clients(
        action=Action.CLIENT_LIST_VIEWED, actor=request.user, clients=clients, request=request, details={"what": what}
    )


# --- A client's page --------------------------------------------------------------------


def _recorder(consent, client) -> str:
    """Who recorded a consent event, as the history names them: the client, an assister by name, or MNsure."""
    if consent.method == ConsentMethod.SYSTEM:
        return _("MNsure")  # a certification change, whoever on staff made it
    if consent.recorded_by_id is None:
        return _("The client, with the link we emailed them")  # the one-click end link: nobody signed in
    if consent.recorded_by_id == client.user_id:
        return _("The client")
    return consent.recorded_by.get_full_name() or consent.recorded_by.email


@login_required
@role_required(*BOOK_ROLES)
@require_safe
def detail(request, public_id):
    client, association = access_client(
        request.user, public_id, "view_client", request=request, what="viewed client page"
    )
    if association is None:
        raise Http404
    employer = EmployerDetails.objects.filter(client=client).first() if client.kind == ClientKind.EMPLOYER else None
    viewer_powers = set(ObjectPermissionChecker(request.user).get_perms(client))
    history = selectors.client_history(client, association.assister.agency_id)
    for past in history:
        for consent in past.consents.all():
            consent.power_labels = power_labels(consent.powers)
            consent.recorder = _recorder(consent, client)
    actions = [(POWER_ACTION_LABELS[code], code in viewer_powers) for code in POWER_CODES if code not in ALWAYS_GRANTED]
    return render(
        request,
        "clients/detail.html",
        {
            "client": client,
            "employer": employer,
            "association": association,
            "association_powers": power_labels(association.powers, POWER_ACTION_LABELS),
            "history": history,
            "actions": actions,
            "can_release": association.assister.user_id == request.user.pk
            and association.status == AssociationStatus.ACTIVE,
            "can_view_notices": "view_notices_for_client" in viewer_powers,
            "sections": [
                section
                for found in hooks.client_page_sections.send(client=client, user=request.user, powers=viewer_powers)
                for section in found or ()
            ],
        },
    )


# --- A client's notices and invoices, on their behalf ---------------------------------------------------
# Only with the client's `view_notices_for_client` power; every list, view and download is audited with the
# client, so it shows in their "Who viewed my information". 404 for anyone else, and for a notice of
# another client.


def _client_notice(request, public_id, notice_id, action):
    """The notice and its client, if the user may see the client's notices; the view is audited with the
    notice's number and title. A notice that is not this client's (or, to download, has no PDF yet) is a 404
    before anything is recorded."""
    notice = notice_selectors.client_notice(public_id, notice_id)
    if notice is None or (action == Action.NOTICE_DOWNLOADED and not pdf_is_ready(notice)):
        raise Http404
    client, association = access_client(
        request.user,
        public_id,
        "view_notices_for_client",
        request=request,
        action=action,
        what=notice_selectors.described(notice),
    )
    if association is None:
        raise Http404
    return client, notice


@login_required
@role_required(*BOOK_ROLES)
@require_safe
def notices(request, public_id):
    client, association = access_client(
        request.user,
        public_id,
        "view_notices_for_client",
        request=request,
        action=Action.NOTICE_VIEWED,
        what="the list of notices",
    )
    if association is None:
        raise Http404
    page = Paginator(notice_selectors.client_notices(client), NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "clients/notices.html", {"client": client, "page": page})


@login_required
@role_required(*BOOK_ROLES)
@require_safe
def notice_detail(request, public_id, notice_id):
    client, notice = _client_notice(request, public_id, notice_id, Action.NOTICE_VIEWED)
    return render(
        request,
        "notices/detail.html",
        {
            "client": client,
            "notice": notice,
            "letter": letter_html(notice),
            "letter_language": body_language(notice.language),
            "back_url": reverse("clients:notices", args=[client.public_id]),
            "back_label": _("Back to %(name)s's notices") % {"name": client.full_name},
            "pdf_url": reverse("clients:notice_pdf", args=[client.public_id, notice.public_id]),
        },
    )


@login_required
@role_required(*BOOK_ROLES)
@require_safe
def notice_pdf(request, public_id, notice_id):
    _client, notice = _client_notice(request, public_id, notice_id, Action.NOTICE_DOWNLOADED)
    return notice_pdf_response(notice)


@login_required
@role_required(Role.ASSISTER)
@require_http_methods(["GET", "POST"])
def release(request, public_id):
    association = access_association_for_assister(
        request.user,
        public_id,
        AssociationStatus.ACTIVE,
        AssociationStatus.SUSPENDED,
        request=request,
        what="opened release of client" if request.method == "GET" else "released client",
    )
    if request.method == "POST":
        try:
            association_end(association=association, actor=request.user, reason=EndReason.RELEASED, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("You are no longer %(name)s's assister. They were told by email.")
                % {"name": association.client.full_name},
            )
        return redirect("clients:dashboard")
    return render(request, "clients/release.html", {"association": association})


# --- Asking to help a client ------------------------------------------------------------


@sensitive_post_parameters("ssn_last4")
@login_required
@role_required(Role.ASSISTER)
@require_http_methods(["GET", "POST"])
def find(request):
    assister = access_own_assister(request.user)
    may_act = assister_may_act(request.user)
    form = FindClientForm(request.POST or None)
    if request.method == "POST" and may_act and form.is_valid():
        try:
            association_request_service(assister=assister, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your request was sent. The client can confirm it in their account, "
                    "or you can record the consent they gave you on paper or by phone."
                ),
            )
            return redirect("clients:requests")
    return render(request, "clients/find.html", {"form": form, "may_act": may_act})


@login_required
@role_required(Role.ASSISTER)
@require_safe
def request_list(request):
    page, page_range = paginate(request, selectors.assister_requests(request.user))
    rows = list(page.object_list)
    audit_list(request, [row.client for row in rows], "requests")
    return render(
        request,
        "clients/requests.html",
        {"page": page, "page_range": page_range, "rows": rows, "may_act": assister_may_act(request.user)},
    )


@login_required
@role_required(Role.ASSISTER)
@require_http_methods(["GET", "POST"])
def record_consent(request, public_id):
    association = access_association_for_assister(
        request.user,
        public_id,
        AssociationStatus.PENDING,
        request=request,
        what="opened recording of consent" if request.method == "GET" else "recorded consent given offline",
    )
    may_act = assister_may_act(request.user)
    refusal = offline_consent_refusal(association)
    form = OfflineConsentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and may_act and refusal is None and form.is_valid():
        try:
            association_record_offline_consent(
                association=association,
                actor=request.user,
                request=request,
                **form.service_kwargs(association.client.full_name),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Consent recorded: you are now %(name)s's assister. They were told by email.")
                % {"name": association.client.full_name},
            )
            return redirect("clients:detail", public_id=association.client.public_id)
    return render(
        request,
        "clients/record_consent.html",
        {
            "association": association,
            "form": form,
            "may_act": may_act,
            "refusal": refusal,
            "powers": power_labels(association.powers, POWER_ACTION_LABELS),
        },
    )


# --- Creating a client's account on their behalf --------------------------------------------


@sensitive_post_parameters("ssn", "fein")
@login_required
@role_required(Role.ASSISTER)
@require_http_methods(["GET", "POST"])
def create_on_behalf(request):
    assister = access_own_assister(request.user)
    may_act = assister_may_act(request.user)
    data = request.POST if request.method == "POST" else None
    is_employer = data is not None and data.get("kind") == ClientKind.EMPLOYER
    details = ClientDetailsForm(data, audience=Audience.ASSISTER)
    employer = EmployerDetailsForm(data, required=is_employer)
    consent = OfflineConsentForm(
        data, request.FILES or None, with_powers=True, default_powers=DEFAULT_POWERS[assister.kind]
    )
    page_errors, duplicate = [], False
    forms_valid = [form.is_valid() for form in (details, employer, consent)] if data is not None else [False]
    if may_act and all(forms_valid):
        fields = details.service_fields()
        try:
            client, _token = services.client_create_on_behalf(
                assister=assister,
                actor=request.user,
                fields=fields,
                employer=employer.cleaned_data if is_employer else None,
                consent=consent.service_kwargs(f"{fields['first_name']} {fields['last_name']}"),
                request=request,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    target = next((f for f in (details, employer, consent) if field in f.fields), None)
                    if target is None:
                        page_errors += [str(e) for e in ValidationError(errors).messages]
                    else:
                        target.add_error(field, errors)
            else:
                page_errors = exc.messages
                duplicate = isinstance(exc, DuplicateClient)
        else:
            messages.success(
                request,
                _("The account was created and you are the client's assister. We emailed %(email)s a link to claim it.")
                % {"email": client.email},
            )
            return redirect("clients:detail", public_id=client.public_id)
    return render(
        request,
        "clients/create_on_behalf.html",
        {
            "details": details,
            "employer": employer,
            "consent": consent,
            "may_act": may_act,
            "page_errors": page_errors,
            "duplicate": duplicate,
        },
    )
