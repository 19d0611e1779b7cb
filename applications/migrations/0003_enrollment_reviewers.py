"""Exchange staff who review applications and enrollments: view every applications model, and decide the
consumers' "I did not ask for this" reports (issue 13)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Enrollment reviewers"
VIEW = [
    "application",
    "applicationevent",
    "applicationrevision",
    "applicationreview",
    "determination",
    "enrollment",
    "enrollmentevent",
    "enrollmentdispute",
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; this group needs them now.
    app_config = apps.get_app_config("applications")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"view_{model}" for model in VIEW] + ["change_enrollmentdispute"]
    group.permissions.set(Permission.objects.filter(content_type__app_label="applications", codename__in=codenames))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_enrollments"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
