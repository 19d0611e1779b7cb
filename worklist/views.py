"""The assister's worklist: "What needs doing" across the book, most urgent first (issue 17)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Role
from assister_portal.lib.roles import role_required
from associations import selectors as book
from associations.assister_views import BOOK_ROLES
from audit.models import Action
from audit.services import audit_record_for_client_ids
from certification.selectors import assister_may_act

from . import selectors, services
from .forms import RemindForm, WorklistFilterForm

PAGE_SIZE = 50


class _OnePage:
    """What Django's Paginator needs of a list it pages when one statement gave the page and the total
    (`selectors.followups_page`): the total, and the page's rows."""

    def __init__(self, rows: list[dict], total: int):
        self.rows, self.total = rows, total

    def count(self) -> int:
        return self.total

    def __getitem__(self, _slice) -> list[dict]:
        return self.rows


def _page(request, user, filters):
    """The requested page (page=abc gives the first, a page past the end the last), in one statement."""
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    rows, total = selectors.followups_page(user, filters, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    last = max(1, -(-total // PAGE_SIZE))
    if number > last:
        number = last
        rows, total = selectors.followups_page(user, filters, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return Paginator(_OnePage(rows, total), PAGE_SIZE).page(number)


@login_required
@role_required(*BOOK_ROLES)
@require_safe
def worklist(request):
    user = request.user
    form = WorklistFilterForm(request.GET)
    page, page_range, rows = None, [], []
    if form.is_valid():
        page = _page(request, user, form.filters())
        page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
        rows = selectors.decorate(user, list(page.object_list))
        labels = selectors.severity_labels()
        for row in rows:
            row["severity_label"] = labels[row["fu_severity"]]
        audit_record_for_client_ids(
            action=Action.CLIENT_LIST_VIEWED,
            actor=user,
            client_ids=list(dict.fromkeys(row["fu_client_pk"] for row in rows if row["fu_client_pk"])),
            request=request,
            details={"what": "worklist"},
        )
    context = {
        "form": form,
        "page": page,
        "page_range": page_range,
        "rows": rows,
        "agency_staff": book.is_agency_staff(user),
        "may_act": user.role != Role.ASSISTER or assister_may_act(user),
        "filtered": form.is_valid() and any(form.cleaned_data.get(f) not in (None, "") for f in ("kind", "severity")),
    }
    return render(request, "worklist/worklist.html", context, status=200 if form.is_valid() else 400)


@login_required
@role_required(*BOOK_ROLES)
@require_POST
def remind(request):
    form = RemindForm(request.POST)
    target = redirect("worklist:list")
    back = QueryDict(request.POST.get("back", "").lstrip("?"))
    kept = QueryDict(mutable=True)  # back to the same filters and page, nothing else
    for name in ("kind", "severity", "page"):
        if back.get(name, "").isascii() and back.get(name, "").replace("_", "").isalnum():
            kept[name] = back[name]
    if kept:
        target["Location"] += "?" + kept.urlencode()
    if not form.is_valid():
        for error in form.errors.get("item", []):
            messages.error(request, error)
        return target
    result = services.followups_remind(actor=request.user, keys=form.cleaned_data["item"], request=request)
    if result.sent:
        messages.success(
            request,
            ngettext("Reminder sent for %(count)s item.", "Reminders sent for %(count)s items.", result.sent)
            % {"count": result.sent},
        )
    if result.already:
        messages.info(
            request,
            ngettext(
                "%(count)s item was already reminded of today: one reminder a day per item.",
                "%(count)s items were already reminded of today: one reminder a day per item.",
                result.already,
            )
            % {"count": result.already},
        )
    if result.refused:
        messages.warning(
            request,
            ngettext(
                "%(count)s item could not be reminded of: it is no longer open, or you may not see that client.",
                "%(count)s items could not be reminded of: they are no longer open, or you may not see those clients.",
                result.refused,
            )
            % {"count": result.refused},
        )
    return target
