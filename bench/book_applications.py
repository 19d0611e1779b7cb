"""The clients' applications for coverage (issue 12): what the dashboard's application columns read.

Every client with an assister of record gets one 2027 application (`COVERAGE_YEAR`), started by the
assister of their first association, in a mix of statuses (`STATUS_WEIGHTS`); some clients also have an
earlier application of the same year that they withdrew (`EARLIER_WITHDRAWN`), and some have only a
withdrawn one (the dashboard shows them with no application). Each application has one revision (its
whole document, `what` as the services name it, acting on behalf through that association); a submitted
one (waiting for documents, determined, enrolled, and some of the withdrawn) has its `Determination`,
worked out by the real rules (`applications.eligibility.determine`) from the household's answers, with
an age-rated benchmark premium instead of a plan catalog (the bench loads none).

The documents are small and complete as the steps leave them (`applications.answers`): the client's
address and county, the client as the person applying, a spouse (filing jointly) or a child (claimed as a
dependent) in some households, one wage income each; most drafts have not yet confirmed their income, and
no draft has attestations. Incomes are spread over the poverty line so the rules give a realistic mix of programs
(Medical Assistance, MinnesotaCare, a plan with or without the tax credit, a child on Medical Assistance
with the parent on a plan with the credit).

Not written: status events (`ApplicationEvent`), review records, audit rows, notices: the dashboard does
not read them. With a random generator of its own and after everything else, so the other rows are the
same with or without the applications. Clients without an association (about 12 % at full scale) have no
one who could have started one (the bench's clients have no accounts) and get none.
"""

import json
import random
import uuid
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from django.db import connections
from django.utils import timezone

from accounts.models import User
from applications import answers, eligibility
from applications.models import Application, ApplicationRevision, ApplicationStatus, Determination
from applications.periods import coverage_start
from clients.models import Client
from core.models import County
from plans.models import RatingAreaCounty

from .build import _copy, _reserve_ids

SEED = 20270012  # issue 12
COVERAGE_YEAR = 2027
S = ApplicationStatus
# The application a client's dashboard row shows. `submitted` is not here: submitting moves on at once to
# waiting for documents or determined (applications.services.application_submit), so no row stays in it.
STATUS_WEIGHTS = {
    S.DRAFT: 30,
    S.PENDING_VERIFICATION: 15,
    S.DETERMINED: 25,
    S.ENROLLED: 25,
    S.WITHDRAWN: 5,  # withdrawn and not started again: no current application
}
EARLIER_WITHDRAWN = 0.06  # of the clients with a current application: a withdrawn one before it
SUBMITTED = {S.PENDING_VERIFICATION, S.DETERMINED, S.ENROLLED}
SEXES = tuple(answers.Sex.values)  # read once: an enum's `values` is rebuilt on every access
# Household income in % of the poverty line, in bands, with how likely each is.
INCOME_BANDS = [((60, 137), 20), ((140, 199), 20), ((201, 399), 45), ((405, 600), 15)]
BANDS = [band for band, _w in INCOME_BANDS]
BAND_WEIGHTS = list(accumulate(w for _b, w in INCOME_BANDS))
POVERTY_LINE = (Decimal("15960"), Decimal("5680"))  # about the guidelines: first person, each one more
APPLICATION_FIELDS = [
    "id",
    "public_id",
    "client",
    "coverage_year",
    "status",
    "data",
    "version",
    "county",
    "rating_area",
    "determination",
    "created_at",
    "created_by",
    "updated_at",
    "submitted_at",
    "status_changed_at",
]
REVISION_FIELDS = ["application", "number", "data", "status", "what", "actor", "on_behalf", "association", "at"]
DETERMINATION_FIELDS = ["id", "application", "revision_number", "data", "max_monthly_credit", "programs", "at"]


def benchmark(ages: tuple[int, ...]) -> Decimal:
    """A silver benchmark premium rated by age (the bench loads no plan catalog): about $640 at 40."""
    return sum((Decimal(240) + Decimal(10) * min(max(age, 21), 64) for age in ages), Decimal(0))


