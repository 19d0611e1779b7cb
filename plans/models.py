"""The plan catalog: Minnesota's rating areas, the issuers, and each year's plans with their age-21 rates.

Rows are written only by `plans.services` (the importer); pricing is `plans.pricing`, reads are
`plans.selectors`. A plan row is one plan in one rating area (the rate differs by area).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

RATING_AREAS = range(1, 10)  # Minnesota's nine (reference: "Plan rating in Minnesota")
TOBACCO_FACTOR_CAP = Decimal("1.500")  # the federal cap, 1.5:1 (45 CFR 147.102(a)(1)(iv))


class Market(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    SMALL_GROUP = "small_group", _("Small group")


class MetalLevel(models.TextChoices):
    BRONZE = "bronze", _("Bronze")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")
    CATASTROPHIC = "catastrophic", _("Catastrophic")


class NetworkType(models.TextChoices):
    HMO = "HMO", "HMO"
    PPO = "PPO", "PPO"
    EPO = "EPO", "EPO"
    POS = "POS", "POS"


class RatingArea(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=RATING_AREAS.start, number__lte=RATING_AREAS.stop - 1),
                name="plans_rating_area_number_1_to_9",
            )
        ]

    def __str__(self) -> str:
        return gettext("Rating area %(number)d") % {"number": self.number}


class RatingAreaCounty(models.Model):
    """A county's rating area: every Minnesota county is in exactly one."""

    county = models.OneToOneField("core.County", on_delete=models.PROTECT, related_name="rating_area_county")
    rating_area = models.ForeignKey(RatingArea, on_delete=models.PROTECT, related_name="county_links")

    class Meta:
        ordering = ["county__name"]
        verbose_name_plural = _("rating area counties")

    def __str__(self) -> str:
        return f"{self.county} → {self.rating_area}"


class Issuer(models.Model):
    hios_id = models.CharField(max_length=5, unique=True, help_text=_("The issuer's 5-digit HIOS id."))
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(hios_id__regex=r"^[0-9]{5}$"), name="plans_issuer_hios_id")]

    def __str__(self) -> str:
        return self.name


class Catalog(models.Model):
    """One load of plans for a plan year and market, from a folder of files (plans.services.catalog_import)."""

    year = models.PositiveSmallIntegerField()
    market = models.CharField(max_length=12, choices=Market.choices)
    is_sample = models.BooleanField(help_text=_("Made-up plans and rates, labelled as sample data wherever shown."))
    source = models.TextField(help_text=_("Where the plans and rates come from, as shown to staff and users."))
    loaded_at = models.DateTimeField(default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checksum = models.CharField(max_length=64, help_text=_("SHA-256 of the files loaded."))

    class Meta:
        ordering = ["-year", "market"]
        constraints = [
            models.UniqueConstraint(fields=["year", "market"], name="plans_catalog_year_market"),
            models.CheckConstraint(condition=Q(market__in=Market.values), name="plans_catalog_market"),
            models.CheckConstraint(condition=Q(year__gte=2014, year__lte=2099), name="plans_catalog_year"),
        ]

    def __str__(self) -> str:
        label = f"{self.year} {self.get_market_display()}"
        return gettext("%(catalog)s (sample)") % {"catalog": label} if self.is_sample else label


class Plan(models.Model):
    """A plan as offered in one rating area: `base_rate` is its monthly premium at age 21, without tobacco."""

    catalog = models.ForeignKey(Catalog, on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveSmallIntegerField()  # the catalog's, kept here for the benchmark index
    market = models.CharField(max_length=12, choices=Market.choices)  # the catalog's, likewise
    plan_id = models.CharField(max_length=14, help_text=_("HIOS plan id: issuer, state, product, plan."))
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="plans")
    rating_area = models.ForeignKey(RatingArea, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(max_length=150)
    metal_level = models.CharField(max_length=12, choices=MetalLevel.choices)
    network_type = models.CharField(max_length=3, choices=NetworkType.choices)
    deductible = models.PositiveIntegerField(help_text=_("Whole dollars a year, one person."))
    oop_max = models.PositiveIntegerField(_("out-of-pocket maximum"), help_text=_("Whole dollars a year, one person."))
    base_rate = models.DecimalField(max_digits=10, decimal_places=2, help_text=_("Monthly premium at age 21."))
    tobacco_factor = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("1.000"), help_text=_("1.000 to 1.500 (the federal cap).")
    )
    # The issuer's crosswalk (45 CFR 155.335(j)): the plan of the next plan year this one's enrollees are renewed into
    # when this plan id is not offered again; empty when the issuer names none (the catalog's optional `crosswalk`).
    crosswalk_plan_id = models.CharField(
        _("crosswalk plan id"),
        max_length=14,
        blank=True,
        default="",
        help_text=_("The next plan year's plan the issuer maps this one to; empty: none named."),
    )

    class Meta:
        ordering = ["year", "market", "rating_area__number", "metal_level", "base_rate", "plan_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "market", "plan_id", "rating_area"], name="plans_plan_once_per_area_and_year"
            ),
            models.CheckConstraint(condition=Q(market__in=Market.values), name="plans_plan_market"),
            models.CheckConstraint(condition=Q(metal_level__in=MetalLevel.values), name="plans_plan_metal_level"),
            models.CheckConstraint(condition=Q(network_type__in=NetworkType.values), name="plans_plan_network_type"),
            models.CheckConstraint(condition=Q(plan_id__regex=r"^[0-9]{5}[A-Z]{2}[0-9]{7}$"), name="plans_plan_id"),
            models.CheckConstraint(
                condition=Q(crosswalk_plan_id="") | Q(crosswalk_plan_id__regex=r"^[0-9]{5}[A-Z]{2}[0-9]{7}$"),
                name="plans_plan_crosswalk_plan_id",
            ),
            models.CheckConstraint(condition=Q(base_rate__gt=0), name="plans_plan_base_rate_positive"),
            models.CheckConstraint(
                condition=Q(tobacco_factor__gte=Decimal("1.000"), tobacco_factor__lte=TOBACCO_FACTOR_CAP),
                name="plans_plan_tobacco_factor_federal_cap",
            ),
            models.CheckConstraint(
                condition=Q(deductible__lte=models.F("oop_max")), name="plans_plan_deductible_within_oop_max"
            ),
        ]
        indexes = [
            # The benchmark (second-lowest silver of a year and area) reads this index in order and stops at two.
            models.Index(
                fields=["year", "market", "rating_area", "metal_level", "base_rate", "plan_id"],
                name="plans_plan_benchmark",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.plan_id}, {self.year})"
