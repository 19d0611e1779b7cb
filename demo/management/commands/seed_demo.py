"""Demo data for `make run`, idempotent: run it twice and nothing is duplicated.

Each app contributes a `demo.seed()` that builds its data through its services and
returns the logins worth printing. The directory's listings across the state
(directory/demo.py) are counted, not printed one by one.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts import demo as accounts_demo
from accounts.demo import DEMO_PASSWORD
from associations import demo as associations_demo
from certification import demo as certification_demo
from directory import demo as directory_demo
from directory.selectors import listed_agencies, listed_assisters


class Command(BaseCommand):
    help = "Create the demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        # The demo's invitations and decisions would otherwise print dozens of emails to the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            logins = accounts_demo.seed()
            logins += certification_demo.seed()
            directory_demo.seed()
            logins += associations_demo.seed()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for description, email in logins:
            self.stdout.write(f"  {description:<48} {email}")
        self.stdout.write(
            f"  + {listed_assisters().count()} assisters and {listed_agencies().count()} agencies in the public "
            "directory (/directory/) across Minnesota; an assister's public email is their login"
        )
        self.stdout.write("")
        self.stdout.write("Every account but the consumers uses two-step verification. For the current code:")
        self.stdout.write("  .venv/bin/python manage.py demo_totp <email>")
        self.stdout.write("")
