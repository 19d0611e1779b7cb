"""The demo for tests: `seed_demo` as `make run` runs it, and single demo accounts (`demo.builders`)."""

from io import StringIO

from django.core.management import call_command

from accounts.models import User
from demo.builders.staff import demo_email, demo_user


def seed_demo() -> str:
    """Run `manage.py seed_demo` (seconds: a test module calls it once); what it printed."""
    out = StringIO()
    call_command("seed_demo", "--not-production", stdout=out)
    return out.getvalue()


def demo_account(local: str, role: str, first: str = "Demo", last: str = "Person") -> User:
    """One demo account, `local@demo.assister.example`, as `seed_demo` makes it (MFA when the role needs it)."""
    return demo_user(demo_email(local), role, first, last)
