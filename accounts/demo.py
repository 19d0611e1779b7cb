"""Demo accounts that do not come from another app's flow: a consumer and exchange staff."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret

from .models import Role, User
from .services import user_add_totp, user_create

DEMO_PASSWORD = "Minnesota-demo-2026"  # noqa: S105  (documented demo credential; never used in production)
DEMO_DOMAIN = "demo.assister.example"


def demo_user(email: str, role: str, first: str, last: str, **extra) -> User:
    """The demo account with this email, created once (verified email, MFA when the role needs it)."""
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
            **extra,
        )
    ensure_mfa(user)
    return user


def ensure_mfa(user: User) -> None:
    if user.requires_mfa and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        user_add_totp(user=user, secret=generate_totp_secret())


def seed() -> list[tuple[str, str]]:
    demo_user(f"staff@{DEMO_DOMAIN}", Role.STAFF, "Pat", "Johnson", is_superuser=True)
    return [("Exchange staff (Django admin at /admin/)", f"staff@{DEMO_DOMAIN}")]
