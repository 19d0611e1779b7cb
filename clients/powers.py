"""The registry of the powers a client can grant an assister (DESIGN §5): each one declared once, here.

Everything else derives from `POWERS`: the permission codenames and the `Client` Meta permissions
(`clients.models`), the `Association.can_*` field of each power (`associations.models.Association.
POWER_FIELDS`), the labels the consent page, the dashboard and the client page show (`clients.selectors`),
the powers pre-ticked for each kind of assister (`associations.services.DEFAULT_POWERS`) and what the
agency's admin and support groups receive (`associations.permissions_sync`).

Adding a power: a `Power` here, its `can_*` field on `Association` and a migration for that field and for
the new permission. `associations/tests/test_powers_registry.py` fails until the model and the registry
agree.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from certification.models import AssisterKind

ALL_KINDS = frozenset(AssisterKind)


@dataclass(frozen=True)
class Power:
    codename: str  # the guardian permission on Client
    label: Promise  # what the client grants, as the consent page says it to them
    short_label: Promise  # the dashboard's "Powers" column
    action_label: Promise  # what it lets the assister do, as the client page lists it
    field: str  # the Association BooleanField that records it
    # The Meta permission's name; None for Django's own view_client and change_client.
    permission_name: str | None = None
    default_for: frozenset = ALL_KINDS  # the kinds of assister it is pre-ticked for
    always: bool = False  # part of every association; the client cannot leave it out
    agency_admin: bool = False  # the agency admins' group holds it for the agency's clients
    agency_support: bool = False  # the agency support staff's group holds it for the agency's clients


# In the order they are shown everywhere.
POWERS: tuple[Power, ...] = (
    Power(
        codename="view_client",
        label=_("See your information and application status"),
        short_label=_("View"),
        action_label=_("See the client's information and application status"),
        field="can_view",
        always=True,
        agency_admin=True,
        agency_support=True,
    ),
    Power(
        codename="change_client",
        label=_("Change your contact details and account"),
        short_label=_("Change details"),
        action_label=_("Change the client's contact details and account"),
        field="can_change",
    ),
    Power(
        codename="apply_for_client",
        label=_("Start, change or withdraw applications for you"),
        short_label=_("Apply"),
        action_label=_("Start, change or withdraw applications"),
        field="can_apply",
        permission_name="Create, change and withdraw applications for the client",
    ),
    Power(
        codename="select_plan_for_client",
        label=_("Choose a health plan for you"),
        short_label=_("Select a plan"),
        action_label=_("Select a health plan"),
        field="can_select_plan",
        permission_name="Select a plan for the client",
        default_for=frozenset({AssisterKind.BROKER}),  # selecting a plan is a broker's work by default
    ),
    Power(
        codename="upload_for_client",
        label=_("Upload documents that prove your information"),
        short_label=_("Upload"),
        action_label=_("Upload documents that prove the client's information"),
        field="can_upload",
        permission_name="Upload verification documents for the client",
    ),
    Power(
        codename="report_change_for_client",
        label=_("Report changes in your circumstances"),
        short_label=_("Report changes"),
        action_label=_("Report a change in the client's circumstances"),
        field="can_report_change",
        permission_name="Report a change in circumstance for the client",
        agency_support=True,
    ),
    Power(
        codename="view_notices_for_client",
        label=_("See your notices and invoices"),
        short_label=_("Notices"),
        action_label=_("See the client's notices and invoices"),
        field="can_view_notices",
        permission_name="View the client's notices and invoices",
        # Agency staff see a client's notices only where the client granted it to the agency's assister.
        agency_admin=True,
        agency_support=True,
    ),
)

BY_CODENAME: dict[str, Power] = {power.codename: power for power in POWERS}
POWER_CODES: list[str] = [power.codename for power in POWERS]
ALWAYS_GRANTED: frozenset[str] = frozenset(power.codename for power in POWERS if power.always)
# Client.Meta.permissions: the powers Django does not define itself.
META_PERMISSIONS: list[tuple[str, str]] = [
    (power.codename, power.permission_name) for power in POWERS if power.permission_name
]


def default_powers(kind: str) -> list[str]:
    """The powers pre-ticked when a client chooses, or an assister asks for, an assister of this kind."""
    return [power.codename for power in POWERS if kind in power.default_for or power.always]
