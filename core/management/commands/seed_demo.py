"""Demo data for `make run`, idempotent: run it twice and nothing is duplicated.

Each app contributes a `demo.seed()` that builds its data through its services and
returns the logins worth printing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts import demo as accounts_demo
from accounts.demo import DEMO_PASSWORD
from associations import demo as associations_demo
from certification import demo as certification_demo


class Command(BaseCommand):
    help = "Create the demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        # The demo's invitations and decisions would otherwise print dozens of emails to the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            logins = accounts_demo.seed()
            logins += certification_demo.seed()
            logins += associations_demo.seed()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for description, email in logins:
            self.stdout.write(f"  {description:<48} {email}")
        self.stdout.write("")
        self.stdout.write("Every account but the consumers uses two-step verification. For the current code:")
        self.stdout.write("  .venv/bin/python manage.py demo_totp <email>")
        self.stdout.write("")
