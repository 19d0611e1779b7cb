"""Staff see consent given offline (DESIGN §8): every grant, with its evidence and whether it was flagged."""

import re

from django.contrib import admin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.admin import ForgivingChangeListMixin, ReadOnlyMixin
from assister_portal.lib.uploads import quarantined_file_response
from audit.models import Action
from audit.services import audit_record

from .models import Consent, ConsentEvidence, ConsentMethod

OFFLINE_METHODS = [ConsentMethod.PAPER_FORM, ConsentMethod.RECORDED_CALL]


class OfflineFilter(admin.SimpleListFilter):
    title = _("recorded offline")
    parameter_name = "offline"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes: signed form or recorded call")), ("no", _("No: online or by the portal"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(method__in=OFFLINE_METHODS)
        if self.value() == "no":
            return queryset.exclude(method__in=OFFLINE_METHODS)
        return queryset


@admin.register(Consent)
class ConsentAdmin(ReadOnlyMixin, ForgivingChangeListMixin, admin.ModelAdmin):
    list_display = [
        "at",
        "event",
        "method",
        "agency_name",
        "recorded_by",
        "given_on",
        "call_reference",
        "evidence_status",
        "flagged",
    ]
    list_filter = [OfflineFilter, "flagged", "method", "event", "evidence_file__scan_status"]
    date_hierarchy = "at"
    list_select_related = ["recorded_by", "evidence_file"]
    search_fields = ["agency_name", "recorded_by__email", "call_reference"]
    show_full_result_count = False
    exclude = ["evidence"]  # files stored as sent before the upload checks: kept, never served
    readonly_fields = ["association_public_id", "evidence_download", "legacy_evidence"]

    def get_urls(self):
        evidence = path(
            "<int:pk>/evidence/",
            self.admin_site.admin_view(self.evidence_view),
            name="associations_consent_evidence",
        )
        return [evidence, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A consent's page names the client (the attestation, who was on the call): audited against the client."""
        consent = (
            Consent.objects.select_related("association__client").filter(pk=object_id).first()
            if re.fullmatch(r"[0-9]{1,18}", str(object_id))
            else None
        )
        if consent is not None and self.has_view_permission(request, consent):
            audit_record(
                action=Action.CLIENT_VIEWED,
                actor=request.user,
                request=request,
                target=consent,
                client=consent.association.client,
                details={"what": "consent record (staff review)"},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def evidence_view(self, request, pk):
        """The signed form, to staff who may view consents: audited against the client, served as an attachment."""
        if not self.has_view_permission(request):
            raise Http404
        evidence = get_object_or_404(ConsentEvidence.objects.select_related("consent__association__client"), consent=pk)
        client = evidence.consent.association.client
        audit_record(
            action=Action.CLIENT_VIEWED,
            actor=request.user,
            request=request,
            target=evidence,
            client=client,
            details={"what": "signed consent form (staff review)"},
        )
        return quarantined_file_response(evidence)

    @admin.display(description=_("association"))
    def association_public_id(self, obj):
        return obj.association.public_id

    @admin.display(description=_("signed form"), ordering="evidence_file__scan_status")
    def evidence_status(self, obj):
        evidence = getattr(obj, "evidence_file", None)
        return evidence.get_scan_status_display() if evidence else "—"

    @admin.display(description=_("signed form"))
    def evidence_download(self, obj):
        evidence = getattr(obj, "evidence_file", None)
        if evidence is None:
            return "—"
        if not evidence.is_servable:
            return evidence.get_scan_status_display()
        return format_html(
            '<a href="{}">{}</a> ({})',
            reverse("admin:associations_consent_evidence", args=[obj.pk]),
            _("Download"),
            evidence.get_scan_status_display(),
        )

    @admin.display(description=_("evidence stored before upload checks"))
    def legacy_evidence(self, obj):
        return _("Yes: kept as a record, not served") if obj.evidence else "—"