def _json(value: dict) -> str:
    """For COPY into a jsonb column (which keeps no whitespace anyway)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _key(rng: random.Random) -> str:
    return f"{rng.getrandbits(32):08x}"


def _household(rng: random.Random, client: tuple, county_fips: str, start: date, *, complete: bool) -> dict:
    """The application's document for a client row (id, first, last, born, street, city, zip, county)."""
    _pk, first, last, born, street, city, zip_code, _county = client
    data = answers.empty()
    data["address"].update(street=street, city=city, zip_code=zip_code, county_fips=county_fips)
    age = eligibility.age_on(born, start)
    shape = rng.random() if age >= 26 else 1.0
    self_key = _key(rng)
    members = [
        answers.new_member(
            key=self_key,
            first_name=first,
            last_name=last,
            date_of_birth=born.isoformat(),
            relationship=answers.Relationship.SELF,
            sex=rng.choice(SEXES),
            files_taxes=True,
            filing_status=answers.FilingStatus.SINGLE,
            citizenship=answers.Citizenship.CITIZEN if rng.random() < 0.9 else answers.Citizenship.LAWFULLY_PRESENT,
            other_coverage=answers.OtherCoverage.NONE,
        )
    ]
    if members[0]["citizenship"] == answers.Citizenship.LAWFULLY_PRESENT:
        members[0]["immigration_document"] = answers.ImmigrationDocument.I551
    if shape < 0.25:  # a couple filing jointly
        members[0]["filing_status"] = answers.FilingStatus.MARRIED_JOINT
        members.append(
            answers.new_member(
                key=_key(rng),
                first_name=rng.choice(["Ana", "John", "Mai", "Abdi", "Karin", "Luis", "Linh", "Sven"]),
                last_name=last,
                date_of_birth=(born + timedelta(days=rng.randrange(-1500, 1500))).isoformat(),
                relationship=answers.Relationship.SPOUSE,
                sex=rng.choice(SEXES),
                files_taxes=True,
                filing_status=answers.FilingStatus.MARRIED_JOINT,
                citizenship=answers.Citizenship.CITIZEN,
                other_coverage=answers.OtherCoverage.NONE,
            )
        )
    elif shape < 0.40 and age < 60:  # a parent and a child they claim
        child = _key(rng)
        members[0].update(filing_status=answers.FilingStatus.HEAD_OF_HOUSEHOLD, dependents=[child])
        members.append(
            answers.new_member(
                key=child,
                first_name=rng.choice(["Sofía", "Tou", "Amina", "Ole", "Lucía", "Minh", "Astrid", "Ahmed"]),
                last_name=last,
                date_of_birth=(start - timedelta(days=rng.randrange(365, 17 * 365))).isoformat(),
                relationship=answers.Relationship.CHILD,
                sex=rng.choice(SEXES),
                citizenship=answers.Citizenship.CITIZEN,
                other_coverage=answers.OtherCoverage.NONE,
            )
        )
    low, high = rng.choices(BANDS, cum_weights=BAND_WEIGHTS)[0]
    line = POVERTY_LINE[0] + POVERTY_LINE[1] * (len(members) - 1)
    monthly = (line * rng.randrange(low, high + 1) / 100 / 12).quantize(Decimal("0.01"))
    members[0]["incomes"] = [
        {"key": _key(rng), "kind": answers.IncomeKind.WAGES, "amount": str(monthly), "frequency": "monthly"}
    ]
    data["members"] = members
    if complete:
        data["income_confirmed"] = True
    return data


def _signed(data: dict, name: str, at) -> dict:
    """What submitting adds (applications.services.application_submit), signed by the assister."""
    return {
        **data,
        "attestations": {
            "accurate": True,
            "penalties": True,
            "verify": True,
            "report_changes": True,
            "signed_name": name,
            "signed_at": at.isoformat(),
            "signed_by": "assister",
            "review": "",
        },
    }


