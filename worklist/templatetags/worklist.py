from django import template

from ..kinds import BY_CODE

register = template.Library()


@register.simple_tag
def followup_reminder_text(code: str) -> str:
    """The reminder's sentence for an item's kind, in the notice's language."""
    kind = BY_CODE.get(code)
    return str(kind.reminder) if kind else ""
