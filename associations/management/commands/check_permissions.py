"""Compare the guardian rows on Client with what the active associations imply; exit 1 on any drift."""

from django.core.management.base import BaseCommand, CommandError

from associations.permissions_sync import permissions_drift


class Command(BaseCommand):
    help = "Report every difference between client object permissions and active associations (exit 1 on drift)."

    def handle(self, *args, **options):
        problems = permissions_drift()
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} difference(s) between object permissions and associations.")
        self.stdout.write(self.style.SUCCESS("No drift: object permissions match the active associations."))
