"""The invoice notice kind: a bill's document (services.invoice_create). Employers' monthly invoices (SHOP)
and any premium bill use it."""

from django.utils.translation import gettext_lazy as _

from . import kinds
from .kinds import NoticeKind, Recipient

INVOICE = kinds.register(NoticeKind("invoice", _("Your invoice"), Recipient.CLIENT))
