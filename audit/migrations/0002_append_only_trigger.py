"""Make audit_auditevent append-only in the database itself (see assister_portal.lib.append_only)."""

from django.db import migrations

from assister_portal.lib.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_event")]

    operations = [append_only("audit_auditevent")]
