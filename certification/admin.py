"""The staff side of certification (DESIGN §6): review applications, record checks, decide.

Nothing here is edited in place or deleted. Decisions and staff checks go through
`certification.services`, which check the state machine and the requirement
checklist, append the CertificationEvent, write the audit trail and email the
applicant. The model's `change_certification` permission is the right to decide.
"""

import re
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value, flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.admin import ForgivingChangeListMixin, ReadOnlyMixin
from assister_portal.lib.crypto import lookup_hash

from . import services
from .models import (
    Agency,
    AgencyKind,
    AgencyMembership,
    Assister,
    AssisterKind,
    BackgroundStudy,
    Certification,
    CertificationEvent,
    Invitation,
)
from .periods import today
from .requirements import requirements

FEIN_RE = re.compile(r"^\d{2}-\d{7}$")
AGENCY_FILTER_LIMIT = 100

T = services.CertificationTransition
# decision: (button, bulk action label); each calls services.certification_decide with a reason.
DECISIONS = {
    T.APPROVE: (_("Approve"), _("Approve selected certifications")),
    T.DENY: (_("Deny"), _("Deny selected certifications")),
    T.REQUEST_INFO: (_("Request more information"), _("Request more information on selected certifications")),
    T.SUSPEND: (_("Suspend"), _("Suspend selected certifications")),
    T.REINSTATE: (_("Reinstate"), _("Reinstate selected certifications")),
    T.DECERTIFY: (_("Decertify"), _("Decertify selected certifications")),
}


def _fieldset(title, names: str):
    return (title, {"fields": names.split()})


class ReadOnlyAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    show_full_result_count = False
    exclude = []

    def get_fields(self, request, obj=None):
        """Every stored field but the excluded ones, then the computed ones; all shown read-only."""
        if self.fields is not None:
            return self.fields
        stored = [f.name for f in self.model._meta.fields if not f.primary_key and f.name not in self.exclude]
        return [*stored, *self.readonly_fields]


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


def _related(attribute_path: str, description):
    """A read-only display of a value on a related row, e.g. `assister.date_of_birth`."""

    @admin.display(description=description)
    def display(self, obj):
        value = obj
        for name in attribute_path.split("."):
            value = getattr(value, name, None)
        return display_for_value(value, self.get_empty_value_display())

    return display


