"""Labels of the powers a client grants, as the assister's pages show them.

The book of clients and the other association-centred reads are `associations.selectors`.
"""

from django.utils.translation import gettext_lazy as _

from .models import POWER_CODES

# Short labels for the dashboard's "Powers" column, in the order of POWERS.
POWER_SHORT_LABELS = {
    "view_client": _("View"),
    "change_client": _("Change details"),
    "apply_for_client": _("Apply"),
    "select_plan_for_client": _("Select a plan"),
    "upload_for_client": _("Upload"),
    "report_change_for_client": _("Report changes"),
    "view_notices_for_client": _("Notices"),
}

# What each power lets the assister do, as the client page lists it.
POWER_ACTION_LABELS = {
    "view_client": _("See the client's information and application status"),
    "change_client": _("Change the client's contact details and account"),
    "apply_for_client": _("Start, change or withdraw applications"),
    "select_plan_for_client": _("Select a health plan"),
    "upload_for_client": _("Upload documents that prove the client's information"),
    "report_change_for_client": _("Report a change in the client's circumstances"),
    "view_notices_for_client": _("See the client's notices and invoices"),
}


def power_labels(powers, labels=POWER_SHORT_LABELS) -> list[str]:
    return [labels[code] for code in POWER_CODES if code in powers]
