"""The one way the portal sends an email of its own (allauth sends the account emails).

`send_templated_email("emails/clients/claim", context, ["ana@example.org"])` renders
`emails/clients/claim_subject.txt` and `emails/clients/claim.txt` with the context (plus `site_url`), and
puts `settings.EMAIL_SUBJECT_PREFIX` in front of the subject: the same prefix allauth puts on its emails
(`ACCOUNT_EMAIL_SUBJECT_PREFIX`), so every email the portal sends starts the same way. The notices issue
will route these through the Notice outbox; callers will not change.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


def email_subject(text: str) -> str:
    """One line (a header cannot hold a line break), with the portal's prefix."""
    return settings.EMAIL_SUBJECT_PREFIX + " ".join(text.split())


def send_templated_email(template_prefix: str, context: dict, recipients: str | Iterable[str]) -> int:
    """Render `<template_prefix>_subject.txt` and `<template_prefix>.txt` and send them to `recipients`."""
    recipients = [recipients] if isinstance(recipients, str) else list(recipients)
    if not recipients:
        return 0
    context = {"site_url": settings.SITE_URL, **context}
    subject = email_subject(render_to_string(f"{template_prefix}_subject.txt", context))
    body = render_to_string(f"{template_prefix}.txt", context)
    return send_mail(subject, body, None, recipients)
