"""Hook points of the accounts app (assister_portal.lib.hooks): effects in higher apps without importing them."""

from assister_portal.lib.hooks import Hook
from core.models import Language

from .models import User


def _preferred_language_changed(*, user: User, language: Language) -> None:
    """A person chose the language of their notices and emails (called inside the transaction of the change)."""


preferred_language_changed = Hook(_preferred_language_changed)
