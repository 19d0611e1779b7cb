"""The reminder an assister sends a client from the worklist (registered at start-up)."""

from django.utils.translation import gettext_lazy as _

from notices import kinds
from notices.kinds import NoticeKind, Recipient

REMINDER = kinds.register(NoticeKind("followup_reminder", _("Reminder from your assister"), Recipient.CLIENT))
