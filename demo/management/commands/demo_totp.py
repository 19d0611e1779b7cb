"""Print the current authenticator code of a demo account, so a new user can sign in as an assister at once."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.management.base import BaseCommand, CommandError

from demo.builders.staff import DEMO_DOMAIN


class Command(BaseCommand):
    help = "Print the current six-digit code for a demo account's authenticator (demo accounts only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not email.lower().endswith(f"@{DEMO_DOMAIN}"):
            raise CommandError(f"Only demo accounts (…@{DEMO_DOMAIN}) have their codes printed.")
        authenticator = Authenticator.objects.filter(user__email=email.lower(), type="totp").first()
        if authenticator is None:
            raise CommandError(f"{email} has no authenticator app set up. Run `manage.py seed_demo` first.")
        secret = decrypt(authenticator.data["secret"])
        counter = int(time.time()) // 30
        seconds_left = 30 - int(time.time()) % 30
        self.stdout.write(f"{format_hotp_value(hotp_value(secret, counter))}  (valid for {seconds_left} more seconds)")
