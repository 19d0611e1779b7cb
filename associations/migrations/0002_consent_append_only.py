from django.db import migrations

from assister_portal.lib.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("associations", "0001_associations_and_consent")]

    operations = [append_only("associations_consent")]
