"""The registry of client powers (`clients.powers`) and the tables that record them agree.

The `Association.can_*` fields are written out in the model; the `Client` permissions are derived from
the registry in the model's Meta, so they are compared with the migrations, which are written out. These
tests fail when a power is added to the registry and not to the model or a migration, or the other way round.
"""

import pytest
from django.contrib.auth.models import Permission
from django.db import models
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings

from associations import permissions_sync, services
from associations.models import Association
from clients.models import Client
from clients.powers import POWER_CODES, POWERS
from clients.selectors import POWER_ACTION_LABELS, POWER_SHORT_LABELS


def _migration_state():
    """The models as the migrations on disk build them (even under pytest's --no-migrations)."""
    with override_settings(MIGRATION_MODULES={}):
        return MigrationLoader(None, ignore_no_migrations=True).project_state()


def test_every_power_is_a_boolean_field_of_the_association_and_there_is_no_other_can_field():
    for power in POWERS:
        field = Association._meta.get_field(power.field)  # FieldDoesNotExist: a power the model lacks
        assert isinstance(field, models.BooleanField), power.codename
    can_fields = {field.name for field in Association._meta.get_fields() if field.name.startswith("can_")}
    assert can_fields == {power.field for power in POWERS}


def test_every_power_field_is_in_the_migrations_and_there_is_no_other_can_field():
    fields = _migration_state().models["associations", "association"].fields
    can_fields = {name: field for name, field in fields.items() if name.startswith("can_")}
    assert set(can_fields) == {power.field for power in POWERS}
    for power in POWERS:
        assert isinstance(can_fields[power.field], models.BooleanField), power.codename
        assert can_fields[power.field].default is power.always, power.codename


def test_only_the_powers_every_association_includes_are_on_by_default():
    for power in POWERS:
        assert Association._meta.get_field(power.field).default is power.always, power.codename


def test_the_client_permissions_in_the_migrations_are_the_registrys():
    """Client's Meta permissions come from the registry, so they are checked where they are written out: the
    migrations (a power added to the registry without its migration fails here, and `makemigrations --check`)."""
    migrated = _migration_state().models["clients", "client"].options.get("permissions", [])
    assert [tuple(permission) for permission in migrated] == [
        (power.codename, power.permission_name) for power in POWERS if power.permission_name
    ]
    assert [tuple(permission) for permission in Client._meta.permissions] == [
        tuple(permission) for permission in migrated
    ]


@pytest.mark.django_db
def test_every_power_is_a_permission_on_the_client_model():
    codenames = set(
        Permission.objects.filter(content_type__app_label="clients", content_type__model="client").values_list(
            "codename", flat=True
        )
    )
    assert set(POWER_CODES) <= codenames


def test_every_power_has_its_labels_in_the_registry_order():
    assert list(POWER_SHORT_LABELS) == POWER_CODES == list(POWER_ACTION_LABELS)
    assert all(power.label and power.short_label and power.action_label for power in POWERS)


def test_a_broker_is_offered_every_power_and_a_navigator_or_counselor_all_but_choosing_a_plan():
    assert services.DEFAULT_POWERS["broker"] == POWER_CODES
    for kind in ("navigator", "cac"):
        assert services.DEFAULT_POWERS[kind] == [code for code in POWER_CODES if code != "select_plan_for_client"]


def test_agency_admins_see_the_book_and_notices_and_support_staff_may_also_report_changes():
    admin, support = permissions_sync.ADMIN_POWERS, permissions_sync.SUPPORT_POWERS
    assert admin == {"view_client", "view_notices_for_client"}
    assert support == {"view_client", "view_notices_for_client", "report_change_for_client"}
