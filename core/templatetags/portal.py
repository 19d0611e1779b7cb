from django import template

register = template.Library()


@register.simple_tag
def uswds_widget(bound_field, css_class: str):
    """Render a form field's widget with a USWDS class and links to its hint and error text."""
    attrs = {"class": css_class}
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}-error")
        attrs["class"] += f" {css_class.split('__')[0]}--error" if css_class == "usa-input" else ""
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(attrs=attrs)
