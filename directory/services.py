"""Writes of the directory: each listing's `listed_until`, kept by the certification services.

A listing is shown while `listed_until >= today` (America/Chicago). The date is the last day
of unbroken eligibility as of the last change: the assister (or agency) opted in, placed in
Minnesota, a member of its agency, and certified — with its agency — through that day,
renewals that start the day after included. Expiry therefore needs no write; every other
change (a certification decision, a member leaving, a listing edited) calls
`listings_refresh` in the same transaction, so the next search already reflects it.

`directory.selectors.listed_assisters()` and `listed_agencies()` compute the same thing
live from the certifications; `tests/test_sql_matches_orm.py` checks that the two agree.
"""

from collections import defaultdict
from datetime import date, timedelta

from certification.models import Agency, AgencyKind, AgencyMembership, Assister, AssisterKind, Certification, Status
from certification.periods import today


def coverage_end(periods: list[tuple[date, date]], day: date) -> date | None:
    """The last day of unbroken coverage from `day` by these approved periods, or None if `day` is not covered."""
    end = None
    for valid_from, valid_until in sorted(periods):
        if end is None:
            if valid_from <= day <= valid_until:
                end = valid_until
        elif valid_from <= end + timedelta(days=1):
            end = max(end, valid_until)
    return end


def _earliest(*days: date | None) -> date | None:
    return None if any(d is None for d in days) else min(days)


def _cover(subject: str, day: date, **filters) -> dict[int, date | None]:
    """For each agency (subject "agency") or assister ("assister"): the end of its unbroken approved coverage."""
    periods = defaultdict(list)
    rows = Certification.objects.filter(status=Status.APPROVED, **{f"{subject}__isnull": False}, **filters)
    for owner, valid_from, valid_until in rows.values_list(f"{subject}_id", "valid_from", "valid_until"):
        periods[owner].append((valid_from, valid_until))
    return {owner: coverage_end(owner_periods, day) for owner, owner_periods in periods.items()}


def listings_refresh(*, agency_ids: list[int] | None = None) -> int:
    """Recompute `listed_until` for these agencies and all their assisters (every agency if None).

    A fixed number of queries whatever the number of rows. Returns how many rows changed.
    """
    day = today()
    agencies = Agency.objects.all()
    assisters = Assister.objects.all()
    memberships = AgencyMembership.objects.filter(ended_at__isnull=True)
    agency_only, assister_only = {}, {}
    if agency_ids is not None:
        agencies = agencies.filter(pk__in=agency_ids)
        assisters = assisters.filter(agency_id__in=agency_ids)
        memberships = memberships.filter(agency_id__in=agency_ids)
        agency_only, assister_only = {"agency__in": agency_ids}, {"assister__agency__in": agency_ids}
    agency_cover = _cover("agency", day, **agency_only)
    assister_cover = _cover("assister", day, **assister_only)
    members = set(memberships.values_list("user_id", "agency_id"))

    changed_assisters, navigators_until = [], defaultdict(list)
    for assister in assisters.only(
        "id", "user_id", "agency_id", "kind", "directory_opt_in", "latitude", "listed_until"
    ):
        until = None
        if (
            assister.directory_opt_in
            and assister.latitude is not None
            and (assister.user_id, assister.agency_id) in members
        ):
            until = _earliest(assister_cover.get(assister.pk), agency_cover.get(assister.agency_id))
        if assister.kind == AssisterKind.NAVIGATOR and until is not None:
            navigators_until[assister.agency_id].append(until)
        if assister.listed_until != until:
            assister.listed_until = until
            changed_assisters.append(assister)

    changed_agencies = []
    for agency in agencies.only("id", "kind", "directory_opt_in", "latitude", "listed_until"):
        until = None
        if agency.directory_opt_in and agency.latitude is not None:
            until = agency_cover.get(agency.pk)
            if agency.kind == AgencyKind.NAVIGATOR_ORG:  # listed only with a listed navigator
                until = _earliest(until, max(navigators_until[agency.pk], default=None))
        if agency.listed_until != until:
            agency.listed_until = until
            changed_agencies.append(agency)

    Assister.objects.bulk_update(changed_assisters, ["listed_until"], batch_size=2000)
    Agency.objects.bulk_update(changed_agencies, ["listed_until"], batch_size=2000)
    return len(changed_assisters) + len(changed_agencies)
