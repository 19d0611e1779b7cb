"""Reporting a change, by the consumer or on their behalf (issue 15): one set of pages for both.

The consumer reaches their own reports; an assister or support staff member needs `report_change_for_client` to
report or answer (`view_client` to see them). Every page goes through `access_client` / `access_report` (404 for
"not yours", audited); every write is a service call. The forms work without JavaScript.
"""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe
from guardian.core import ObjectPermissionChecker

from applications import answers
from applications import selectors as application_selectors
from applications.views.applying import profile_first
from assister_portal.lib.forms import apply_service_errors
from associations.permissions import access_client
from clients.permissions import own_client

from . import kinds, selectors, services
from .forms import AnswerForm, EventForm, ReportForm
from .models import ReportStatus
from .permissions import REPORT, access_report

LABELS = {
    "street": gettext_lazy("Street address"),
    "city": gettext_lazy("City"),
    "zip_code": gettext_lazy("ZIP code"),
    "member": gettext_lazy("Who"),
    "income_kind": gettext_lazy("Kind of income"),
    "amount": gettext_lazy("Amount before taxes ($)"),
    "frequency": gettext_lazy("How often"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "relationship": gettext_lazy("Relationship to the person applying"),
    "citizenship": gettext_lazy("Citizenship or immigration status"),
    "coverage": gettext_lazy("What coverage"),
    "american_indian": gettext_lazy("A member of a federally recognized tribe (or Alaska Native) now?"),
    "description": gettext_lazy("What changed"),
    "note": gettext_lazy("Anything else MNsure should know"),
}
VALUES = {
    "income_kind": dict(answers.IncomeKind.choices),
    "frequency": dict(answers.Frequency.choices),
    "relationship": dict(answers.Relationship.choices),
    "citizenship": dict(answers.Citizenship.choices),
    "coverage": dict(answers.OtherCoverage.choices),
}


def _lines(report) -> list[tuple[str, str]]:
    """What the report says, as labelled lines (a member by name, a choice by its label)."""
    names = dict(_members(report.application))
    lines = []
    for name, value in report.details.items():
        if name == "county_fips" or value in ("", None):
            continue
        if name == "member":
            value = names.get(value, gettext_lazy("someone no longer on the application"))
        elif name == "american_indian":
            value = gettext_lazy("Yes") if value else gettext_lazy("No")
        elif name == "amount":
            value = f"${Decimal(str(value)):,.2f}"
        elif name == "date_of_birth":
            value = date_format(date.fromisoformat(value), "F j, Y")
        elif name in VALUES:
            value = VALUES[name].get(value, value)
        lines.append((LABELS.get(name, name), value))
    return lines


def _members(application) -> list[tuple[str, str]]:
    if application is None:
        return []
    return [(m["key"], f"{m['first_name']} {m['last_name']}".strip()) for m in application.data.get("members", [])]


def _report_page(request, client, association):
    """Choose what changed, then give what that change needs; the report is recorded on the second POST."""
    own = association is None
    application = application_selectors.current_application(client)
    event_form = EventForm(request.GET or None)
    event = event_form.cleaned_data["event"] if event_form.is_bound and event_form.is_valid() else ""
    form = None
    if event:
        form = ReportForm(
            request.POST if request.method == "POST" else None, event=event, members=_members(application)
        )
        if request.method == "POST" and form.is_valid():
            try:
                report = services.change_report_submit(
                    client=client,
                    event=event,
                    effective_date=form.cleaned_data["effective_date"],
                    details=form.details(),
                    actor=request.user,
                    association=association,
                    request=request,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Your report is sent to MNsure (reference %(ref)s).") % {"ref": report.short_id}
                )
                return redirect("changes:detail", report.public_id)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "changes/report.html",
        {
            "client": client,
            "own": own,
            "event_form": event_form,
            "event": event,
            "event_label": dict(kinds.Event.choices).get(event, ""),
            "form": form,
            "application": application,
            "back_url": reverse("changes:mine") if own else reverse("clients:detail", args=[client.public_id]),
        },
    )


@login_required
@require_safe
def mine(request):
    """My changes: what I reported, its status, and a question to answer."""
    client = own_client(request.user)
    if client is None:
        return profile_first(request, "changes:mine")
    return render(request, "changes/mine.html", {"client": client, "reports": list(selectors.client_reports(client))})


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    client = own_client(request.user)
    if client is None:
        return profile_first(request, "changes:report")
    return _report_page(request, client, None)


@login_required
@require_http_methods(["GET", "POST"])
def report_for_client(request, client_id):
    client, association = access_client(request.user, client_id, REPORT, request=request, what="report a change")
    return _report_page(request, client, association)  # the client themself gets their own form


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, public_id):
    """One report: what was reported, its status and history, the special enrollment period it opens, and the
    answer form when MNsure asked a question (for the consumer, or whoever may report changes for them)."""
    report, association = access_report(request.user, public_id, request=request, what="viewed a change report")
    own = association is None
    may_answer = own or REPORT in association_powers(request.user, report.client)
    form = None
    if report.status == ReportStatus.NEEDS_INFO and may_answer:
        form = AnswerForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.change_report_answer(
                    report=report,
                    answer=form.cleaned_data["answer"],
                    actor=request.user,
                    association=association,
                    request=request,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Your answer is sent to MNsure."))
                return redirect("changes:detail", report.public_id)
    elif request.method == "POST":
        messages.info(request, _("There is no question to answer on this report now."))
        return redirect("changes:detail", report.public_id)
    return render(
        request,
        "changes/detail.html",
        {
            "report": report,
            "client": report.client,
            "own": own,
            "form": form,
            "events": list(report.events.select_related("actor").order_by("at")),
            "lines": _lines(report),
            "back_url": reverse("changes:mine") if own else reverse("clients:detail", args=[report.client.public_id]),
        },
    )


def association_powers(user, client) -> set[str]:
    return set(ObjectPermissionChecker(user).get_perms(client))
