"""Helpers shared by the certification services."""

import hashlib

from django.core.exceptions import ValidationError


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def require(condition: bool, message: str, field: str | None = None) -> None:
    """Raise a ValidationError (on `field`, if given) unless `condition` holds."""
    if not condition:
        raise ValidationError({field: message} if field else message)
