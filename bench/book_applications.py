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

Choosing a plan (issue 13), built last (`build_plan_shopping`), so every row above is what it was without it:
a made-up 2027 individual catalog of 200 plans, each offered in all nine rating areas (1,800 rows), written as a
catalog folder and loaded by the importer a rate filing uses (`plans.services.catalog_import`); and one
household of four (two adults about 40, two children) that chose a bench broker in their account, whose broker
applied for them through the application services: determined in rating area 8 with the premium tax credit for
all four, no plan chosen. The applications above keep their stand-in benchmark and no rating area: they were
worked out before the catalog (and its county-to-area links) existed.
"""

import csv
import json
import random
import tempfile
import uuid
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

from django.db import connections
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_create
from applications import answers, eligibility
from applications import services as application_services
from applications.models import Application, ApplicationRevision, ApplicationStatus, Determination
from applications.periods import coverage_start
from associations.services import DEFAULT_POWERS, association_start_by_consumer
from certification.models import Assister
from clients.models import Client
from clients.services import client_create_for_self
from core.models import County, Language
from notices.services import sending_deferred
from plans.catalog_files import CATALOG_FILE, ISSUER_COLUMNS, ISSUERS_FILE, PLAN_COLUMNS, PLANS_FILE
from plans.models import Catalog, Plan, RatingAreaCounty
from plans.services import catalog_import

from .build import _copy, _reserve_ids, assister_email

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


# --- Choosing a plan (issue 13): a 200-plan catalog and one household of four that shops in it ---------------

PLAN_SEED = 20270013  # issue 13
CATALOG_PLANS = 200  # distinct plans, each offered in every rating area
SHOP_AREA = 8  # Hennepin and Ramsey (the metro)
SHOPPER_EMAIL = "household-of-four@consumers.bench.assister.example"
SHOPPER_BROKER = (3, 0)  # agency 3's first assister: a broker agency with about 65 clients, no page measures it
SHOPPER_INCOME = "104000"  # yearly wages: about 320 % of the poverty line for four, so all four get the credit
# The bench's sample issuers: real names, as in plans/data/sample; HIOS ids, plans and rates are made up.
BENCH_ISSUERS = {
    "90101": "Blue Cross and Blue Shield of Minnesota (Blue Plus)",
    "90202": "HealthPartners",
    "90303": "Medica",
    "90404": "Quartz Health Plan",
    "90505": "UCare",
}
# (metal level, how many plans, age-21 rate range in area 8, deductibles, out-of-pocket maximum range)
METAL_MIX = [
    ("catastrophic", 8, (225, 260), (10600, 10600), (10600, 10600)),
    ("bronze", 60, (290, 360), (5500, 9000), (9200, 10600)),
    ("silver", 66, (360, 450), (1500, 6000), (7500, 10000)),
    ("gold", 54, (430, 530), (250, 2500), (4500, 8000)),
    ("platinum", 12, (520, 640), (0, 750), (2000, 4000)),
]
AREA_FACTOR = {1: 1.00, 2: 1.08, 3: 0.98, 4: 1.04, 5: 1.02, 6: 1.03, 7: 1.06, 8: 1.00, 9: 1.10}
NETWORKS = ["HMO", "HMO", "HMO", "EPO", "PPO", "POS"]
CATALOG_SOURCE = "Bench sample catalog: made up for python -m bench (real issuer names, invented plans and rates)"
SAMPLE_NOTE = "# SAMPLE DATA written by bench/book_applications.py: the plans, plan names and rates are made up."


def catalog_rows(rng: random.Random) -> list[dict]:
    """plans.csv rows: CATALOG_PLANS plans (METAL_MIX), each in all nine rating areas at its area's rate."""
    issuers = list(BENCH_ISSUERS)
    rows = []
    serial = 0
    for metal, count, (low, high), (least, most), (oop_low, oop_high) in METAL_MIX:
        for _ in range(count):
            serial += 1
            issuer = issuers[serial % len(issuers)]
            network = rng.choice(NETWORKS)
            deductible = rng.randrange(least, most + 1, 250) if most > least else least
            oop_max = max(deductible, rng.randrange(oop_low, oop_high + 1, 100) if oop_high > oop_low else oop_low)
            base = Decimal(rng.uniform(low, high))
            tobacco = Decimal(rng.choice(["1.000", "1.050", "1.100", "1.150", "1.200"]))
            design = {
                "plan_id": f"{issuer}MN{800 + NETWORKS.index(network):03d}{serial:04d}",
                "issuer_hios_id": issuer,
                "name": f"Bench Sample {metal.title()} {deductible} {network} {serial:03d}",
                "metal_level": metal,
                "network_type": network,
                "deductible": deductible,
                "oop_max": oop_max,
                "tobacco_factor": tobacco,
            }
            for area, factor in AREA_FACTOR.items():
                rate = (base * Decimal(str(factor))).quantize(Decimal("0.01"))
                rows.append({**design, "rating_area": area, "base_rate": rate})
    return rows


