"""The recipient's own notices: "My notices" (newest first, unread marked), one notice as a page, its PDF.
Opening a notice marks it read (recorded). An assister's view of a client's notices is
`associations.assister_views` (with the client's permission, audited, in the client's "Who viewed")."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import selectors, services
from .emails import body_language
from .permissions import access_own_notice
from .rendering import letter_html
from .responses import notice_pdf_response, pdf_is_ready

PER_PAGE = 20


@login_required
@require_GET
def inbox(request):
    page = Paginator(selectors.inbox(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notices/inbox.html", {"page": page})


@login_required
@require_GET
def detail(request, public_id):
    notice = access_own_notice(request.user, public_id)
    services.notice_mark_read(notice=notice, actor=request.user)
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "letter": letter_html(notice),
            "letter_language": body_language(notice.language),
            "back_url": reverse("notices:inbox"),
            "back_label": _("Back to My notices"),
            "pdf_url": reverse("notices:pdf", args=[notice.public_id]),
        },
    )


@login_required
@require_GET
def pdf(request, public_id):
    notice = access_own_notice(request.user, public_id)
    if not pdf_is_ready(notice):
        raise Http404("This notice is not ready yet.")  # nothing served: not marked read
    services.notice_mark_read(notice=notice, actor=request.user)
    return notice_pdf_response(notice)
