"""Demo accounts: the demo domain and password, and exchange staff (a superuser, and a document reviewer who holds
only that duty)."""

from accounts.builders import build_account, give_authenticator
from accounts.models import Role, User

DEMO_PASSWORD = "Minnesota-demo-2026"  # noqa: S105  (documented demo credential; never used in production)
DEMO_DOMAIN = "demo.assister.example"
DOCUMENT_REVIEWERS = "Document reviewers"  # the staff group of verifications/migrations/0002


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def demo_user(email: str, role: str, first: str, last: str, **extra) -> User:
    """The demo account with this email, created once (verified email, MFA when the role needs it)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = build_account(email=email, password=DEMO_PASSWORD, role=role, first_name=first, last_name=last, **extra)
    if user.requires_mfa:
        give_authenticator(user)
    return user


def staff() -> User:
    """The demo's exchange staff member, who approves the demo's agencies and certifications."""
    return demo_user(demo_email("staff"), Role.STAFF, "Pat", "Johnson", is_superuser=True)


def document_reviewer() -> User:
    """Exchange staff in the "Document reviewers" group only (verifications/migrations/0002): the verification queue
    and its Review pages, as that duty sees them."""
    return demo_user(demo_email("documents"), Role.STAFF, "Dana", "Olson", groups=(DOCUMENT_REVIEWERS,))


def seed() -> list[tuple[str, str]]:
    staff()
    document_reviewer()
    return [
        ("Exchange staff (Django admin at /admin/)", demo_email("staff")),
        ("Exchange staff: document reviewer (/admin/)", demo_email("documents")),
    ]
