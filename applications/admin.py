"""Applications for exchange staff: read-only. The list filters by status and coverage year; an application's
page shows its status changes, versions (who acted, for whom), review records and determinations. Opening
one is audited against the client, like every staff read of a client's information."""

import re

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.admin import ForgivingChangeListMixin, ReadOnlyMixin
from audit.models import Action
from audit.services import audit_record

from .models import Application, ApplicationEvent, ApplicationReview, ApplicationRevision, Determination


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
        application = (
            Application.objects.select_related("client").filter(pk=object_id).first()
            if re.fullmatch(r"[0-9]{1,18}", str(object_id))
            else None
        )
        if application is not None and self.has_view_permission(request, application):
            audit_record(
                action=Action.CLIENT_VIEWED,
                actor=request.user,
                request=request,
                target=application,
                client=application.client,
                details={"what": f"application {application.short_id} (staff)"},
            )
        return super().change_view(request, object_id, form_url, extra_context)
