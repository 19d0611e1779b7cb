"""Exchange staff browse the catalog read-only; the changelists' query counts do not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import sign_in
from plans.models import Catalog, Issuer, Plan, RatingArea
from plans.tests.factories import load_sample_catalog, make_plan

pytestmark = pytest.mark.django_db

CHANGELISTS = {
    Catalog: "/admin/plans/catalog/",
    Issuer: "/admin/plans/issuer/",
    Plan: "/admin/plans/plan/",
    RatingArea: "/admin/plans/ratingarea/",
}


@pytest.fixture
def staff(client, superuser_staff):
    sign_in(client, superuser_staff)
    return client


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_each_changelist_shows_the_sample_catalog_and_offers_no_add_change_or_delete(staff):
    load_sample_catalog(2026)
    for url in CHANGELISTS.values():
        response = staff.get(url)
        assert response.status_code == 200
        assert not response.context["has_add_permission"]
    page = staff.get("/admin/plans/plan/?q=Quartz").content.decode()
    assert "Quartz Sample Driftless" in page
    assert "Hennepin" in staff.get("/admin/plans/ratingarea/").content.decode()
    plan = Plan.objects.first()
    detail = staff.get(f"/admin/plans/plan/{plan.pk}/change/")
    assert detail.status_code == 200
    assert staff.post(f"/admin/plans/plan/{plan.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Plan.objects.filter(pk=plan.pk).exists()


def test_the_changelists_take_as_many_queries_for_one_plan_as_for_the_whole_sample_catalog(staff):
    make_plan()
    one = {model: queries(staff, url) for model, url in CHANGELISTS.items()}
    load_sample_catalog(2026)
    load_sample_catalog(2027)
    assert Plan.objects.count() > 300
    many = {model: queries(staff, url) for model, url in CHANGELISTS.items()}
    assert many == one


@pytest.mark.parametrize("url", CHANGELISTS.values())
def test_hostile_filter_values_on_a_loaded_catalog_are_a_page_never_a_500(staff, url):
    load_sample_catalog(2026)
    response = staff.get(url)
    parameters = {"q", "o", "p"}
    for spec in response.context["cl"].filter_specs:
        parameters.update(spec.expected_parameters())
    for name in sorted(parameters):
        for value in ("99999999999999999999999999", "-1", "²", "1e400", "nan", "silver'--", "2026.5"):
            response = staff.get(url, {name: value})
            assert response.status_code in (200, 302), (url, name, value, response.status_code)
            if response.status_code == 302:
                assert response["Location"].endswith("?e=1")
