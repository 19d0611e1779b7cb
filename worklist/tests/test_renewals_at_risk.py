"""Renewals at risk on the worklist (issue 17): every renewal the household has not confirmed, with the worst reason
(the plan not offered next year, the projected credit down by more than RENEWAL_CREDIT_DROP_AT_RISK, or only not
confirmed yet), due when the next open enrollment ends; confirming it takes it off the list."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications import services
from applications.models import Application, Renewal
from applications.selectors import CREDIT_DROP, NOT_OFFERED, UNCONFIRMED
from applications.tests import factories
from applications.tests.test_renewals import CROSSWALKED, SAME, SEASON, catalogs, enrolled_2026, renewal_settings  # noqa: F401  (the fixtures)
from applications.tests.test_renewals import NOT_OFFERED as NOT_OFFERED_PLAN
from associations.tests.factories import associate
from clients.tests.factories import make_client
from worklist import selectors

pytestmark = pytest.mark.django_db


def _renewal(broker, first_name, plan_id):
    client = make_client(first_name=first_name, last_name="Renewing")
    associate(client, broker.assister)
    previous = enrolled_2026(client, plan_id)
    return services.renewal_prepare(previous=previous, today=SEASON)


def _at_risk(user, today):
    return {
        row["fu_client_first_name"]: (row["fu_detail"], row["fu_deadline"])
        for row in selectors.followups(user, selectors.Filters(kinds=("renewal_at_risk",)), today=today)
    }


def test_unconfirmed_renewals_are_at_risk_with_the_worst_reason(broker, settings):
    same = _renewal(broker, "Same", SAME)
    _renewal(broker, "Crosswalk", CROSSWALKED)
    _renewal(broker, "Gone", NOT_OFFERED_PLAN)
    dropped = _renewal(broker, "Dropped", SAME)
    Renewal.objects.filter(pk=dropped.pk).update(
        previous_credit=Decimal("500.00"),
        projected_credit=Decimal("399.99"),  # down by more than 20 %
    )
    Renewal.objects.filter(pk=same.pk).update(previous_credit=Decimal("500.00"), projected_credit=Decimal("400.00"))
    last_day = date(2027, 1, 15)
    assert _at_risk(broker, SEASON) == {
        "Same": (UNCONFIRMED, last_day),  # exactly 20 % lower: not past the share
        "Crosswalk": (UNCONFIRMED, last_day),  # renewed into the issuer's crosswalk plan
        "Gone": (NOT_OFFERED, last_day),
        "Dropped": (CREDIT_DROP, last_day),
    }
    settings.RENEWAL_CREDIT_DROP_AT_RISK = 30
    assert _at_risk(broker, SEASON)["Dropped"] == (UNCONFIRMED, last_day)


def test_a_renewal_draft_is_not_also_a_stale_draft_or_coverage_ending_and_confirming_takes_it_off(broker):
    renewal = _renewal(broker, "Confirming", SAME)
    # Six weeks before the 2026 coverage ends (within WORKLIST_COVERAGE_ENDING_DAYS), the draft untouched for weeks.
    day = date(2026, 11, 20)
    Application.objects.filter(pk=renewal.application_id).update(updated_at=timezone.now() - timedelta(days=60))
    kinds = {row["fu_kind"] for row in selectors.followups(broker, today=day)}
    assert kinds == {"renewal_at_risk"}
    # Without the renewal both would be there: the same rows with the renewal ended.
    Renewal.objects.filter(pk=renewal.pk).update(status="ended")
    assert {row["fu_kind"] for row in selectors.followups(broker, today=day)} == {"stale_draft", "coverage_ending"}
    Renewal.objects.filter(pk=renewal.pk).update(status="prepared")
    renewal.application.refresh_from_db()
    factories.submitted(renewal.application, renewal.application.client.user)
    renewal.refresh_from_db()
    assert renewal.status == "confirmed"
    assert "renewal_at_risk" not in {row["fu_kind"] for row in selectors.followups(broker, today=day)}
