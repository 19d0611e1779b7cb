import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    County = apps.get_model("core", "County")
    Language = apps.get_model("core", "Language")
    with open(DATA / "mn_counties.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            County.objects.update_or_create(fips=row["fips"], defaults={"name": row["name"]})
    with open(DATA / "languages.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Language.objects.update_or_create(
                code=row["code"], defaults={"english_name": row["english_name"], "autonym": row["autonym"]}
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_county_and_language")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
