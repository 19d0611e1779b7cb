"""Issue 11 gave every account a preferred language (accounts 0002, empty for existing accounts). A consumer's
client record already had one: their account takes it, so their notices and the settings page agree."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_language(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    User = apps.get_model("accounts", "User")
    User.objects.filter(preferred_language__isnull=True, pk__in=Client.objects.values("user_id")).update(
        preferred_language=Subquery(Client.objects.filter(user_id=OuterRef("pk")).values("preferred_language_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_identification_throttle"),
        ("accounts", "0002_user_preferred_language"),
    ]

    operations = [migrations.RunPython(copy_language, migrations.RunPython.noop)]
