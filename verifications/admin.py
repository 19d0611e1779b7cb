"""Verification for exchange staff (issue 14): the queue of requests with documents to review, oldest due first,
filterable by what must be proved and by due date; a "Review" page with what was attested beside the documents, shown
as pictures made from the cleaned files; accept, reject with a reason the uploader reads, or extend the due date in
good faith. Every open and every picture is audited against the client. The "Document reviewers" group holds these
duties (migration 0002)."""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.admin import audit_staff_view
from assister_portal.lib.admin import ForgivingChangeListMixin, ReadOnlyMixin
from assister_portal.lib.uploads.responses import DOWNLOAD_HEADERS

from . import previews, selectors, services
from .forms import DecisionForm, ExtendForm
from .models import OPEN_STATUSES, Document, ReferenceRecord, RequestStatus, VerificationEvent, VerificationRequest


class QueueFilter(admin.SimpleListFilter):
    """Staff land on the queue: requests with documents waiting for review."""

    title = _("status")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        others = [(value, label) for value, label in RequestStatus.choices if value != RequestStatus.SUBMITTED]
        return [
            (RequestStatus.SUBMITTED, _("Waiting for review")),
            ("open", _("Open (documents needed, waiting or not accepted)")),
            ("all", _("All")),
            *others,
        ]

    def choices(self, changelist):
        value = self.value() or RequestStatus.SUBMITTED
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or RequestStatus.SUBMITTED
        if value == "all":
            return queryset
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value in RequestStatus.values:
            return queryset.filter(status=value)
        return queryset.none()