def build_catalog() -> Catalog:
    """The 2027 individual catalog: written as a catalog folder and loaded by the importer a rate filing uses."""
    rng = random.Random(PLAN_SEED)  # noqa: S311 - reproducible data, not secrets
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        folder = Path(tmp)
        (folder / CATALOG_FILE).write_text(
            f'{SAMPLE_NOTE}\nyear = {COVERAGE_YEAR}\nmarket = "individual"\nis_sample = true\n'
            f'source = "{CATALOG_SOURCE}"\n',
            encoding="utf-8",
        )
        with open(folder / ISSUERS_FILE, "w", newline="", encoding="utf-8") as f:
            f.write(SAMPLE_NOTE + "\n")
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(ISSUER_COLUMNS)
            writer.writerows(BENCH_ISSUERS.items())
        with open(folder / PLANS_FILE, "w", newline="", encoding="utf-8") as f:
            f.write(SAMPLE_NOTE + "\n")
            writer = csv.DictWriter(f, fieldnames=PLAN_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(catalog_rows(rng))
        return catalog_import(folder=folder)


def _born(age: int, start: date) -> date:
    """Someone `age` on the coverage start (always the first of a month): their next birthday is the day after."""
    return date(start.year - age - 1, start.month, 2)


def build_shopper(password: str) -> Application:
    """The household of four that chose a bench broker in their account, whose broker applied for them (through
    the services, as the portal does it): determined in rating area SHOP_AREA, no plan chosen yet."""
    start = coverage_start(COVERAGE_YEAR)
    broker = Assister.objects.select_related("user").get(user__email=assister_email(*SHOPPER_BROKER))
    english = Language.objects.get(code="en")
    user = user_create(
        email=SHOPPER_EMAIL,
        password=password,
        role=Role.CONSUMER,
        actor=None,
        first_name="Amina",
        last_name="Warsame",
        email_verified=True,
        preferred_language=english,
    )
    client = client_create_for_self(
        user=user,
        fields={
            "first_name": "Amina",
            "last_name": "Warsame",
            "date_of_birth": _born(40, start),
            "email": SHOPPER_EMAIL,
            "county": County.objects.get(name="Hennepin"),
            "preferred_language": english,
            "street": "100 Nicollet Mall",
            "city": "Minneapolis",
            "zip_code": "55401",
        },
    )
    association = association_start_by_consumer(
        client=client, assister=broker, powers=DEFAULT_POWERS[broker.kind], actor=user
    )
    actor = broker.user
    application = application_services.application_start(
        client=client, coverage_year=COVERAGE_YEAR, actor=actor, association=association
    )
    adult = {"files_taxes": True, "filing_status": answers.FilingStatus.MARRIED_JOINT}
    household = [
        {**adult, "sex": "female"},
        {
            **adult,
            "first_name": "Yusuf",
            "last_name": "Warsame",
            "relationship": answers.Relationship.SPOUSE,
            "date_of_birth": _born(42, start).isoformat(),
            "sex": "male",
        },
        {
            "first_name": "Hodan",
            "last_name": "Warsame",
            "relationship": answers.Relationship.CHILD,
            "date_of_birth": _born(12, start).isoformat(),
            "sex": "female",
        },
        {
            "first_name": "Abdi",
            "last_name": "Warsame",
            "relationship": answers.Relationship.CHILD,
            "date_of_birth": _born(8, start).isoformat(),
            "sex": "male",
        },
    ]

    def update(data: dict) -> None:
        data["address"].update(street="100 Nicollet Mall", city="Minneapolis", zip_code="55401", county_fips="27053")
        data["members"] = [
            answers.new_member(**{**data["members"][0], **household[0]}),
            *[answers.new_member(**member) for member in household[1:]],
        ]
        for member in data["members"]:
            member["citizenship"] = answers.Citizenship.CITIZEN
            member["other_coverage"] = answers.OtherCoverage.NONE
        data["members"][0]["dependents"] = [m["key"] for m in data["members"][2:]]
        data["members"][0]["incomes"] = [
            {"key": answers.new_key(), "kind": "wages", "amount": SHOPPER_INCOME, "frequency": "yearly"}
        ]
        data["income_confirmed"] = True

    application = application_services.application_save(
        application=application,
        version=application.version,
        what="address",
        update=update,
        actor=actor,
        association=association,
    )
    application_services.application_record_review(
        application=application,
        version=application.version,
        method="phone",
        reviewed_on=timezone.localdate(),
        attestations_explained=True,
        note="Bench: reviewed every answer with Amina by phone.",
        actor=actor,
        association=association,
    )
    return application_services.application_submit(
        application=application,
        version=application.version,
        attestations=dict.fromkeys(application_services.ATTESTATIONS, True),
        signed_name=actor.get_full_name(),
        actor=actor,
        association=association,
    )


def build_plan_shopping(password: str, using: str) -> dict:
    """The catalog and the household (issue 13), through the importer and the services (which write through the
    default connection); returns what the harness needs to measure the plan pages."""
    if using != "default":
        raise ValueError("The plan catalog and the household are written by the services, on the default connection.")
    # Their notices (a chosen assister, a determination) are written but not rendered: no PDF during the build.
    with sending_deferred():
        catalog = build_catalog()
        application = build_shopper(password)
    if application.status != S.DETERMINED or application.rating_area.number != SHOP_AREA:
        raise RuntimeError(f"the bench household is {application.status} in {application.rating_area}, not determined")
    in_area = Plan.objects.filter(catalog=catalog, rating_area__number=SHOP_AREA)
    determination = application.determination
    return {
        "application": str(application.public_id),
        "client": str(application.client.public_id),
        "broker_email": assister_email(*SHOPPER_BROKER),
        "catalog_rows": Plan.objects.filter(catalog=catalog).count(),
        "plans_in_area": in_area.count(),
        "max_monthly_credit": str(determination.max_monthly_credit),
        "programs": determination.programs,
        # The selection the harness posts: the lowest-cost silver plan (a common choice with cost-sharing help).
        "choose_plan_id": in_area.filter(metal_level="silver").order_by("base_rate", "plan_id")[0].plan_id,
    }
