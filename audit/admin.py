from django.contrib import admin

from assister_portal.lib.admin import ForgivingChangeListMixin, ReadOnlyMixin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: staff browse the trail; nobody adds, changes or deletes a row."""

    list_display = ["at", "action", "outcome", "actor_label", "ip", "request_id"]
    list_filter = ["action", "outcome"]
    search_fields = ["actor_label", "request_id", "object_id", "ip"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    show_full_result_count = False
