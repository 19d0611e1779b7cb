"""Exchange staff who watch notices: see notices, their events and invoices, and retry failed notices."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Notice operators"
CODENAMES = ["view_notice", "view_noticeevent", "view_invoice", "retry_notice"]


def create_group(apps, schema_editor):
    app_config = apps.get_app_config("notices")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="notices", codename__in=CODENAMES))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_notices_and_invoices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
