"""Demo notices: the associations the other builders make already wrote notices to each demo consumer (in
their own language: Maria Lopez's and Jorge Ramírez's in Spanish, Mai Xiong's in English with the Spanish
copy); this adds a sample premium bill for Maria, so invoices show too, and renders whatever is still queued
so every demo notice opens at once, with or without a worker running."""

from datetime import date
from decimal import Decimal

from associations.notices import client_helpers
from clients.models import Client
from clients.notices import client_addressee
from notices.models import Invoice, Notice, NoticeStatus
from notices.services import invoice_create, notice_render

from . import listings
from .staff import demo_email

SAMPLE_LINES = [
    ("Sample premium, January 2027: Sample Silver 3000 (sample data, not a real bill)", Decimal("412.37")),
    ("Advance premium tax credit (sample)", Decimal("-289.00")),
]


def seed() -> None:
    maria = Client.objects.get(user__email=demo_email("consumer"))
    if not Invoice.objects.filter(client=maria).exists():
        invoice_create(
            client=maria,
            addressee=client_addressee(maria),
            period_start=date(2027, 1, 1),
            period_end=date(2027, 1, 31),
            lines=SAMPLE_LINES,
            due_date=date(2026, 12, 23),
            helpers=client_helpers(maria),
        )


def render_queued() -> int:
    """Render the notices of the demo's consumers and login accounts still queued, here and now (idempotent:
    a worker doing the same meanwhile makes this a no-op for that notice). Called after the seed has
    committed. The directory's made-up people's notices are left to the sweep (`sending_deferred`)."""
    directory_people = [f"{person.local}@demo.assister.example" for person in listings.people()]
    queued = list(
        Notice.objects.filter(status=NoticeStatus.QUEUED)
        .exclude(user__email__in=directory_people)
        .exclude(user__memberships__agency__public_name__in=[agency.name for agency in listings.agencies()])
        .values_list("pk", flat=True)
        .distinct()
    )
    for notice_id in queued:
        notice_render(notice_id=notice_id)
    return len(queued)


def ready_count() -> int:
    return Notice.objects.filter(status=NoticeStatus.READY).count()
