"""The plan catalog for exchange staff: read-only (catalogs are loaded by `manage.py import_plans`)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.admin import ForgivingChangeListMixin, ReadOnlyMixin

from .models import Catalog, Issuer, Plan, RatingArea, RatingAreaCounty


@admin.register(Catalog)
class CatalogAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("year", "market", "is_sample", "plan_rows", "loaded_at", "source")
    list_filter = ("market", "is_sample", "year")
    fields = ("year", "market", "is_sample", "source", "loaded_at", "loaded_by", "checksum")
    readonly_fields = fields
    list_select_related = ("loaded_by",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(plan_rows=Count("plans"))

    @admin.display(description=_("plan rows"), ordering="plan_rows")
    def plan_rows(self, catalog):
        return catalog.plan_rows


@admin.register(Issuer)
class IssuerAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "hios_id")
    search_fields = ("name", "hios_id")
    fields = ("hios_id", "name")
    readonly_fields = fields


@admin.register(Plan)
class PlanAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "plan_id",
        "name",
        "issuer",
        "rating_area",
        "year",
        "market",
        "metal_level",
        "network_type",
        "deductible",
        "oop_max",
        "base_rate",
        "tobacco_factor",
    )
    list_filter = ("year", "market", "metal_level", "network_type", "rating_area", "issuer")
    list_select_related = ("issuer", "rating_area")
    search_fields = ("plan_id", "name")
    fields = (
        "catalog",
        "year",
        "market",
        "plan_id",
        "issuer",
        "rating_area",
        "name",
        "metal_level",
        "network_type",
        "deductible",
        "oop_max",
        "base_rate",
        "tobacco_factor",
    )
    readonly_fields = fields
    ordering = ("year", "market", "rating_area__number", "metal_level", "base_rate", "plan_id")


class RatingAreaCountyInline(ReadOnlyMixin, admin.TabularInline):
    model = RatingAreaCounty
    fields = ("county",)
    readonly_fields = fields
    extra = 0


@admin.register(RatingArea)
class RatingAreaAdmin(ForgivingChangeListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "number", "county_names")
    fields = ("number",)
    readonly_fields = fields
    inlines = [RatingAreaCountyInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("county_links__county")

    @admin.display(description=_("counties"))
    def county_names(self, area):
        return ", ".join(sorted(link.county.name for link in area.county_links.all()))
