"""Labels of the codes a notice body and a page keep (translated when shown, in the reader's language)."""

from django import template
from django.utils import timezone

from ..documents import DocumentType, RejectReason, VerificationType

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
