"""Every write to applications and enrollments (CONVENTIONS: services), in three modules: `applying` (start, save,
review, submit and determine, change, withdraw), `enrolling` (choose a plan, change it, end coverage, "I did not
ask for this") and `renewing` (the annual renewal: prepare, renew when open enrollment ends, the daily sweep).
Callers use `applications.services.<name>`."""

from .applying import *  # noqa: F403
from .applying import __all__ as _applying
from .enrolling import *  # noqa: F403
from .enrolling import __all__ as _enrolling
from .renewing import *  # noqa: F403
from .renewing import __all__ as _renewing

__all__ = [*_applying, *_enrolling, *_renewing]