class DueFilter(admin.SimpleListFilter):
    title = _("due date")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", _("Past due")), ("7", _("Within 7 days")), ("30", _("Within 30 days"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(due_date__lt=today)
        if self.value() in ("7", "30"):
            return queryset.filter(due_date__gte=today, due_date__lte=today + timedelta(days=int(self.value())))
        return queryset


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = VerificationEvent
    fields = ("at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    extra = 0


class DocumentInline(ReadOnlyMixin, admin.TabularInline):
    model = Document
    fields = ("uploaded_at", "document_type", "original_name", "kind", "size", "scan_status", "uploaded_by", "decision")
    readonly_fields = fields
    extra = 0


@admin.register(VerificationRequest)
class VerificationRequestAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("short_id", "client", "member_name", "type", "status", "due_date", "files")
    list_filter = (QueueFilter, "type", DueFilter)
    ordering = ("due_date", "pk")
    list_select_related = ("client",)
    search_fields = ("public_id",)
    show_full_result_count = False
    fields = (
        "public_id",
        "client",
        "application",
        "member_name",
        "type",
        "attested",
        "source_said",
        "status",
        "due_date",
        "opened_at",
        "reminders_sent",
        "reject_reason",
        "reject_note",
        "decided_at",
        "decided_by",
    )
    readonly_fields = fields
    inlines = [DocumentInline, EventInline]

    def get_queryset(self, request):
        # A subquery per row shown, not a count over every request before the page is cut (the queue grows).
        files = Document.objects.filter(request=OuterRef("pk")).order_by().values("request").annotate(n=Count("pk"))
        return super().get_queryset(request).annotate(file_count=Coalesce(Subquery(files.values("n")[:1]), 0))

    @admin.display(description=_("files"), ordering="file_count")
    def files(self, obj):
        return obj.file_count

    def has_decide_permission(self, request):
        return request.user.has_perm("verifications.change_verificationrequest")

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<path:object_id>/decide/", decide, name="verifications_verificationrequest_decide"),
            path(
                "<path:object_id>/documents/<uuid:document_id>/page/<int:number>/",
                preview,
                name="verifications_verificationrequest_preview",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        audit_staff_view(self, request, VerificationRequest, object_id, "verification request")
        extra_context = {**(extra_context or {}), "may_decide": self.has_decide_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _allowed(self, request, object_id) -> VerificationRequest:
        row = self.get_object(request, unquote(object_id))
        if row is None or not (self.has_view_permission(request, row) and self.has_decide_permission(request)):
            raise Http404(_("No request with that ID."))
        return row

    def decide_view(self, request, object_id):
        row = self._allowed(request, object_id)
        audit_staff_view(self, request, VerificationRequest, row.pk, "verification request, to review")
        change_url = reverse("admin:verifications_verificationrequest_change", args=[row.pk])
        posted = request.method == "POST"
        extending = posted and "extend" in request.POST
        undecided = [str(d.public_id) for d in row.documents.filter(decision="").order_by("pk")]
        form = DecisionForm(request.POST if posted and not extending else None, initial={"seen": ",".join(undecided)})
        extend_form = ExtendForm(request.POST if extending else None)
        try:
            if extending and extend_form.is_valid():
                services.verification_extend(
                    verification=row,
                    due_date=extend_form.cleaned_data["due_date"],
                    reason=extend_form.cleaned_data["reason"],
                    actor=request.user,
                    request=request,
                )
                self.message_user(request, _("Due date extended; the household is told."))
                return redirect(change_url)
            if posted and not extending and form.is_valid():
                if form.cleaned_data["action"] == "accept":
                    services.verification_accept(
                        verification=row, actor=request.user, seen=form.seen_ids(), request=request
                    )
                else:
                    services.verification_reject(
                        verification=row,
                        reason=form.cleaned_data["reason"],
                        note=form.cleaned_data["note"],
                        actor=request.user,
                        seen=form.seen_ids(),
                        request=request,
                    )
                self.message_user(request, _("Decided; the household is told."))
                return redirect(change_url)
        except ValidationError as error:
            if (
                getattr(error, "code", None) == "changed"
            ):  # a document arrived: the page again, with it (and a fresh list of what it shows)
                self.message_user(request, error.messages[0], level=messages.WARNING)
                return redirect(reverse("admin:verifications_verificationrequest_decide", args=[row.pk]))
            target = extend_form if extending else form
            if hasattr(error, "error_dict"):
                for field, texts in error.message_dict.items():
                    target.add_error(field if field in target.fields else None, texts)
            else:
                target.add_error(None, error.messages)
        documents = selectors.request_documents(row)
        for document in documents:
            document.pages = range(1, previews.page_count(document) + 1) if document.is_servable else range(0)
        member = next((m for m in row.application.data.get("members", []) if m.get("key") == row.member_key), None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Review: %(request)s") % {"request": row},
            "original": row,
            "member": member,
            "documents": documents,
            "form": form,
            "extend_form": extend_form,
            "may_decide_now": row.status == RequestStatus.SUBMITTED,
            "open": row.status in OPEN_STATUSES,
        }
        return TemplateResponse(request, "admin/verifications/verificationrequest/decide.html", context)

    def preview_view(self, request, object_id, document_id, number):
        """One page of a document as a PNG made from the cleaned file; audited."""
        row = self._allowed(request, object_id)
        document = row.documents.filter(public_id=document_id).first()
        if document is None or not document.is_servable:
            raise Http404(_("No such document, or it is not scanned yet."))
        try:
            png = previews.render_page(document, number)
        except previews.NoPreview as exc:
            raise Http404(_("This page cannot be shown.")) from exc
        services.document_viewed(document=document, actor=request.user, request=request, what=f"preview page {number}")
        response = HttpResponse(png, content_type="image/png")
        for header, value in DOWNLOAD_HEADERS.items():
            response[header] = value
        return response


@admin.register(ReferenceRecord)
class ReferenceRecordAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The sample data source (read-only: seed_demo and the tests fill it)."""

    list_display = ("first_name", "last_name", "date_of_birth", "citizenship", "yearly_income", "source")
    search_fields = ("last_name",)
    show_full_result_count = False
