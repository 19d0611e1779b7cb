from django import template

from notices import kinds

register = template.Library()


@register.simple_tag
def notice_title(notice) -> str:
    """A notice's title in the page's language (kinds are registered by the apps that send them)."""
    try:
        return str(kinds.get(notice.kind).title)
    except LookupError:
        return notice.kind
