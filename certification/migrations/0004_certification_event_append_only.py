from django.db import migrations

from assister_portal.lib.append_only import append_only


class Migration(migrations.Migration):
    """Certification events are the history of every decision: never edited, never deleted (DESIGN §4)."""

    dependencies = [("certification", "0003_directory_location")]

    operations = [append_only("certification_certificationevent")]
