"""Template helpers of the change pages and the dashboard's changes column."""

from datetime import date

from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag
def days_left(closes: date) -> int:
    """Days from today to the last day of a window, that day counted (the last day itself: 1)."""
    return (closes - timezone.localdate()).days + 1