def build_applications(associations: list, now, using: str) -> dict:
    """Write the applications of the clients in `associations` ((id, client_id, assister, powers, started_at),
    as bench.build deals them out); returns the counts."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    connection = connections[using]
    screening = timezone.localdate(now)
    start = coverage_start(COVERAGE_YEAR, screening)
    fips = dict(County.objects.using(using).values_list("pk", "fips"))
    areas = dict(RatingAreaCounty.objects.using(using).values_list("county_id", "rating_area_id"))
    first_association = {}
    for pk, client_id, assister, _powers, started_at in associations:
        first_association.setdefault(client_id, (pk, assister, started_at))
    # All of them and keep those with an association: a filter on 88,000 ids would take seconds to compile.
    clients = [
        row
        for row in Client.objects.using(using)
        .order_by("pk")
        .values_list("pk", "first_name", "last_name", "date_of_birth", "street", "city", "zip_code", "county_id")
        if row[0] in first_association
    ]
    statuses = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()), k=len(clients))
    # Submitting is signed with the signer's full name: the assister's (applications.services.signer_name).
    signers = {
        pk: f"{first} {last}"
        for pk, first, last in User.objects.using(using)
        .filter(pk__in={assister.user_id for _a, assister, _s in first_association.values()})
        .values_list("pk", "first_name", "last_name")
    }

    # (client row, status, association, created, changed); the earlier withdrawn ones first.
    plan = []
    for client, status in zip(clients, statuses, strict=True):
        association_id, assister, started_at = first_association[client[0]]
        span = now - started_at  # at least a day
        created = started_at + span * rng.uniform(0.05, 0.6)
        if status != S.WITHDRAWN and rng.random() < EARLIER_WITHDRAWN:
            withdrawn, again = created + timedelta(days=3), created + timedelta(days=rng.randrange(5, 20))
            if again >= now - span / 4:  # a recent association: the same steps, in its time
                created, withdrawn, again = (started_at + span * share for share in (0.2, 0.35, 0.5))
            plan.append((client, S.WITHDRAWN, association_id, assister, created, withdrawn))
            created = again
        changed = created + (now - created) * rng.uniform(0.1, 0.9)
        plan.append((client, status, association_id, assister, created, changed))

    ids = _reserve_ids(connection, Application, len(plan))
    applications, revisions, determinations = [], [], []
    submitted_withdrawn = 0
    for pk, (client, status, association_id, assister, created, changed) in zip(ids, plan, strict=True):
        county = client[7]
        submitted = status in SUBMITTED or (status == S.WITHDRAWN and rng.random() < 0.5)
        data = _household(rng, client, fips.get(county, ""), start, complete=submitted or rng.random() < 0.3)
        submitted_at = None
        if submitted:
            submitted_at = created + (changed - created) / 2
            data = _signed(data, signers[assister.user_id], submitted_at)
            result = eligibility.determine(
                answers.facts(data, coverage_year=COVERAGE_YEAR, coverage_start=start),
                screening_date=screening,
                benchmark=benchmark,
            )
            programs = ",".join(sorted({str(m.program) for m in result.members if m.program != "not_applying"}))
            determinations.append((pk, result, programs, submitted_at))
            submitted_withdrawn += status == S.WITHDRAWN
        document = _json(data)
        applications.append(
            (
                pk,
                uuid.UUID(int=rng.getrandbits(128), version=4),
                client[0],
                COVERAGE_YEAR,
                status,
                document,
                1,
                county,
                areas.get(county),
                None,  # the determination's id, once reserved below
                created,
                assister.user_id,
                changed,
                submitted_at,
                changed,
            )
        )
        what = "withdrawn" if status == S.WITHDRAWN else "submitted" if submitted else "started"
        revisions.append((pk, 1, document, status, what, assister.user_id, True, association_id, changed))

    determination_ids = _reserve_ids(connection, Determination, len(determinations))
    by_application = dict(zip((d[0] for d in determinations), determination_ids, strict=True))
    applications = [(*row[:9], by_application.get(row[0]), *row[10:]) for row in applications]
    n_applications = _copy(connection, Application, APPLICATION_FIELDS, applications)
    n_revisions = _copy(connection, ApplicationRevision, REVISION_FIELDS, revisions)
    n_determinations = _copy(
        connection,
        Determination,
        DETERMINATION_FIELDS,
        (
            (
                by_application[application_id],
                application_id,
                1,
                _json(result.to_dict()),
                result.max_monthly_credit,
                programs,
                at,
            )
            for application_id, result, programs, at in determinations
        ),
    )
    return {
        "applications": n_applications,
        "application_revisions": n_revisions,
        "determinations": n_determinations,
        "clients_with_applications": len(clients),
        "statuses": dict(Counter(row[4] for row in applications)),
        "programs": dict(Counter(programs for _a, _r, programs, _at in determinations)),
        "withdrawn_after_submitting": submitted_withdrawn,
    }
