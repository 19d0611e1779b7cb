"""Applications and enrollments for exchange staff: read-only, but for the one decision staff make here, on a
consumer's "I did not ask for this" (issue 13). The lists filter by status and coverage year; an application's
page shows its status changes, versions (who acted, for whom), review records and determinations; an enrollment's,
its status changes and reports. Opening one is audited against the client, like every staff read of a client's
information. The "Enrollment reviewers" group (migration 0003) holds these duties."""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.admin import ForgivingChangeListMixin, ReadOnlyMixin
from audit.models import Action
from audit.services import audit_record

from . import services
from .models import (
    Application,
    ApplicationEvent,
    ApplicationReview,
    ApplicationRevision,
    Determination,
    DisputeStatus,
    Enrollment,
    EnrollmentDispute,
    EnrollmentEvent,
)


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = ApplicationEvent
    fields = ("at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    extra = 0


class RevisionInline(ReadOnlyMixin, admin.TabularInline):
    model = ApplicationRevision
    fields = ("number", "at", "what", "status", "actor", "on_behalf", "association")
    readonly_fields = fields
    extra = 0


class ReviewInline(ReadOnlyMixin, admin.TabularInline):
    model = ApplicationReview
    fields = (
        "revision_number",
        "method",
        "status",
        "assister_user",
        "consumer_name",
        "reviewed_on",
        "attestations_explained",
        "note",
        "requested_at",
        "answered_at",
    )
    readonly_fields = fields
    extra = 0


class DeterminationInline(ReadOnlyMixin, admin.TabularInline):
    model = Determination
    fields = ("revision_number", "at", "programs", "max_monthly_credit")
    readonly_fields = fields
    extra = 0


@admin.register(Application)
class ApplicationAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("short_id", "client", "coverage_year", "status", "programs", "credit", "updated_at")
    list_filter = ("status", "coverage_year")
    date_hierarchy = "updated_at"
    search_fields = ("public_id",)
    list_select_related = ("client", "determination")
    show_full_result_count = False
    fields = (
        "public_id",
        "client",
        "coverage_year",
        "status",
        "version",
        "county",
        "rating_area",
        "created_at",
        "created_by",
        "submitted_at",
        "status_changed_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [EventInline, RevisionInline, ReviewInline, DeterminationInline]

    @admin.display(description=_("programs"))
    def programs(self, obj):
        return obj.determination.programs if obj.determination_id else "—"

    @admin.display(description=_("monthly credit"))
    def credit(self, obj):
        return obj.determination.max_monthly_credit if obj.determination_id else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """An application's page shows the household's status and history: audited against the client."""
        audit_staff_view(self, request, Application, object_id, "application")
        return super().change_view(request, object_id, form_url, extra_context)


def audit_staff_view(model_admin, request, model, object_id, what: str) -> None:
    """Audit a staff member opening a row of a client's (an application, an enrollment, a report; any model with a
    `client`): the client sees it in "Who viewed my information". Used by the changes admin too."""
    row = (
        model.objects.select_related("client").filter(pk=object_id).first()
        if re.fullmatch(r"[0-9]{1,18}", str(object_id))
        else None
    )
    if row is not None and model_admin.has_view_permission(request, row):
        audit_record(
            action=Action.CLIENT_VIEWED,
            actor=request.user,
            request=request,
            target=row,
            client=row.client,
            details={"what": f"{what} {getattr(row, 'short_id', row.pk)} (staff)"},
        )


# --- Enrollments and the consumers' reports (issue 13) ----------------------------------------------------------


class EnrollmentEventInline(ReadOnlyMixin, admin.TabularInline):
    model = EnrollmentEvent
    fields = ("at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    extra = 0


class DisputeInline(ReadOnlyMixin, admin.TabularInline):
    model = EnrollmentDispute
    fields = ("raised_at", "action", "assister_user", "status", "consumer_note", "decided_by", "decision_note")
    readonly_fields = fields
    extra = 0
    show_change_link = True


ENROLLMENT_FIELDS = (
    "public_id",
    "client",
    "application",
    "coverage_year",
    "status",
    "hios_plan_id",
    "plan_name",
    "issuer_name",
    "metal_level",
    "csr_variant",
    "sample_catalog",
    "members",
    "premium",
    "max_credit",
    "credit_applied",
    "net_premium",
    "period_kind",
    "period_label",
    "coverage_start",
    "coverage_end",
    "selected_at",
    "selected_by",
    "on_behalf",
    "association",
    "writing_agent",
    "writing_agent_npn",
    "replaces",
    "ended_at",
    "ended_by",
    "ended_on_behalf",
    "end_reason",
)


@admin.register(Enrollment)
class EnrollmentAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "short_id",
        "client",
        "coverage_year",
        "plan_name",
        "status",
        "net_premium",
        "coverage_start",
        "on_behalf",
        "writing_agent_npn",
        "selected_at",
    )
    list_filter = ("status", "coverage_year", "period_kind", "on_behalf")
    date_hierarchy = "selected_at"
    search_fields = ("public_id", "hios_plan_id", "writing_agent_npn")
    list_select_related = ("client",)
    show_full_result_count = False
    fields = ENROLLMENT_FIELDS
    readonly_fields = fields
    inlines = [EnrollmentEventInline, DisputeInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        audit_staff_view(self, request, Enrollment, object_id, "enrollment")
        return super().change_view(request, object_id, form_url, extra_context)


class DisputeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (
                "uphold",
                _("Uphold: the consumer did not ask for it (the assister stays unable to choose plans for them)"),
            ),
            ("dismiss", _("Dismiss: the consumer had asked for it (the assister may choose plans for them again)")),
        ],
        error_messages={"required": _("Choose uphold or dismiss.")},
    )
    note = forms.CharField(
        label=_("What you found"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("The consumer and the assister read it in their notices."),
        error_messages={"required": _("Say what you found: the consumer and the assister read it.")},
    )


class OpenFirst(admin.SimpleListFilter):
    """The queue opens on the reports waiting for a decision; "All" shows the decided ones too."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("all", _("All")), *DisputeStatus.choices]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or DisputeStatus.OPEN) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or DisputeStatus.OPEN
        if value == "all":
            return queryset
        if value not in DisputeStatus.values:
            raise ValueError(f"not a status: {value!r}")
        return queryset.filter(status=value)


@admin.register(EnrollmentDispute)
class EnrollmentDisputeAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The queue of consumers' "I did not ask for this" reports, oldest first."""

    list_display = ("reference", "client", "action", "assister_user", "raised_at", "status")
    list_filter = (OpenFirst, "action")
    ordering = ("raised_at",)
    list_select_related = ("client", "assister_user")
    show_full_result_count = False
    fields = (
        "public_id",
        "client",
        "enrollment",
        "enrollment_facts",
        "action",
        "assister_user",
        "association",
        "raised_by",
        "raised_at",
        "consumer_note",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    )
    readonly_fields = fields

    @admin.display(description=_("reference"))
    def reference(self, obj):
        return obj.public_id.hex[:8].upper()

    @admin.display(description=_("the enrollment"))
    def enrollment_facts(self, obj):
        e = obj.enrollment
        return _(
            "%(plan)s (%(plan_id)s) for %(members)s, %(net)s a month after a %(credit)s credit, from %(start)s; chosen "
            "%(at)s by %(by)s%(npn)s."
        ) % {
            "plan": e.plan_name,
            "plan_id": e.hios_plan_id,
            "members": ", ".join(m["first_name"] for m in e.members),
            "net": f"${e.net_premium:,.2f}",
            "credit": f"${e.credit_applied:,.2f}",
            "start": e.coverage_start.isoformat(),
            "at": e.selected_at.strftime("%Y-%m-%d %H:%M"),
            "by": e.selected_by.get_full_name() or e.selected_by.email,
            "npn": f", NPN {e.writing_agent_npn}" if e.writing_agent_npn else "",
        }

    def has_decide_permission(self, request):
        return request.user.has_perm("applications.change_enrollmentdispute")

    def get_urls(self):
        view = self.admin_site.admin_view(self.decide_view)
        return [
            path("<path:object_id>/decide/", view, name="applications_enrollmentdispute_decide"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        audit_staff_view(self, request, EnrollmentDispute, object_id, "report of a plan change")
        extra_context = {**(extra_context or {}), "may_decide": self.has_decide_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, object_id):
        dispute = self.get_object(request, unquote(object_id))
        if dispute is None:
            raise Http404(_("No report with that ID."))
        if not (self.has_view_permission(request, dispute) and self.has_decide_permission(request)):
            raise Http404(_("No report with that ID."))  # staff without the duty: as if it did not exist
        audit_staff_view(self, request, EnrollmentDispute, dispute.pk, "report of a plan change, to decide")
        change_url = reverse("admin:applications_enrollmentdispute_change", args=[dispute.pk])
        if dispute.status != DisputeStatus.OPEN:
            self.message_user(request, _("This report was already decided."), messages.WARNING)
            return redirect(change_url)
        form = DisputeDecisionForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                services.enrollment_dispute_decide(
                    dispute=dispute,
                    upheld=form.cleaned_data["decision"] == "uphold",
                    note=form.cleaned_data["note"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                self.message_user(request, _("Decision recorded; the consumer and the assister are told."))
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Decide: %(dispute)s") % {"dispute": dispute},
            "original": dispute,
            "facts": self.enrollment_facts(dispute),
            "form": form,
        }
        return TemplateResponse(request, "admin/applications/enrollmentdispute/decide.html", context)
