"""Labels of the powers a client grants, as the assister's pages show them.

The book of clients and the other association-centred reads are `associations.selectors`.
"""

from .powers import POWER_CODES, POWERS

# Short labels for the dashboard's "Powers" column, in the order of POWERS.
POWER_SHORT_LABELS = {power.codename: power.short_label for power in POWERS}

# What each power lets the assister do, as the client page lists it.
POWER_ACTION_LABELS = {power.codename: power.action_label for power in POWERS}


def power_labels(powers, labels=POWER_SHORT_LABELS) -> list[str]:
    return [labels[code] for code in POWER_CODES if code in powers]
