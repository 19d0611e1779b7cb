"""Change reports for exchange staff (issue 15): the queue, oldest first, by kind and status; a report's page beside
the client's current application; one "Decide" page to take it in hand, ask the household a question, or process
it (which applies it to the application through the services and determines it again). Every open is audited
against the client. The "Change reviewers" group holds these duties (migration 0002)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from applications.admin import audit_staff_view
from applications.models import ApplicationStatus
from assister_portal.lib.admin import ForgivingChangeListMixin, ReadOnlyMixin

from . import services
from .models import ChangeReport, ChangeReportEvent, ReportStatus


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = ChangeReportEvent
    fields = ("at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    extra = 0


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What to do"),
        widget=forms.RadioSelect,
        choices=[
            ("review", _("Take it in hand (in review)")),
            ("ask", _("Ask the household a question (they answer in the portal)")),
            ("process", _("Process it: apply it to the application and determine eligibility again")),
            ("close", _("Close it as recorded only, without changing the application (say why)")),
        ],
        error_messages={"required": _("Choose what to do.")},
    )
    text = forms.CharField(
        label=_("The question, or a note on what you did"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("The household reads it. Required to ask a question."),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "ask" and not (data.get("text") or "").strip():
            self.add_error("text", _("Write the question the household should answer."))
        return data


@admin.register(ChangeReport)
class ChangeReportAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("short_id", "client", "event", "effective_date", "status", "sep_closes", "submitted_at")
    list_filter = ("status", "kind")
    ordering = ("submitted_at",)
    list_select_related = ("client",)
    search_fields = ("public_id",)
    show_full_result_count = False
    fields = (
        "public_id",
        "client",
        "kind",
        "event",
        "effective_date",
        "report_details",
        "status",
        "question",
        "answer",
        "submitted_at",
        "submitted_by",
        "on_behalf",
        "association",
        "reported_late",
        "outside_minnesota",
        "sep_opens",
        "sep_closes",
        "current_application",
        "processed_at",
        "processed_by",
        "processed_revision",
        "outcome",
    )
    readonly_fields = fields
    inlines = [EventInline]

    @admin.display(description=_("what was reported"))
    def report_details(self, obj):
        names = {
            m["key"]: f"{m.get('first_name', '')} {m.get('last_name', '')}".strip()
            for m in (obj.application.data.get("members", []) if obj.application_id else [])
        }
        rows = (
            (key, names.get(value, f"{value} (no longer on the application)") if key == "member" else value)
            for key, value in obj.details.items()
        )
        return format_html_join("", "<div><strong>{}</strong>: {}</div>", rows)

    @admin.display(description=_("the application now"))
    def current_application(self, obj):
        application = obj.application
        if application is None:
            return _("No application: processing records the report only.")
        if application.status == ApplicationStatus.WITHDRAWN:
            return _("Withdrawn since: processing would be refused.")
        lines = [
            (m.get("first_name", ""), m.get("relationship", ""), m.get("date_of_birth", ""), m.get("incomes", []))
            for m in application.data.get("members", [])
        ]
        address = application.data.get("address", {})
        return format_html(
            "<div>{} · {} · {} {}</div><ul>{}</ul>",
            application,
            application.get_status_display(),
            address.get("city", ""),
            address.get("zip_code", ""),
            format_html_join("", "<li>{} ({}, born {}): incomes {}</li>", lines),
        )

    def has_decide_permission(self, request):
        return request.user.has_perm("changes.change_changereport")

    def get_urls(self):
        view = self.admin_site.admin_view(self.decide_view)
        return [path("<path:object_id>/decide/", view, name="changes_changereport_decide"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        audit_staff_view(self, request, ChangeReport, object_id, "change report")
        extra_context = {**(extra_context or {}), "may_decide": self.has_decide_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, object_id):
        report = self.get_object(request, unquote(object_id))
        if report is None or not (self.has_view_permission(request, report) and self.has_decide_permission(request)):
            raise Http404(_("No report with that ID."))
        audit_staff_view(self, request, ChangeReport, report.pk, "change report, to decide")
        change_url = reverse("admin:changes_changereport_change", args=[report.pk])
        form = DecisionForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            action, text = form.cleaned_data["action"], form.cleaned_data["text"]
            try:
                if action == "review":
                    services.change_report_review(report=report, actor=request.user, request=request)
                elif action == "ask":
                    services.change_report_ask(report=report, question=text, actor=request.user, request=request)
                elif action == "close":
                    services.change_report_close(report=report, actor=request.user, note=text, request=request)
                else:
                    services.change_report_process(report=report, actor=request.user, note=text, request=request)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                self.message_user(request, _("Done; the household is told."))
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Decide: %(report)s") % {"report": report},
            "original": report,
            "details": self.report_details(report),
            "application": self.current_application(report),
            "form": form,
            "open": report.status != ReportStatus.PROCESSED,
        }
        return TemplateResponse(request, "admin/changes/changereport/decide.html", context)
