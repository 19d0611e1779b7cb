"""Demo data for `make run`, idempotent: run it twice and nothing is duplicated.

The builders are in `demo/builders/` (each returns the logins worth printing); the made-up
people of the directory across the state are in `demo/data/`, counted, not printed one by one.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from demo.builders import (
    agencies,
    applications,
    changes,
    consumers,
    listings,
    notices,
    staff,
    verifications,
    worklist,
)
from directory.selectors import listed_agencies, listed_assisters
from notices.services import sending_deferred


class Command(BaseCommand):
    help = "Create the demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--not-production",
            action="store_true",
            help="Seed although DEBUG is off (make run-full, tests). Never on a real portal: the demo accounts' "
            "password is public.",
        )

    def handle(self, *args, **options):
        if not (settings.DEBUG or options["not_production"]):
            raise CommandError(
                "seed_demo creates accounts whose password is printed in the README (a staff superuser among "
                "them), so it runs only with DEBUG on. Outside a real portal (make run-full), pass --not-production."
            )
        # The demo's invitations and decisions would otherwise print dozens of emails to the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            with transaction.atomic():
                logins = staff.seed()
                logins += agencies.seed()
                with sending_deferred():  # ~170 approval notices to made-up people: the sweep renders them
                    listings.seed()
                logins += consumers.seed()
                logins += applications.seed()
                changes.seed()
                notices.seed()
                logins += worklist.seed()  # after the others: it adds to the demo broker's own clients' items
            # Documents are stored in transactions of their own (the upload pipeline's durable `uploads_atomic`),
            # so the verification requests are built after the commit, each step once.
            logins += verifications.seed()
            notices.render_queued()  # after the commit, as a worker would
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {staff.DEMO_PASSWORD})"))
        for description, email in logins:
            self.stdout.write(f"  {description:<48} {email}")
        self.stdout.write(
            f"  + {listed_assisters().count()} assisters and {listed_agencies().count()} agencies in the public "
            "directory (/directory/) across Minnesota; an assister's public email is their login"
        )
        self.stdout.write(
            f"  + {notices.ready_count()} notices ready to open (a consumer's My notices; an assister with the "
            "power to see them: the client's page)"
        )
        self.stdout.write("")
        self.stdout.write("Every account but the consumers uses two-step verification. For the current code:")
        self.stdout.write("  .venv/bin/python manage.py demo_totp <email>")
        self.stdout.write("")
