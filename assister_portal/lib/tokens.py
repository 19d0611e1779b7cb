"""The one way the portal makes a link that proves something (DESIGN §2, the shared kernel).

Two kinds, for two needs:

- **Hashed database tokens** (`new_token`, `token_hash`): a random token goes in the link, only its SHA-256
  is stored (an invitation, a claim link), so a copy of the database opens nothing. The row says what the
  link is for and when it expires, and can be used up or withdrawn.
- **Signed tokens** (`signed_token`, `signed_value`): the value itself signed with SECRET_KEY and a salt
  per purpose (Django's `signing`), for a link that needs no row (the one-click "end this" link). It can
  expire (`max_age`) but not be withdrawn.

The hashes and salts are the ones the portal has always used, so links already sent keep working.
"""

import hashlib
import secrets

from django.core import signing

TOKEN_BYTES = 32  # 43 URL-safe characters


def token_hash(token: str) -> str:
    """What is stored for a token: its SHA-256 in hex (64 characters)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A new random token for a link, and the hash to store in its place."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def signed_token(value: str, salt: str) -> str:
    """`value` signed for the purpose `salt` (and timestamped, so `signed_value` can refuse old ones)."""
    return signing.dumps(value, salt=salt)


def signed_value(token: str, salt: str, max_age: int | float | None = None):
    """The value `signed_token` signed with this salt, or None if the token is forged, altered or too old."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
