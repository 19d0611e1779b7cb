"""Agency admins and support staff now hold `view_notices_for_client` for the agency's clients whose assister
holds it (issue 11: "an assister or agency staff member with view_notices_for_client"). The rows are derived
(`associations.permissions_sync`); this adds them for the associations that exist, as a sync would."""

from django.db import migrations

ROLES = ("admin", "support")


def grant(apps, schema_editor):
    Association = apps.get_model("associations", "Association")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ClientGroupObjectPermission = apps.get_model("clients", "ClientGroupObjectPermission")
    permission = Permission.objects.filter(
        content_type__app_label="clients", codename="view_notices_for_client"
    ).first()
    if permission is None:  # a new database: the permission and any association come later
        return
    rows = []
    for agency_id, client_id in (
        Association.objects.filter(status="active", can_view_notices=True)
        .values_list("agency_id", "client_id")
        .distinct()
    ):
        for role in ROLES:
            group, _ = Group.objects.get_or_create(name=f"agency:{agency_id}:{role}")
            rows.append(ClientGroupObjectPermission(group=group, content_object_id=client_id, permission=permission))
    ClientGroupObjectPermission.objects.bulk_create(rows, ignore_conflicts=True)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    ClientGroupObjectPermission = apps.get_model("clients", "ClientGroupObjectPermission")
    ClientGroupObjectPermission.objects.filter(
        permission__in=Permission.objects.filter(content_type__app_label="clients", codename="view_notices_for_client"),
        group__name__startswith="agency:",
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0005_consent_method_by_assister"),
        ("clients", "0002_identification_throttle"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
