from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse


@shared_task
def send_claim_email(client_id: int, token: str) -> None:
    """Tell the consumer an account was created for them and how to claim it (their name only)."""
    from .models import Client

    client = Client.objects.get(pk=client_id)
    link = settings.SITE_URL + reverse("clients:claim", args=[token])
    context = {"name": client.first_name, "link": link}
    send_mail(
        render_to_string("emails/clients/claim_subject.txt", context).strip(),
        render_to_string("emails/clients/claim.txt", context),
        None,
        [client.email],
    )
