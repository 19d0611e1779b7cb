"""The database refuses a plan the importer would refuse, whatever path wrote it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from plans.models import Plan
from plans.tests.factories import make_plan

pytestmark = pytest.mark.django_db


def refused_by_the_database(**fields):
    plan = make_plan()
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=plan.pk).update(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"tobacco_factor": Decimal("1.700")},
        {"tobacco_factor": Decimal("0.900")},
        {"base_rate": Decimal("0.00")},
        {"base_rate": Decimal("-1.00")},
        {"metal_level": "titanium"},
        {"network_type": "XYZ"},
        {"plan_id": "90101MN001"},
        {"deductible": 20000},
        {"market": "medicare"},
    ],
)
def test_the_database_refuses_a_plan_outside_the_rules(fields):
    refused_by_the_database(**fields)


def test_a_plan_is_offered_once_per_rating_area_and_year():
    plan = make_plan(plan_id="90101MN0010001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(
            **{
                field.attname: getattr(plan, field.attname)
                for field in Plan._meta.concrete_fields
                if not field.primary_key
            }
        )
    assert make_plan(plan_id="90101MN0010001", rating_area=1).plan_id == plan.plan_id


def test_the_tobacco_factor_may_reach_the_federal_cap_exactly():
    assert make_plan(tobacco_factor="1.500").tobacco_factor == Decimal("1.500")
