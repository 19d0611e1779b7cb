"""Notices and invoices for exchange staff: read-only, failed notices first, filterable by kind, status and
date, with a "retry" action for failed ones (permission `notices.retry_notice`)."""

from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.admin import ForgivingChangeListMixin, ReadOnlyMixin
from assister_portal.lib.state_machine import TransitionNotAllowed

from . import kinds, services
from .models import Invoice, Notice, NoticeEvent, NoticeStatus


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return kinds.choices()

    def queryset(self, request, queryset):
        value = self.value()
        if value:
            return queryset.filter(kind=value)
        return queryset


class NoticeEventInline(ReadOnlyMixin, admin.TabularInline):
    model = NoticeEvent
    fields = ("at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    extra = 0


@admin.register(Notice)
class NoticeAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "number_display",
        "kind_display",
        "recipient",
        "language",
        "status",
        "attempts",
        "created_at",
        "ready_at",
        "emailed_at",
    )
    list_filter = (KindFilter, "status", "language")
    date_hierarchy = "created_at"
    search_fields = ("public_id",)
    list_select_related = ("client", "user")
    fields = (
        "public_id",
        "kind",
        "client",
        "user",
        "language",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "status_changed_at",
        "ready_at",
        "emailed_at",
        "read_at",
        "sha256",
        "pages",
    )
    readonly_fields = fields
    inlines = [NoticeEventInline]
    actions = ["retry"]
    # Failed notices first (they need staff), then newest first. An expression, so the changelist applies it
    # (it replaces whatever order get_queryset gives); a column header clicked by staff still overrides it.
    ordering = (
        Case(When(status=NoticeStatus.FAILED, then=Value(0)), default=Value(1), output_field=IntegerField()).asc(),
        "-created_at",
        "-id",
    )

    @admin.display(description=_("number"))
    def number_display(self, notice):
        return notice.number

    @admin.display(description=_("kind"))
    def kind_display(self, notice):
        spec = kinds.for_notice(notice.kind)
        return spec.title if spec is not kinds.RETIRED else f"{spec.title} ({notice.kind})"

    @admin.display(description=_("recipient"))
    def recipient(self, notice):
        return str(notice.client.full_name if notice.client_id else notice.user)

    def has_retry_permission(self, request):
        return request.user.has_perm("notices.retry_notice")

    @admin.action(description=_("Retry the selected failed notices"), permissions=["retry"])
    def retry(self, request, queryset):
        retried, refused = 0, 0
        for notice in queryset:
            try:
                services.notice_retry(notice=notice, actor=request.user, request=request)
                retried += 1
            except TransitionNotAllowed:
                refused += 1
        if retried:
            self.message_user(request, _("%(count)d notice(s) queued to be prepared again.") % {"count": retried})
        if refused:
            self.message_user(
                request,
                _("%(count)d notice(s) were not failed, so they were left as they are.") % {"count": refused},
                messages.WARNING,
            )


@admin.register(Invoice)
class InvoiceAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "client", "period_start", "period_end", "amount", "due_date", "paid_at")
    list_filter = ("due_date",)
    list_select_related = ("client",)
    fields = (
        "public_id",
        "client",
        "notice",
        "period_start",
        "period_end",
        "lines",
        "amount",
        "due_date",
        "paid_at",
        "paid_by",
    )
    readonly_fields = fields
