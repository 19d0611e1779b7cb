"""The registry of client powers (`clients.powers`) and the tables that record them agree.

The `Association.can_*` fields and the `Client` permissions are written out in the models (so the
migrations stay as they are); these tests fail when a power is added to one and not the other.
"""

import pytest
from django.contrib.auth.models import Permission
from django.db import models

from associations import permissions_sync, services
from associations.models import Association
from clients.models import Client
from clients.powers import POWER_CODES, POWERS
from clients.selectors import POWER_ACTION_LABELS, POWER_SHORT_LABELS


def _power_fields_of_the_model() -> set[str]:
    return {
        field.name
        for field in Association._meta.get_fields()
        if isinstance(field, models.BooleanField) and field.name.startswith("can_")
    }


def test_every_power_field_of_the_association_is_in_the_registry_and_back():
    assert _power_fields_of_the_model() == {power.field for power in POWERS}
    fields = Association.POWER_FIELDS
    assert fields == {power.codename: power.field for power in POWERS}


def test_only_the_powers_every_association_includes_are_on_by_default():
    for power in POWERS:
        assert Association._meta.get_field(power.field).default is power.always, power.codename


@pytest.mark.django_db
def test_every_power_is_a_permission_on_the_client_model():
    codenames = set(
        Permission.objects.filter(content_type__app_label="clients", content_type__model="client").values_list(
            "codename", flat=True
        )
    )
    assert set(POWER_CODES) <= codenames
    declared = {codename for codename, _name in Client._meta.permissions}
    assert declared == {power.codename for power in POWERS if power.permission_name}


def test_every_power_has_its_labels_in_the_registry_order():
    assert list(POWER_SHORT_LABELS) == POWER_CODES == list(POWER_ACTION_LABELS)
    assert all(power.label and power.short_label and power.action_label for power in POWERS)


def test_a_broker_is_offered_every_power_and_a_navigator_or_counselor_all_but_choosing_a_plan():
    assert services.DEFAULT_POWERS["broker"] == POWER_CODES
    for kind in ("navigator", "cac"):
        assert services.DEFAULT_POWERS[kind] == [code for code in POWER_CODES if code != "select_plan_for_client"]


def test_agency_admins_see_the_book_and_support_staff_may_also_report_changes():
    admin, support = permissions_sync.ADMIN_POWERS, permissions_sync.SUPPORT_POWERS
    assert admin == {"view_client"}
    assert support == {"view_client", "report_change_for_client"}
