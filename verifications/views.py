"""Documents, by the consumer or on their behalf (issue 14): one set of pages for both.

The consumer reaches their own requests; an assister sees a client's requests with `view_client` and uploads or
downloads with `upload_for_client`. Every page goes through `access_client` / `access_request` / `access_document`
(404 for "not yours", audited); every write is a service call; every file goes through the upload pipeline in the
form (`sanitize_upload`) and is stored quarantined by the service. The forms work without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe
from guardian.core import ObjectPermissionChecker

from applications.models import ApplicationStatus
from applications.views.applying import profile_first
from assister_portal.lib.forms import apply_service_errors
from assister_portal.lib.uploads import quarantined_file_response
from clients.permissions import own_client

from . import selectors, services
from .forms import UploadForm
from .permissions import UPLOAD, access_document, access_request


@login_required
@require_safe
def mine(request):
    """My documents: what MNsure asked me to prove, by when, and what I sent."""
    client = own_client(request.user)
    if client is None:
        return profile_first(request, "verifications:mine")
    return render(
        request, "verifications/mine.html", {"client": client, "rows": list(selectors.client_requests(client))}
    )


def _may_upload(request, row, association) -> bool:
    if not row.takes_documents or row.application.status == ApplicationStatus.WITHDRAWN:
        return False  # closed, or past due (the page says to call MNsure)
    return association is None or ObjectPermissionChecker(request.user).has_perm(UPLOAD, row.client)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, public_id):
    """One request: what must be proved and why, the documents that prove it, what was sent and decided, and the
    upload form for the consumer or whoever may upload for them."""
    row, association = access_request(request.user, public_id, request=request, what="viewed a verification request")
    own = association is None
    may_upload = _may_upload(request, row, association)
    may_download = own or ObjectPermissionChecker(request.user).has_perm(UPLOAD, row.client)
    form = None
    if may_upload:
        form = UploadForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            verification=row,
            on_behalf=not own,
        )
        if request.method == "POST" and form.is_valid():
            try:
                documents = services.document_upload(
                    verification=row,
                    document_type=form.cleaned_data["document_type"],
                    files=form.cleaned_data["files"],
                    actor=request.user,
                    association=association,
                    client_gave_it=bool(form.cleaned_data.get("confirm")),
                    request=request,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Sent to MNsure: %(count)s file. Staff will review it; you will get a notice.",
                        "Sent to MNsure: %(count)s files. Staff will review them; you will get a notice.",
                        len(documents),
                    )
                    % {"count": len(documents)},
                )
                return redirect("verifications:detail", row.public_id)
    elif request.method == "POST":
        messages.info(request, _("This request takes no documents now."))
        return redirect("verifications:detail", row.public_id)
    return render(
        request,
        "verifications/detail.html",
        {
            "row": row,
            "client": row.client,
            "own": own,
            "form": form,
            "may_download": may_download,
            "documents": selectors.request_documents(row),
            "events": list(row.events.select_related("actor").order_by("at", "pk")),
            "back_url": reverse("verifications:mine")
            if own
            else reverse("clients:detail", args=[row.client.public_id]),
        },
    )


@login_required
@require_safe
def download(request, public_id):
    """A document as an attachment, once its virus scan is clean (the pipeline's response), audited."""
    document, _association = access_document(request.user, public_id, request=request, what="downloaded a document")
    services.document_viewed(document=document, actor=request.user, request=request, what="download")
    return quarantined_file_response(document)