# --- Changelist filters ---------------------------------------------------------------


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [*AssisterKind.choices, *AgencyKind.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value in AssisterKind.values:
            return queryset.filter(assister__kind=value)
        if value in AgencyKind.values:
            return queryset.filter(agency__kind=value)
        return queryset


def _is_id(value: str | None) -> bool:
    """A row id as the URL can carry it: ASCII digits ("²".isdigit() is True), within a bigint."""
    return bool(value) and value.isascii() and value.isdigit() and len(value) <= 18


class AgencyFilter(admin.SimpleListFilter):
    """Agencies with certifications, by name; capped, and an agency name in the list filters by it too."""

    title = _("agency")
    parameter_name = "agency"

    def lookups(self, request, model_admin):
        with_certifications = Q(Exists(Certification.objects.filter(agency=OuterRef("pk")))) | Q(
            Exists(Certification.objects.filter(assister__agency=OuterRef("pk")))
        )
        agencies = Agency.objects.filter(with_certifications).order_by("public_name", "pk")
        rows = list(agencies.values_list("pk", "public_name")[:AGENCY_FILTER_LIMIT])
        value = self.value()
        if _is_id(value) and all(str(pk) != value for pk, _name in rows):
            rows += list(Agency.objects.filter(pk=value).values_list("pk", "public_name"))
        return [(str(pk), name) for pk, name in rows]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not _is_id(value):
            return queryset.none()
        return queryset.filter(Q(agency_id=value) | Q(assister__agency_id=value))


class ExpiryMonthFilter(admin.SimpleListFilter):
    title = _("valid until (month)")
    parameter_name = "expires"

    def lookups(self, request, model_admin):
        start = today()
        months = [(start.year * 12 + start.month - 1) + offset for offset in range(-3, 13)]
        choices = [("expired", _("Already expired"))]
        for month in months:
            first = date(month // 12, month % 12 + 1, 1)
            choices.append((first.strftime("%Y-%m"), date_format(first, "F Y")))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == "expired":
            return queryset.filter(valid_until__lt=today())
        if value and re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
            year, month = int(value[:4]), int(value[5:])
            if not (1 <= month <= 12 and 1 <= year < 9999):  # date() takes years 1 to 9999
                return queryset.none()
            following = date(year + month // 12, month % 12 + 1, 1)
            return queryset.filter(valid_until__gte=date(year, month, 1), valid_until__lt=following)
        return queryset


# --- Forms ----------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": _("Give a reason: it is recorded and shown to the applicant.")},
        help_text=_("Recorded in each certification's history; the applicant sees it when they sign in."),
    )


class DecisionForm(forms.Form):
    decision = forms.TypedChoiceField(label=_("Decision"), required=False, coerce=services.CertificationTransition)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Required with a decision. The applicant sees it when they sign in."),
    )

    def __init__(self, *args, certification: Certification, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [
            t.name
            for t in services.CERTIFICATION_MACHINE.available(certification.status, who=services.Who.STAFF)
            if t.name in services.STAFF_DECISIONS
        ]
        self.fields["decision"].choices = [
            ("", _("No decision: only record the checks below")),
            *((action.value, DECISIONS[action][0]) for action in allowed),
        ]
        self.fields["decision"].error_messages["invalid_choice"] = _(
            "That decision is not possible for a certification that is %(status)s."
        ) % {"status": certification.get_status_display().lower()}
        kind = certification.assister.kind if certification.assister_id else None
        if kind in (AssisterKind.NAVIGATOR, AssisterKind.CAC):
            self.fields["background_study"] = forms.ChoiceField(
                label=_("Background study result"),
                required=False,
                choices=[("", _("No change")), *(choice for choice in BackgroundStudy.choices if choice[0])],
                help_text=_("Now: %(value)s") % {"value": certification.get_background_study_display()},
            )
        if kind == AssisterKind.BROKER:
            self.fields["license_verified"] = forms.TypedChoiceField(
                label=_("Minnesota license verified"),
                required=False,
                coerce=lambda value: value == "yes",
                empty_value=None,
                choices=[("", _("No change")), ("yes", _("Verified")), ("no", _("Not verified"))],
                help_text=_("Now: %(value)s")
                % {"value": _("verified") if certification.license_verified_by_staff else _("not verified")},
            )

    def clean(self):
        data = super().clean()
        checks = data.get("background_study") or data.get("license_verified") is not None
        if data.get("decision") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason: it is recorded and shown to the applicant."))
        elif not data.get("decision") and not checks and not self.errors:
            raise ValidationError(_("Choose a decision or record a check."))
        return data


# --- Certification ----------------------------------------------------------------------------


class CertificationEventInline(ReadOnlyInline):
    model = CertificationEvent
    fields = ["at", "actor", "from_status", "to_status", "reason"]
    readonly_fields = fields
    verbose_name = _("history entry")
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


def _decision_action(action):
    def run(modeladmin, request, queryset):
        return modeladmin.decide_selected(request, queryset, action)

    run.__name__ = action.value
    return admin.action(description=DECISIONS[action][1], permissions=["decide"])(run)


@admin.register(Certification)
class CertificationAdmin(ReadOnlyAdmin):
    list_display = [
        "subject_name",
        "kind_label",
        "agency_link",
        "status",
        "valid_until",
        "submitted_at",
        "is_renewal",
        "assister_code",
    ]
    list_filter = ["status", KindFilter, AgencyFilter, ExpiryMonthFilter, "is_renewal"]
    list_select_related = ["assister__user", "assister__agency", "agency"]
    search_fields = [
        "assister__legal_first_name",
        "assister__legal_last_name",
        "agency__legal_name",
        "agency__public_name",
        "assister__user__email",
        "=assister__npn",
        "=assister__assister_id",
    ]
    search_help_text = _("Name, email, NPN or assister ID")
    show_facets = admin.ShowFacets.NEVER  # counts per filter choice would cost a subquery each on a large table
    actions = [_decision_action(action) for action in services.STAFF_DECISIONS]
    inlines = [CertificationEventInline]

    base_fieldsets = [
        _fieldset(None, "status is_renewal renews valid_from valid_until created_at submitted_at decided_at"),
        _fieldset(_("Requirements"), "requirement_checklist background_study license_verified_by_staff"),
    ]
    assister_fieldsets = [
        _fieldset(
            _("Applicant"),
            "assister kind_label assister_agency assister_name assister_dob assister_email assister_npn "
            "assister_code training_completed_on training_certificate_number",
        ),
        _fieldset(_("Agreement"), "agreement_version agreement_signed_name agreement_signed_at agreement_signed_ip"),
    ]
    broker_fieldsets = [
        _fieldset(
            _("License and errors-and-omissions coverage"),
            "license_number license_expires_on eo_carrier eo_policy_number eo_expires_on",
        ),
    ]
    counselor_fieldsets = [
        _fieldset(
            _("Conflict-of-interest disclosures"),
            "coi_answered coi_other_insurance_lines coi_insurer_employment coi_spouse_insurer_employment "
            "coi_financial_ties",
        ),
    ]
    agency_fieldsets = [
        _fieldset(
            _("Agency"),
            "agency kind_label agency_legal_name agency_public_name agency_fein agency_npn agency_contract_number "
            "agency_address agency_phone",
        ),
    ]

    assister_agency = _related("assister.agency", _("agency"))
    assister_name = _related("assister.full_name", _("legal name"))
    assister_dob = _related("assister.date_of_birth", _("date of birth"))
    assister_email = _related("assister.user.email", _("sign-in email"))
    assister_npn = _related("assister.npn", _("NPN"))
    agency_legal_name = _related("agency.legal_name", _("legal name"))
    agency_public_name = _related("agency.public_name", _("public name"))
    agency_fein = _related("agency.fein", _("FEIN"))
    agency_npn = _related("agency.agency_npn", _("agency NPN"))
    agency_contract_number = _related("agency.contract_number", _("contract or grant number"))
    agency_phone = _related("agency.phone", _("phone"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.base_fieldsets
        if obj.agency_id:
            return [*self.base_fieldsets, *self.agency_fieldsets]
        extra = self.broker_fieldsets if obj.assister.kind == AssisterKind.BROKER else self.counselor_fieldsets
        return [*self.base_fieldsets, *self.assister_fieldsets, *extra]

    def get_readonly_fields(self, request, obj=None):
        return flatten_fieldsets(self.get_fieldsets(request, obj))

    def has_decide_permission(self, request, obj=None):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    # --- Columns and read-only fields

    @admin.display(description=_("name"), ordering=Coalesce("assister__legal_last_name", "agency__public_name"))
    def subject_name(self, obj):
        return str(obj.subject)

    @admin.display(description=_("kind"), ordering=Coalesce("assister__kind", "agency__kind"))
    def kind_label(self, obj):
        return obj.assister.get_kind_display() if obj.assister_id else obj.agency.get_kind_display()

    @admin.display(description=_("agency"))
    def agency_link(self, obj):
        agency = obj.assister.agency if obj.assister_id else obj.agency
        return format_html(
            '<a href="?agency={}" title="{}">{}</a>', agency.pk, _("Show this agency's certifications"), agency
        )

    @admin.display(description=_("assister ID"), ordering="assister__assister_id")
    def assister_code(self, obj):
        return display_for_value(obj.assister.assister_id if obj.assister_id else None, self.get_empty_value_display())

    @admin.display(description=_("address"))
    def agency_address(self, obj):
        agency = obj.agency
        return f"{agency.street}, {agency.city}, {agency.state} {agency.zip_code}"

    @admin.display(description=_("requirement checklist"))
    def requirement_checklist(self, obj):
        items = requirements(obj)
        missing = [item for item in items if not item.met]
        met = [item for item in items if item.met]

        def rows(group, label):
            return format_html_join(
                "",
                "<li><strong>{}</strong> {}{}</li>",
                ((label, item.label, f" — {item.detail}" if item.detail else "") for item in group),
            )

        summary = format_html(
            "<p>{}</p>", _("%(met)d of %(total)d requirements met.") % {"met": len(met), "total": len(items)}
        )
        missing_html = format_html('<ul class="errorlist">{}</ul>', rows(missing, _("Missing:"))) if missing else ""
        met_html = format_html("<ul>{}</ul>", rows(met, _("Met:"))) if met else ""
        return format_html("{}{}{}", summary, missing_html, met_html)

    # --- Views

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_decide"
        view = self.admin_site.admin_view(self.decide_view)
        return [path("<path:object_id>/decide/", view, name=name), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "may_decide": self.has_decide_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _change_url(self, certification):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[certification.pk])

    def _render(self, request, template, title, **context):
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **context}
        return TemplateResponse(request, f"admin/certification/certification/{template}", context)

    def decide_view(self, request, object_id):
        """One certification: record staff checks and/or decide. Service errors become form errors."""
        certification = self.get_object(request, unquote(object_id))
        if certification is None:
            raise Http404(_("No certification with that ID."))
        if not (self.has_view_permission(request, certification) and self.has_decide_permission(request)):
            raise PermissionDenied
        form = DecisionForm(request.POST if request.method == "POST" else None, certification=certification)
        if form.is_valid():
            try:
                done = self._decide_one(request, certification, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                self.message_user(request, " ".join(str(line) for line in done), messages.SUCCESS)
                return redirect(self._change_url(certification))
        title = _("Record checks or decide: %(certification)s") % {"certification": certification}
        checklist = self.requirement_checklist(certification)
        media = self.media + form.media
        return self._render(
            request, "decide.html", title, original=certification, form=form, checklist=checklist, media=media
        )

    def _decide_one(self, request, certification, *, decision, reason, background_study="", license_verified=None):
        """Checks first, then the decision, in one transaction: if the decision is refused, nothing changes."""
        done = []
        with transaction.atomic():
            if background_study or license_verified is not None:
                services.certification_record_check(
                    certification=certification,
                    actor=request.user,
                    background_study=background_study or None,
                    license_verified=license_verified,
                    request=request,
                )
                done.append(_("Check recorded."))
            if decision:
                services.certification_decide(
                    certification=certification, action=decision, actor=request.user, reason=reason, request=request
                )
                done.append(_("Decision recorded: %(decision)s.") % {"decision": DECISIONS[decision][0]})
        return done

    def decide_selected(self, request, queryset, action):
        """The bulk decision: ask for the reason on an intermediate page, then decide each one on its own."""
        certifications = list(queryset)
        form = ReasonForm(request.POST if request.POST.get("confirm") else None)
        if not form.is_valid():  # first visit (unbound), or an empty reason: ask again, change nothing
            return self._render(
                request,
                "decide_selected.html",
                DECISIONS[action][1],
                form=form,
                action=action,
                verb=action.label,
                button=DECISIONS[action][0],
                certifications=certifications,
                action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
                media=self.media,
            )
        reason, succeeded = form.cleaned_data["reason"], 0
        for certification in certifications:
            try:
                services.certification_decide(
                    certification=certification, action=action, actor=request.user, reason=reason, request=request
                )
            except ValidationError as error:
                link = format_html('<a href="{}">{}</a>', self._change_url(certification), certification)
                self.message_user(request, format_html("{}: {}", link, " ".join(error.messages)), messages.ERROR)
            else:
                succeeded += 1
        done = _("%(decision)s: done for %(count)d of %(total)d selected certifications.")
        counts = {"decision": DECISIONS[action][0], "count": succeeded, "total": len(certifications)}
        self.message_user(request, done % counts, messages.SUCCESS if succeeded else messages.WARNING)
        return None


# --- Agencies, assisters, rosters -------------------------------------------------------------


class MembershipInline(ReadOnlyInline):
    model = AgencyMembership
    fk_name = "agency"
    fields = ["user_email", "role", "started_at", "ended_at"]
    readonly_fields = fields

    @admin.display(description=_("email"))
    def user_email(self, obj):
        return obj.user.email

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ["public_name", "legal_name", "kind", "city", "created_at"]
    list_filter = ["kind"]
    search_fields = ["legal_name", "public_name", "=agency_npn", "=contract_number"]
    search_help_text = _("Name, agency NPN, contract number, or the exact FEIN (like 41-1234567)")
    exclude = ["fein", "fein_hash"]  # encrypted; shown masked
    readonly_fields = ["fein_masked"]
    inlines = [MembershipInline]

    @admin.display(description=_("FEIN"))
    def fein_masked(self, obj):
        return f"••-•••{obj.fein[-4:]}" if obj.fein else None

    def get_search_results(self, request, queryset, search_term):
        """The FEIN is encrypted: an exact FEIN is found through its keyed hash, never with icontains."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if FEIN_RE.fullmatch(term):
            results = results | queryset.filter(fein_hash=lookup_hash(term))
        return results, may_have_duplicates


@admin.register(Assister)
class AssisterAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "agency", "assister_id", "npn", "user"]
    list_filter = ["kind"]
    list_select_related = ["user", "agency"]
    search_fields = ["legal_first_name", "legal_last_name", "user__email", "=npn", "=assister_id"]
    search_help_text = _("Name, email, NPN or assister ID")
    exclude = ["languages", "counties"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "agency", "role", "assister_kind", "state", "sent_at", "expires_at", "accepted_at"]
    list_filter = ["role", "assister_kind"]
    list_select_related = ["agency"]
    search_fields = ["email", "agency__public_name", "agency__legal_name"]
    exclude = ["token_hash"]


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "agency", "role", "started_at", "ended_at"]
    list_filter = ["role"]
    list_select_related = ["user", "agency"]
    search_fields = ["user__email", "agency__public_name", "agency__legal_name"]
