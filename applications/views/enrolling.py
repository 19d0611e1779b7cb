"""Choosing a plan and the household's coverage (issue 13): one set of pages for the consumer and for an assister
holding `select_plan_for_client`.

The plan list prices every plan of the household's rating area and year for the members who enroll, with the
credit they choose to take; its filters and sort are in the URL (GET), so the page works without JavaScript and
htmx only swaps the results. Every page reaches the application or enrollment through the access functions (404
for "not yours", audited); every write is a service call.
"""

import contextlib
import csv
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Role
from assister_portal.lib.forms import apply_service_errors
from assister_portal.lib.roles import role_required
from assister_portal.lib.spreadsheets import formula_safe
from associations.assister_views import audit_list
from certification.permissions import admin_membership_or_404
from clients.permissions import own_client
from plans.models import MetalLevel, NetworkType

from .. import selectors, services, shopping
from ..eligibility import Determination as DeterminationView
from ..forms import ChooseForm, DisputeForm, ShopForm, TerminateForm
from ..models import ApplicationStatus, EnrollmentStatus
from ..periods import NoEnrollmentPeriod, termination_dates
from ..permissions import access_application, access_enrollment, plan_selection_suspended
from ..services.enrolling import SHOPPABLE
from .applying import profile_first

__all__ = ["agency_enrollments", "choose", "compare", "coverage", "dispute", "plans", "terminate"]

SELECT = "select_plan_for_client"
COMPARE_AT_MOST = 3
PLANS_PER_PAGE = 20  # the rest are a page link away; filters and sorts work on all of them


def _shopping(request, public_id, what: str):
    """(application, association, household) for the plan pages; a message and the application's page when it is
    not ready to choose a plan."""
    application, association = access_application(request.user, public_id, SELECT, request=request, what=what)
    if application.status not in SHOPPABLE or application.determination is None:
        messages.info(request, _("Plans can be compared and chosen once eligibility is determined."))
        return application, association, None
    who = shopping.household(application.data, DeterminationView.from_dict(application.determination.data))
    if not who.members:
        messages.info(
            request,
            _("No one on this application is eligible for a plan through MNsure: see the eligibility results."),
        )
        return application, association, None
    return application, association, who


def _period(application):
    """(the enrollment period open today, or None, and the reason there is none)."""
    try:
        return services.period_for(application), ""
    except NoEnrollmentPeriod as exc:
        return None, exc.message


def _frame(request, application, association, **extra) -> dict:
    own = association is None
    return {
        "application": application,
        "client": application.client,
        "association": association,
        "own": own,
        "suspended": not own and plan_selection_suspended(application.client_id, request.user.pk),
        "back_url": reverse("applications:detail", args=[application.public_id]),
        **extra,
    }


def _choices(plans) -> dict:
    issuers = sorted({(p.issuer.hios_id, p.issuer.name) for p in plans}, key=lambda item: item[1])
    levels = [(value, label) for value, label in MetalLevel.choices if any(p.metal_level == value for p in plans)]
    networks = [(value, label) for value, label in NetworkType.choices if any(p.network_type == value for p in plans)]
    return {"metal_levels": levels, "issuers": issuers, "networks": networks}


