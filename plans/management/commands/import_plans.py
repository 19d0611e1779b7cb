"""Load Minnesota's rating areas and a plan catalog folder (or both sample years); print what was loaded.

    python manage.py import_plans plans/data/sample/2026
    python manage.py import_plans --all-samples

A folder with any wrong row is refused whole, with one line per problem (file, line, field), and nothing
changes. Loading the same folder again changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from plans.catalog_files import RATING_AREAS_CSV, CatalogImportError, sample_folders
from plans.models import RatingAreaCounty
from plans.selectors import catalog_counts
from plans.services import catalog_import, rating_areas_load


class Command(BaseCommand):
    help = "Load the rating areas and a plan catalog folder (catalog.toml, issuers.csv, plans.csv)."

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", type=Path, help="a catalog folder")
        parser.add_argument("--all-samples", action="store_true", help="load every sample year (plans/data/sample)")

    def handle(self, *args, folder=None, all_samples=False, **options):
        if (folder is None) == (not all_samples):
            raise CommandError("Give a catalog folder or --all-samples (not both).")
        folders = sample_folders() if all_samples else [folder]
        loaded = []
        current = RATING_AREAS_CSV
        try:
            with transaction.atomic():  # with --all-samples, every year loads or none does
                areas = rating_areas_load()
                for current in folders:
                    loaded.append((current, catalog_import(folder=current)))
        except CatalogImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"Refused {current}: {len(exc.errors)} problem(s); nothing was changed.") from exc
        self.stdout.write(f"Rating areas: {len(areas)}, counties: {RatingAreaCounty.objects.count()}.")
        for path, catalog in loaded:
            self._report(path, catalog)

    def _report(self, path: Path, catalog) -> None:
        counts = catalog_counts(catalog=catalog)
        metals = ", ".join(f"{level} {n}" for level, n in counts.by_metal_level.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {catalog} from {path}: {counts.issuers} issuers, {counts.plans} plans in "
                f"{counts.rating_areas} rating areas ({counts.rows} plan rows: {metals}); "
                f"fewest silver plans in an area: {counts.fewest_silver_in_an_area}."
            )
        )
