"""Keep the assister's agency on each association, so an agency's book is one indexed filter."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    Association = apps.get_model("associations", "Association")
    Assister = apps.get_model("certification", "Assister")
    Association.objects.update(
        agency_id=Subquery(Assister.objects.filter(pk=OuterRef("assister_id")).values("agency_id"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0002_consent_append_only"),
        ("certification", "0002_certification_reviewers_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="association",
            name="agency",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="certification.agency"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="association",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="certification.agency"
            ),
        ),
        migrations.AddIndex(
            model_name="association",
            index=models.Index(fields=["agency", "status"], name="assoc_agency_status"),
        ),
    ]