@login_required
@require_safe
def plans(request, public_id):
    """The plans of the household's area and year, priced for them, filtered and sorted as the URL says."""
    application, association, who = _shopping(request, public_id, "compared plans")
    if who is None:
        return redirect("applications:detail", application.public_id)
    area_plans = selectors.area_plans(application)
    form = ShopForm(request.GET or None, **_choices(area_plans), max_credit=who.max_credit)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    wanted = shopping.credit_wanted(data.get("credit"), who.max_credit)
    filters = shopping.Filters(
        metal_levels=frozenset(data.get("metal_level") or ()),
        issuers=frozenset(data.get("issuer") or ()),
        networks=frozenset(data.get("network") or ()),
        max_premium=data.get("max_premium"),
        max_deductible=data.get("max_deductible"),
        sort=data.get("sort") or "net",
    )
    options = shopping.shop((shopping.price(plan, who, wanted) for plan in area_plans), filters) if valid else []
    page = Paginator(options, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    period, closed = _period(application)
    context = _frame(
        request,
        application,
        association,
        form=form,
        household=who,
        options=options,
        page=page,
        page_range=list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        total=len(area_plans),
        credit=wanted,
        period=period,
        closed=closed,
        sample=any(plan.catalog.is_sample for plan in area_plans[:1]),
        query=request.GET.urlencode(),
        credit_query=f"credit={wanted}" if data.get("credit") is not None else "",
        current=selectors.current_enrollment(application) if application.status == ApplicationStatus.ENROLLED else None,
        plans_url=reverse("applications:plans", args=[application.public_id]),
    )
    template = "applications/plans.html#results" if request.htmx else "applications/plans.html"
    return render(request, template, context)


@login_required
@require_safe
def compare(request, public_id):
    """Up to three plans side by side."""
    application, association, who = _shopping(request, public_id, "compared plans side by side")
    if who is None:
        return redirect("applications:detail", application.public_id)
    chosen = list(dict.fromkeys(request.GET.getlist("plan")))
    back = reverse("applications:plans", args=[application.public_id])
    if not 2 <= len(chosen) <= COMPARE_AT_MOST:
        messages.error(request, _("Choose two or three plans to compare (you chose %(n)s).") % {"n": len(chosen)})
        return redirect(back + ("?" + request.GET.urlencode() if request.GET else ""))
    form = ShopForm(request.GET, **_choices([]), max_credit=who.max_credit)
    form.is_valid()
    wanted = shopping.credit_wanted(form.cleaned_data.get("credit"), who.max_credit)
    by_id = {plan.plan_id: plan for plan in selectors.area_plans(application)}
    if any(plan_id not in by_id for plan_id in chosen):
        messages.error(request, _("One of those plans is not offered where this household lives."))
        return redirect(back)
    options = [shopping.price(by_id[plan_id], who, wanted) for plan_id in chosen]
    period, closed = _period(application)
    return render(
        request,
        "applications/compare.html",
        _frame(
            request,
            application,
            association,
            options=options,
            household=who,
            credit=wanted,
            period=period,
            closed=closed,
            sample=any(o.plan.catalog.is_sample for o in options),
            credit_query=f"credit={wanted}" if form.cleaned_data.get("credit") is not None else "",
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def choose(request, public_id, plan_id):
    """Check the plan, the credit and the start date, then choose it."""
    application, association, who = _shopping(request, public_id, "opened a plan to choose")
    if who is None:
        return redirect("applications:detail", application.public_id)
    plan = next((p for p in selectors.area_plans(application) if p.plan_id == plan_id), None)
    if plan is None:
        raise Http404
    on_behalf = association is not None
    raw_credit = request.GET.get("credit")
    initial = {"version": application.version}
    if raw_credit:
        with contextlib.suppress(ArithmeticError):  # a bad amount in the link: the form starts with all of it
            initial["credit"] = shopping.credit_wanted(Decimal(raw_credit), who.max_credit)
    form = ChooseForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        max_credit=who.max_credit,
        on_behalf=on_behalf,
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = services.enrollment_select(
                application=application,
                version=form.cleaned_data["version"],
                plan_id=plan.plan_id,
                credit=form.cleaned_data["credit"],
                actor=request.user,
                association=association,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(plan)s is chosen. Coverage starts on %(day)s.")
                % {"plan": enrollment.plan_name, "day": date_format(enrollment.coverage_start, "F j, Y")},
            )
            if on_behalf:
                return redirect("clients:detail", application.client.public_id)
            return redirect("applications:coverage")
    wanted = initial.get("credit", who.max_credit)
    if form.is_bound and form.is_valid():
        wanted = shopping.credit_wanted(form.cleaned_data["credit"], who.max_credit)
    period, closed = _period(application)
    return render(
        request,
        "applications/choose.html",
        _frame(
            request,
            application,
            association,
            form=form,
            option=shopping.price(plan, who, wanted),
            household=who,
            sample=plan.catalog.is_sample,
            period=period,
            closed=closed,
            current=selectors.current_enrollment(application),
        ),
    )


# --- The household's coverage ----------------------------------------------------------------------------------


@login_required
@require_safe
def coverage(request):
    """My coverage: each year's plan, who is on it, what it costs, who helped, and the application's status."""
    client = own_client(request.user)
    if client is None:
        return profile_first(request, "applications:coverage")
    enrollments = selectors.client_enrollments(client)
    applications = {a.pk: a for a in selectors.client_applications(client)}
    for enrollment in enrollments:
        enrollment.disputable = services.may_dispute(enrollment)
    current = [e for e in enrollments if selectors.covers_now_or_later(e)]
    covered = {e.application_id for e in current}
    return render(
        request,
        "applications/coverage.html",
        {
            "client": client,
            "own": True,
            "enrollments": enrollments,
            "current": current,
            "past": [e for e in enrollments if e not in current],
            "to_choose": [
                a
                for a in applications.values()
                if a.status in (ApplicationStatus.DETERMINED, ApplicationStatus.PENDING_VERIFICATION)
                and a.pk not in covered
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def terminate(request, public_id):
    """End coverage at the end of this month or next, after saying what that means."""
    enrollment, association = access_enrollment(request.user, public_id, SELECT, request=request, what="end coverage")
    back = (
        reverse("applications:coverage")
        if association is None
        else reverse("clients:detail", args=[enrollment.client.public_id])
    )
    if enrollment.status != EnrollmentStatus.ACTIVE:
        messages.info(request, _("This plan has already ended."))
        return redirect(back)
    form = TerminateForm(
        request.POST if request.method == "POST" else None,
        initial={"version": enrollment.application.version},
        dates=termination_dates(coverage_year=enrollment.coverage_year),
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = services.enrollment_terminate(
                enrollment=enrollment,
                version=form.cleaned_data["version"],
                end=form.cleaned_data["end"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                association=association,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The coverage will not start.")
                if enrollment.never_started
                else _("Coverage ends on %(day)s.") % {"day": date_format(enrollment.coverage_end, "F j, Y")},
            )
            return redirect(back)
    return render(
        request,
        "applications/terminate.html",
        {
            "enrollment": enrollment,
            "client": enrollment.client,
            "own": association is None,
            "form": form,
            "back_url": back,
            "suspended": association is not None and plan_selection_suspended(enrollment.client_id, request.user.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispute(request, public_id):
    """The consumer's "I did not ask for this" about a plan chosen, changed or ended for them."""
    client = own_client(request.user)
    if client is None:
        raise Http404
    enrollment, association = access_enrollment(request.user, public_id, request=request, what="dispute")
    if association is not None or enrollment.client_id != client.pk:
        raise Http404
    action = request.POST.get("action") or request.GET.get("action") or "selected"
    form = DisputeForm(request.POST if request.method == "POST" else None, initial={"action": action})
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_dispute(
                enrollment=enrollment,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Exchange staff will review it and write to you. Until then the assister cannot choose "
                    "or end plans for you."
                ),
            )
            return redirect("applications:coverage")
    return render(
        request,
        "applications/dispute.html",
        {"enrollment": enrollment, "client": client, "form": form, "action": action, "own": True},
    )


# --- The agency's enrollments (for commissions) ----------------------------------------------------------------

CSV_COLUMNS = [
    "selected_at",
    "client_id",
    "client_name",
    "coverage_year",
    "plan_id",
    "plan",
    "issuer",
    "metal_level",
    "members",
    "premium",
    "credit_applied",
    "net_premium",
    "coverage_start",
    "coverage_end",
    "status",
    "selected_by",
    "writing_agent",
    "writing_agent_npn",
    "sample_catalog",
]


@login_required
@role_required(Role.AGENCY_ADMIN)
@require_safe
def agency_enrollments(request):
    """Enrollments the agency's assisters made, with the writing agent; `?format=csv` downloads them all."""
    membership = admin_membership_or_404(request.user)
    rows = selectors.agency_enrollments(membership.agency_id)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="agency-enrollments.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        listed = []
        for e in rows.iterator(chunk_size=500):
            listed.append(e.client)
            writer.writerow(
                formula_safe(value)
                for value in (
                    timezone.localtime(e.selected_at).strftime("%Y-%m-%d %H:%M"),
                    e.client.short_id,
                    e.client.full_name,
                    e.coverage_year,
                    e.hios_plan_id,
                    e.plan_name,
                    e.issuer_name,
                    e.metal_level,
                    len(e.members),
                    e.premium,
                    e.credit_applied,
                    e.net_premium,
                    e.coverage_start.isoformat(),
                    e.coverage_end.isoformat(),
                    e.status,
                    e.selected_by.get_full_name() or e.selected_by.email,
                    e.writing_agent.full_name if e.writing_agent_id else "",
                    e.writing_agent_npn,
                    "yes" if e.sample_catalog else "no",
                )
            )
        audit_list(request, listed, "agency enrollments (CSV)")
        return response
    page = list(rows[:200])
    audit_list(request, [row.client for row in page], "agency enrollments")
    return render(
        request,
        "applications/agency_enrollments.html",
        {"rows": page, "total": rows.count(), "agency": membership.agency},
    )
