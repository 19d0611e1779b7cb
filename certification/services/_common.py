"""Helpers shared by the certification services."""

from django.core.exceptions import ValidationError


def require(condition: bool, message: str, field: str | None = None) -> None:
    """Raise a ValidationError (on `field`, if given) unless `condition` holds."""
    if not condition:
        raise ValidationError({field: message} if field else message)
