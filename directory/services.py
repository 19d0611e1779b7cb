"""Writes of the directory: each listing's `listed_from` and `listed_until`, kept by the
certification services through the `listings_changed` hook (registered in DirectoryConfig.ready).

A listing is shown on day D (America/Chicago) when `listed_from <= D <= listed_until`: the
first unbroken run of eligibility that has not ended as of the last change — the assister
(or agency) opted in, placed in Minnesota, a member of its agency, and certified together
with its agency; approved periods that follow each other without a gap (a renewal) make
one run, and a run may start in the future (a renewal approved while the current
certification is suspended, an approval imported with a later start). Expiry and a
future start therefore need no write; every other change (a certification decision, a
member leaving, a listing edited) calls `listings_refresh` in the same transaction, and
so do every `migrate` and the daily sweep.

`directory.selectors.listed_assisters()` and `listed_agencies()` compute the same thing
live from the certifications; `tests/test_sql_matches_orm.py` checks that they agree.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db import connections, transaction

from certification.models import (
    Agency,
    AgencyKind,
    AgencyMembership,
    Assister,
    AssisterKind,
    Certification,
    CertificationStatus,
)
from certification.periods import today

Run = tuple[date, date]


def coverage(periods: list[Run], day: date) -> Run | None:
    """The first unbroken run of these approved periods that has not ended by `day` (it may start later)."""
    run = None
    for valid_from, valid_until in sorted(periods):
        if run is not None and valid_from <= run[1] + timedelta(days=1):
            run = (run[0], max(run[1], valid_until))
            continue
        if run is not None and run[1] >= day:
            break
        run = (valid_from, valid_until)
    return run if run is not None and run[1] >= day else None


def _overlap(*runs: Run | None) -> Run | None:
    if any(run is None for run in runs):
        return None
    start, end = max(run[0] for run in runs), min(run[1] for run in runs)
    return (start, end) if start <= end else None


def _runs(subject: str, day: date, using: str, **filters) -> dict[int, Run | None]:
    """For each agency (subject "agency") or assister ("assister"): its current or next run of approval."""
    periods = defaultdict(list)
    rows = Certification.objects.using(using).filter(
        status=CertificationStatus.APPROVED, **{f"{subject}__isnull": False}, **filters
    )
    for owner, valid_from, valid_until in rows.values_list(f"{subject}_id", "valid_from", "valid_until"):
        periods[owner].append((valid_from, valid_until))
    return {owner: coverage(owner_periods, day) for owner, owner_periods in periods.items()}


def _lock(agency_ids: list[int] | None, using: str) -> None:
    """Serialize refreshes of the same agency (and a whole refresh against all of them), so each one
    reads what the one before it committed: two changes at once cannot leave a stale date."""
    with connections[using].cursor() as cursor:
        if agency_ids is None:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('directory:listings'))")
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(hashtext('directory:listings'))")
        for agency_id in sorted(set(agency_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"directory:agency:{agency_id}"])


def listings_refresh(*, agency_ids: list[int] | None = None, using: str = "default") -> int:
    """Recompute the listed dates of these agencies and all their assisters (every agency if None).

    Call it inside the transaction that made the change. A fixed number of queries whatever
    the number of rows. Returns how many rows changed.
    """
    _lock(agency_ids, using)
    day = today()
    agencies = Agency.objects.using(using).all()
    assisters = Assister.objects.using(using).all()
    memberships = AgencyMembership.objects.using(using).filter(ended_at__isnull=True)
    agency_only, assister_only = {}, {}
    if agency_ids is not None:
        agencies = agencies.filter(pk__in=agency_ids)
        assisters = assisters.filter(agency_id__in=agency_ids)
        memberships = memberships.filter(agency_id__in=agency_ids)
        agency_only, assister_only = {"agency__in": agency_ids}, {"assister__agency__in": agency_ids}
    agency_runs = _runs("agency", day, using, **agency_only)
    assister_runs = _runs("assister", day, using, **assister_only)
    members = set(memberships.values_list("user_id", "agency_id"))

    changed_assisters, navigator_runs = [], defaultdict(list)
    fields = ("id", "user_id", "agency_id", "kind", "directory_opt_in", "latitude", "listed_from", "listed_until")
    for assister in assisters.only(*fields):
        run = None
        if (
            assister.directory_opt_in
            and assister.latitude is not None
            and (assister.user_id, assister.agency_id) in members
        ):
            run = _overlap(assister_runs.get(assister.pk), agency_runs.get(assister.agency_id))
        if assister.kind == AssisterKind.NAVIGATOR and run is not None:
            navigator_runs[assister.agency_id].append(run)
        if (assister.listed_from, assister.listed_until) != (run or (None, None)):
            assister.listed_from, assister.listed_until = run or (None, None)
            changed_assisters.append(assister)

    changed_agencies = []
    for agency in agencies.only("id", "kind", "directory_opt_in", "latitude", "listed_from", "listed_until"):
        run = None
        if agency.directory_opt_in and agency.latitude is not None:
            run = agency_runs.get(agency.pk)
            if agency.kind == AgencyKind.NAVIGATOR_ORG:
                # Listed only with a listed navigator: from the first one's start to the last one's end.
                runs = navigator_runs[agency.pk]
                navigators = (min(r[0] for r in runs), max(r[1] for r in runs)) if runs else None
                run = _overlap(run, navigators)
        if (agency.listed_from, agency.listed_until) != (run or (None, None)):
            agency.listed_from, agency.listed_until = run or (None, None)
            changed_agencies.append(agency)

    Assister.objects.using(using).bulk_update(changed_assisters, ["listed_from", "listed_until"], batch_size=2000)
    Agency.objects.using(using).bulk_update(changed_agencies, ["listed_from", "listed_until"], batch_size=2000)
    return len(changed_assisters) + len(changed_agencies)


def listings_refresh_after_migrate(sender, using="default", **kwargs) -> None:
    """After migrations, recompute every listing's listed dates: a deployment that changes who is
    listed (or adds the columns to rows saved before they existed) takes effect at once."""
    with connections[using].cursor() as cursor:
        columns = {
            c.name for c in connections[using].introspection.get_table_description(cursor, Assister._meta.db_table)
        }
    if "listed_from" not in columns:  # migrated back before the directory's columns
        return
    if Agency.objects.using(using).exists():
        with transaction.atomic(using=using):
            listings_refresh(using=using)
