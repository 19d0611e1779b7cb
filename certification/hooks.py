"""What certification tells the apps above it, through hooks they register at start-up (DESIGN §2).

Certification sits below associations and the directory, so it never imports them. Where a change here
must take effect there in the same transaction, certification calls one of these hooks:

- `assister_access_changed`: an assister's standing changed in a way that reaches their clients
  (`AccessChange` says how); associations suspend, restore or end the assister's associations.
- `listings_changed`: something that decides who is listed in the public directory changed for these
  agencies (or for every agency); the directory recomputes the listed dates.

The handlers are registered in `AssociationsConfig.ready()` and `DirectoryConfig.ready()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from assister_portal.lib.hooks import Hook

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User

    from .models import Assister


class AccessChange(models.TextChoices):
    """Why an assister's access to clients changed. The values are what the audit trail and the consent
    history record (`reason`)."""

    # The assister's own certification.
    CERTIFIED = "certified", "certified"
    SUSPENDED = "suspended", "suspended"
    REINSTATED = "reinstated", "reinstated"
    EXPIRED = "expired", "expired"
    DECERTIFIED = "decertified", "decertified"
    # Their agency's certification.
    AGENCY_CERTIFIED = "agency_certified", "agency certified"
    AGENCY_SUSPENDED = "agency_suspended", "agency suspended"
    AGENCY_REINSTATED = "agency_reinstated", "agency reinstated"
    AGENCY_EXPIRED = "agency_expired", "agency expired"
    AGENCY_DECERTIFIED = "agency_decertified", "agency decertified"
    # Their membership.
    REMOVED_FROM_AGENCY = "removed_from_agency", "removed from the agency"

    @property
    def for_agency(self) -> AccessChange:
        """The same change when it is the assister's agency that went through it."""
        return AccessChange(f"agency_{self.value}")


def _assister_access_changed(
    *, assister: Assister, change: AccessChange, actor: User | None, request: HttpRequest | None = None
) -> None:
    """An assister's access to clients was lost, paused or restored (`change` says which and why).

    Called inside the transaction of the change, after the audit row.
    """


def _listings_changed(*, agency_ids: list[int] | None = None, using: str = "default") -> int:
    """A change that may list or unlist these agencies and their assisters (every agency when None).

    Called inside the transaction of the change; returns how many listings changed.
    """


assister_access_changed = Hook(_assister_access_changed)
listings_changed = Hook(_listings_changed)
