"""Labels of the codes a notice body and a page keep (translated when shown, in the reader's language)."""

from django import template
from django.utils import timezone

from ..documents import DocumentType, RejectReason, VerificationType
from ..sources import describe

register = template.Library()


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


@register.filter
def verification_type_label(value: str) -> str:
    return _label(VerificationType, value)


@register.filter
def document_type_label(value: str) -> str:
    return _label(DocumentType, value)


@register.filter
def reject_reason_label(value: str) -> str:
    return _label(RejectReason, value)


@register.filter
def is_past(value) -> bool:
    """A due date before today (Central time)."""
    return bool(value) and value < timezone.localdate()


def _said(item, side: int) -> str:
    """A request (a row, or a notice's item): what was attested (0) or what the source said (1), in the reader's
    language when its facts are kept, else the stored English sentence."""
    get = item.get if isinstance(item, dict) else lambda name, default=None: getattr(item, name, default)
    facts, kind = get("facts", None), get("type", "")
    if facts or kind in (VerificationType.INCARCERATION,):
        return describe(kind, facts or {})[side]
    return get("source_said" if side else "attested", "")


@register.filter
def attested_text(item) -> str:
    return _said(item, 0)


@register.filter
def source_text(item) -> str:
    return _said(item, 1)
