"""Demo data for `make run`: one account of each role, idempotent.

Later issues extend this command with agencies, certifications, clients.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Role, User
from accounts.services import user_add_totp, user_create

DEMO_PASSWORD = "Minnesota-demo-2026"  # noqa: S105  (documented demo credential; never used in production)

DEMO_ACCOUNTS = [
    # email, role, first, last, description
    ("consumer@demo.assister.example", Role.CONSUMER, "Maria", "Lopez", "Consumer"),
    ("broker@demo.assister.example", Role.ASSISTER, "Bao", "Vang", "Assister (broker)"),
    ("navigator@demo.assister.example", Role.ASSISTER, "Hodan", "Ali", "Assister (navigator)"),
    ("cac@demo.assister.example", Role.ASSISTER, "Erik", "Lindqvist", "Assister (certified application counselor)"),
    ("agency-admin@demo.assister.example", Role.AGENCY_ADMIN, "Grace", "Olson", "Agency admin"),
    ("support@demo.assister.example", Role.AGENCY_SUPPORT, "Sam", "Nguyen", "Agency support staff"),
    ("staff@demo.assister.example", Role.STAFF, "Pat", "Johnson", "Exchange staff (Django admin)"),
]


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent) and print their logins."

    def handle(self, *args, **options):
        rows = []
        with transaction.atomic():
            for email, role, first, last, description in DEMO_ACCOUNTS:
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = user_create(
                        email=email,
                        password=DEMO_PASSWORD,
                        role=role,
                        actor=None,
                        first_name=first,
                        last_name=last,
                        email_verified=True,
                        is_superuser=role == Role.STAFF,
                    )
                if user.requires_mfa and not Authenticator.objects.filter(user=user, type="totp").exists():
                    user_add_totp(user=user, secret=generate_totp_secret())
                rows.append((description, email, user.requires_mfa))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        for description, email, mfa in rows:
            suffix = f"  [MFA code: .venv/bin/python manage.py demo_totp {email}]" if mfa else ""
            self.stdout.write(f"  {description:<45} {email}{suffix}")
        self.stdout.write("")
