"""What the worklist keeps of its own (issue 17): the reminders assisters sent from it (one per client, item and day:
a database constraint) and the daily digests sent (one per person and day). The follow-ups themselves are never
stored: they are read from the apps' rows each time (worklist.selectors)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clients.models import Client
from notices.models import Notice


class FollowUpReminder(models.Model):
    """A reminder notice an assister sent a client about one of the client's open items."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)  # a worklist.kinds code
    ref = models.CharField(max_length=64)  # the item's public id
    day = models.DateField()  # America/Chicago
    notice = models.OneToOneField(Notice, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "ref", "day"], name="followup_reminder_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref} reminded on {self.day}"


class DigestSent(models.Model):
    """The daily digest went to this person on this day (never twice)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    new = models.PositiveIntegerField()
    overdue = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"digest to {self.user_id} on {self.day}"
