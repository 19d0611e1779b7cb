"""Every write to applications and enrollments (CONVENTIONS: services), in two modules: `applying` (start, save,
review, submit and determine, change, withdraw) and `enrolling` (choose a plan, change it, end coverage, "I did not
ask for this"). Callers use `applications.services.<name>`."""

from .applying import *  # noqa: F403
from .applying import __all__ as _applying
from .enrolling import *  # noqa: F403
from .enrolling import __all__ as _enrolling

__all__ = [*_applying, *_enrolling]
