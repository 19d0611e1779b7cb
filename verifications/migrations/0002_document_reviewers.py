"""Exchange staff who review verification documents: view every request and document, accept, reject, extend."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Document reviewers"


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; this group needs them now.
    app_config = apps.get_app_config("verifications")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [
        "view_verificationrequest",
        "change_verificationrequest",
        "view_verificationevent",
        "view_document",
        "view_referencerecord",
    ]
    group.permissions.set(Permission.objects.filter(content_type__app_label="verifications", codename__in=codenames))
    applications = Permission.objects.filter(
        content_type__app_label="applications", codename__in=["view_application", "view_determination"]
    )
    group.permissions.add(*applications)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("verifications", "0001_verification_requests"),
        ("applications", "0003_enrollment_reviewers"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
