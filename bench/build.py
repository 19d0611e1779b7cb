"""Build the benchmark data set: agencies, certified assisters, clients, associations, guardian rows.

Fast on purpose: one password hash for every account, `bulk_create` for the few
thousand people and agencies, PostgreSQL COPY for the 100,000 clients, 150,000
associations (and their consent rows) and the ~1.4 million guardian rows. The rows
are what the services would have written (approved certifications valid today, one
active association per client per kind, guardian rows exactly as
`associations.permissions_sync.expected_rows` derives them); the services
themselves are not called, because they take minutes per thousand clients.

Then `bench/listings.py` lists these agencies and assisters in the public directory and
adds directory-only ones, 20,000 listings in all, and `bench/book_applications.py`
gives every client with an assister of record a 2027 application in a mix of statuses
(issue 12); each with a random generator of its own, so the rows above are the same with
or without them. Last, `book_applications.build_plan_shopping` loads a 200-plan 2027 catalog
through the importer and builds one household of four through the services, determined in
rating area 8 (issue 13): the plan list and the selection the harness times.

`build(scale)` works on any connection alias, inside one transaction, so the smoke
test (`bench/test_bench_smoke.py`) runs it at a tiny scale in the test database.
Change BUILD_VERSION whenever what is built changes: `python -m bench` then rebuilds.
"""

import random
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt as mfa_encrypt
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connections, transaction
from django.utils import timezone
from psycopg import sql

from accounts.models import Role, User
from applications.models import Application, ApplicationReview, ApplicationRevision, Determination, Enrollment
from assister_portal.lib.crypto import lookup_hash
from associations.models import Association, AssociationStatus, Consent, ConsentEvent, ConsentMethod, InitiatedBy
from associations.permissions_sync import ADMIN_POWERS, SUPPORT_POWERS, expected_rows, permission_ids
from associations.services import CONSENT_TEXT_VERSION, DEFAULT_POWERS, broker_effective_date
from certification.models import (
    Agency,
    AgencyKind,
    AgencyMembership,
    Assister,
    AssisterKind,
    BackgroundStudy,
    Certification,
    CertificationEvent,
    CertificationStatus,
    IssuedAssisterId,
    MembershipRole,
)
from certification.periods import period_end_for, today
from certification.services import ASSISTER_ID_ALPHABET
from changes.models import ChangeReport
from clients.models import (
    Client,
    ClientGroupObjectPermission,
    ClientKind,
    ClientUserObjectPermission,
    EmployerDetails,
    search_key,
)
from core.models import County, Language
from notices.models import Invoice, Notice
from plans.models import Plan
from verifications.models import VerificationRequest

from .scale import BUILD_VERSION, Scale

EMAIL_DOMAIN = "bench.assister.example"
# Every bench account has this password and this TOTP secret (bench database only; see README).
PASSWORD = "bench password 2026"  # noqa: S105
TOTP_SECRET = "BENCHBENCHBENCHBENCHBENCHBENCH23"  # noqa: S105
SEED = 20260101

AGENCY_KINDS = [AgencyKind.BROKER_AGENCY, AgencyKind.NAVIGATOR_ORG, AgencyKind.CAC_ORG]
ASSISTER_KIND = {
    AgencyKind.BROKER_AGENCY: AssisterKind.BROKER,
    AgencyKind.NAVIGATOR_ORG: AssisterKind.NAVIGATOR,
    AgencyKind.CAC_ORG: AssisterKind.CAC,
}


def _words(text: str) -> list[str]:
    return text.split()


# Surnames common in Minnesota, most common first; drawn with Zipf-like weights, so a
# few (Johnson, Anderson, Xiong…) fill many rows, as in a real book of clients.
LAST_NAMES = _words(
    "Johnson Anderson Nelson Olson Peterson Larson Xiong Hanson Smith Carlson Miller Vang Johnston Lee "
    "Thao Swanson Schmidt Hernández Yang Nguyễn Ali Mohamed Hassan Moua Her Lor Schultz Meyer Jensen Erickson "
    "García López Martínez Rodríguez Brown Jones Davis Wilson Lindquist Gustafson Christensen Thompson "
    "Kowalski Nowak Ahmed Abdi Warsame Tran Pham Herrera Peña Ramírez Gómez Cruz Müller Björklund Øye "
    "Lundgren Halvorson Bergstrom Johanson Sandoval Chávez Ortiz Flores Vue Cha Khang Omar Farah Yusuf "
    "Jackson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams"
)
FIRST_NAMES = _words(
    "Maria Mai Abdi Karin Jorge James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth "
    "David Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa "
    "Matthew Betty Anthony Margaret Mark Sandra Paul Ashley Steven Kimberly Pa Nou Kou Tou Fatima Amina "
    "Ahmed Hodan Ayan Mohamed José Ana Luis Sofía Carmen Ángel Lucía Minh Linh Huong Ole Ingrid Sven Astrid"
)
CITIES = [
    ("Minneapolis", "55401"),
    ("Saint Paul", "55102"),
    ("Rochester", "55901"),
    ("Duluth", "55802"),
    ("Bloomington", "55420"),
    ("Brooklyn Park", "55443"),
    ("Saint Cloud", "56301"),
    ("Mankato", "56001"),
    ("Moorhead", "56560"),
    ("Willmar", "56201"),
]
LANGUAGE_WEIGHTS = {"en": 70, "es": 10, "so": 5, "hmn": 5, "vi": 2, "kar": 1, "om": 1, "ru": 1}


@dataclass
class BuildResult:
    seconds: float
    counts: dict
    big_assister_email: str
    small_assister_email: str
    big_agency_admin_email: str
    big_agency_id: int
    steps: dict = field(default_factory=dict)
    directory: dict = field(default_factory=dict)  # bench/listings.py's counts
    applications: dict = field(default_factory=dict)  # bench/book_applications.py's counts
    shopping: dict = field(default_factory=dict)  # the plan catalog and the household that shops in it (issue 13)
    followups: dict = field(default_factory=dict)  # bench/book_followups.py's counts: the worklist's items (issue 17)


def assister_email(agency_index: int, j: int) -> str:
    return f"assister-{agency_index:03d}-{j:02d}@{EMAIL_DOMAIN}"


def admin_email(agency_index: int) -> str:
    return f"admin-{agency_index:03d}@{EMAIL_DOMAIN}"


# --- Plan --------------------------------------------------------------------------


def plan_books(scale: Scale) -> list[list[int]]:
    """How many clients each assister holds: books[agency][j]."""
    agencies, per = scale.agencies, scale.assisters_per_agency
    if agencies < 3 or per < 2:
        raise ValueError("The bench needs at least 3 agencies of 2 assisters.")
    if not scale.small_assister_clients < scale.big_assister_clients <= scale.big_agency_associations:
        raise ValueError("Need small assister < big assister ≤ big agency.")
    books = [[0] * per for _ in range(agencies)]
    books[0][0] = scale.big_assister_clients
    _spread(books, [(0, j) for j in range(1, per)], scale.big_agency_associations - scale.big_assister_clients)
    books[1][0] = scale.small_assister_clients
    others = [(i, j) for i in range(1, agencies) for j in range(per) if (i, j) != (1, 0)]
    rest = scale.associations - scale.big_agency_associations - scale.small_assister_clients
    if rest < 0:
        raise ValueError("More associations in the big agency and the small book than in all.")
    _spread(books, others, rest)
    for kind in AssisterKind.values:
        total = sum(sum(books[i]) for i in range(agencies) if ASSISTER_KIND[agency_kind(i)] == kind)
        if total > scale.clients:
            raise ValueError(f"{total} {kind} associations but only {scale.clients} clients (one per client per kind).")
    return books


def _spread(books, slots, total) -> None:
    q, r = divmod(total, len(slots))
    for k, (i, j) in enumerate(slots):
        books[i][j] = q + (1 if k < r else 0)


def agency_kind(index: int) -> str:
    return AGENCY_KINDS[index % len(AGENCY_KINDS)]


# --- Writing rows ------------------------------------------------------------------


def _copy(connection, model, fields: list[str], rows: Iterable[tuple]) -> int:
    """COPY rows into the model's table (psycopg 3 through Django's cursor); returns how many."""
    opts = model._meta
    columns = [opts.get_field(name).column for name in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(opts.db_table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    # Rows are made before COPY starts: a query run while the connection is in COPY mode would hang it.
    rows = list(rows)
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    return len(rows)


def _reserve_ids(connection, model, n: int) -> list[int]:
    """n primary keys from the table's own sequence, so COPY can write rows that others point to."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, n],
        )
        return [row[0] for row in cursor.fetchall()]


def _zipf_weights(n: int, s: float = 0.9) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


def _assister_ids(rng: random.Random, n: int) -> list[str]:
    taken = set(IssuedAssisterId.objects.values_list("value", flat=True))
    values = []
    while len(values) < n:
        value = "".join(rng.choice(ASSISTER_ID_ALPHABET) for _ in range(9))
        if value not in taken:
            taken.add(value)
            values.append(value)
    return values


@dataclass(frozen=True)
class Period:
    """The dates of the approved certifications the bench writes: valid today, decided a month ago."""

    valid_from: date
    valid_until: date
    decided: datetime
    trained_on: date

    @classmethod
    def around(cls, now: datetime) -> "Period":
        day = today()
        valid_until = period_end_for(day)
        decided = now - timedelta(days=30)
        return cls(
            valid_from=min(day, valid_until - timedelta(days=364)),
            valid_until=valid_until,
            decided=decided,
            trained_on=timezone.localdate(decided - timedelta(days=25)),
        )


def approved_certification(period: Period, **subject) -> Certification:
    """An approved certification of `agency=` or `assister=`, with what its kind requires, valid today."""
    kind = subject["assister"].kind if "assister" in subject else None
    broker = kind == AssisterKind.BROKER
    counselor = kind in (AssisterKind.NAVIGATOR, AssisterKind.CAC)
    decided, valid_until = period.decided, period.valid_until
    return Certification(
        **subject,
        status=CertificationStatus.APPROVED,
        valid_from=period.valid_from,
        valid_until=valid_until,
        created_at=decided - timedelta(days=20),
        submitted_at=decided - timedelta(days=14),
        decided_at=decided,
        training_completed_on=period.trained_on if kind else None,
        training_certificate_number="CMS-2026-0001" if kind else "",
        agreement_version=settings.ASSISTER_AGREEMENT_VERSION if kind else "",
        agreement_signed_name="Bench Signer" if kind else "",
        agreement_signed_at=decided - timedelta(days=15) if kind else None,
        license_number="40123456" if broker else "",
        license_expires_on=valid_until + timedelta(days=365) if broker else None,
        eo_carrier="Bench Mutual" if broker else "",
        eo_policy_number="EO-1" if broker else "",
        eo_expires_on=valid_until + timedelta(days=365) if broker else None,
        license_verified_by_staff=broker,
        coi_answered=counselor,
        background_study=BackgroundStudy.PASSED if counselor else BackgroundStudy.NOT_RECORDED,
    )


def approval_events(certifications: Iterable[Certification], period: Period) -> list[CertificationEvent]:
    return [
        CertificationEvent(
            certification=c,
            from_status=CertificationStatus.IN_REVIEW,
            to_status=CertificationStatus.APPROVED,
            at=period.decided,
            reason="",
        )
        for c in certifications
    ]


def _build_people(scale: Scale, rng: random.Random, now, using: str) -> dict:
    """Agencies, their admins and assisters, certifications, groups, memberships. A few thousand rows."""
    batch = scale.batch_size
    password = make_password(PASSWORD)
    period = Period.around(now)

    agencies = []
    for i in range(scale.agencies):
        kind = agency_kind(i)
        fein = f"41-{1_000_000 + i:07d}"
        city, zip_code = CITIES[i % len(CITIES)]
        agencies.append(
            Agency(
                kind=kind,
                legal_name=f"Bench Agency {i:03d} LLC",
                public_name=f"Bench {kind.label} {i:03d}",
                fein=fein,
                fein_hash=lookup_hash(fein),
                agency_npn=f"{9_000_000 + i}" if kind == AgencyKind.BROKER_AGENCY else "",
                contract_number="" if kind == AgencyKind.BROKER_AGENCY else f"MNS-{2026}-{i:04d}",
                street=f"{100 + i} Main Street",
                city=city,
                zip_code=zip_code,
                phone=f"651-555-{i % 10_000:04d}",
                directory_opt_in=True,
            )
        )
    Agency.objects.using(using).bulk_create(agencies, batch_size=batch)

    users, assisters = [], []
    for i in range(len(agencies)):
        users.append(
            User(
                email=admin_email(i),
                role=Role.AGENCY_ADMIN,
                first_name="Admin",
                last_name=f"Agency{i:03d}",
                password=password,
            )
        )
        for j in range(scale.assisters_per_agency):
            users.append(
                User(
                    email=assister_email(i, j),
                    role=Role.ASSISTER,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    password=password,
                )
            )
    User.objects.using(using).bulk_create(users, batch_size=batch)
    by_email = {u.email: u for u in users}
    EmailAddress.objects.using(using).bulk_create(
        [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users], batch_size=batch
    )
    secret = {"secret": mfa_encrypt(TOTP_SECRET)}
    Authenticator.objects.using(using).bulk_create(
        [Authenticator(user=u, type=Authenticator.Type.TOTP, data=secret) for u in users], batch_size=batch
    )

    ids = iter(_assister_ids(rng, scale.agencies * scale.assisters_per_agency))
    for i, agency in enumerate(agencies):
        kind = ASSISTER_KIND[agency.kind]
        for j in range(scale.assisters_per_agency):
            user = by_email[assister_email(i, j)]
            assisters.append(
                Assister(
                    user=user,
                    agency=agency,
                    kind=kind,
                    assister_id=next(ids),
                    legal_first_name=user.first_name,
                    legal_last_name=user.last_name,
                    npn=f"{10_000_000 + i * 100 + j}" if kind == AssisterKind.BROKER else "",
                    directory_opt_in=True,
                )
            )
    Assister.objects.using(using).bulk_create(assisters, batch_size=batch)
    IssuedAssisterId.objects.using(using).bulk_create(
        [IssuedAssisterId(value=a.assister_id) for a in assisters], batch_size=batch
    )

    memberships = [
        AgencyMembership(
            user=by_email[admin_email(i)], agency=agency, role=MembershipRole.ADMIN, started_at=now - timedelta(400)
        )
        for i, agency in enumerate(agencies)
    ]
    memberships += [
        AgencyMembership(user=a.user, agency=a.agency, role=MembershipRole.ASSISTER, started_at=now - timedelta(300))
        for a in assisters
    ]
    AgencyMembership.objects.using(using).bulk_create(memberships, batch_size=batch)

    # The groups `certification.groups.agency_group` names; admins are members of theirs.
    groups = {
        (agency.pk, role): Group(name=f"agency:{agency.pk}:{role}")
        for agency in agencies
        for role in (MembershipRole.ADMIN, MembershipRole.SUPPORT)
    }
    Group.objects.using(using).bulk_create(groups.values(), batch_size=batch)
    User.groups.through.objects.using(using).bulk_create(
        [
            User.groups.through(user_id=by_email[admin_email(i)].pk, group_id=groups[(a.pk, MembershipRole.ADMIN)].pk)
            for i, a in enumerate(agencies)
        ],
        batch_size=batch,
    )

    certifications = [approved_certification(period, agency=a) for a in agencies]
    certifications += [approved_certification(period, assister=a) for a in assisters]
    Certification.objects.using(using).bulk_create(certifications, batch_size=batch)
    CertificationEvent.objects.using(using).bulk_create(approval_events(certifications, period), batch_size=batch)
    return {
        "agencies": agencies,
        "assisters": assisters,
        "groups": {key: g.pk for key, g in groups.items()},
        "users": len(users),
        "certifications": len(certifications),
        "password": password,  # the one hash, for the directory's accounts too
    }


def _client_rows(scale: Scale, rng: random.Random, client_ids: list[int], now, using: str, employers: list):
    """Rows for COPY into Client, in CLIENT_FIELDS order; appends (client id, name, FEIN) of employers."""
    counties = list(County.objects.using(using).values_list("pk", flat=True))
    languages = dict(Language.objects.using(using).values_list("code", "pk"))
    language_ids = [languages[c] for c in LANGUAGE_WEIGHTS if c in languages] or [None]
    language_weights = [LANGUAGE_WEIGHTS[c] for c in LANGUAGE_WEIGHTS if c in languages] or [1]
    last_weights = _zipf_weights(len(LAST_NAMES))
    first_weights = _zipf_weights(len(FIRST_NAMES), 0.5)
    ssn_field = Client._meta.get_field("ssn")
    lasts = rng.choices(LAST_NAMES, last_weights, k=len(client_ids))
    firsts = rng.choices(FIRST_NAMES, first_weights, k=len(client_ids))
    langs = rng.choices(language_ids, language_weights, k=len(client_ids))
    ssn_every = max(1, len(client_ids) // max(1, scale.clients_with_ssn))
    for n, pk in enumerate(client_ids):
        first, last = firsts[n], lasts[n]
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(31_000))
        city, zip_code = CITIES[n % len(CITIES)]
        ssn = ssn_hash = last4 = ""
        if n % ssn_every == 0 and n // ssn_every < scale.clients_with_ssn:
            digits = f"{(n % 899) + 100:03d}{(n % 89) + 10:02d}{n % 10_000:04d}"
            ssn, ssn_hash, last4 = ssn_field.get_prep_value(digits), lookup_hash(digits), digits[-4:]
        employer = n % scale.employer_every == scale.employer_every - 1
        if employer:
            employers.append((pk, f"{last} Family Business {n}", f"41-{2_000_000 + n:07d}"))
        ascii_name = f"{search_key(first)}.{search_key(last)}".encode("ascii", "ignore").decode()
        yield (
            pk,
            uuid.UUID(int=rng.getrandbits(128), version=4),
            ClientKind.EMPLOYER if employer else ClientKind.HOUSEHOLD,
            first,
            last,
            search_key(first),
            search_key(last),
            born,
            ssn,
            ssn_hash,
            last4,
            f"{ascii_name}{n}@example.net",
            f"612-555-{n % 10_000:04d}",
            f"{1 + n % 9_000} {rng.choice(['Oak', 'Elm', 'Lake', 'Summit', 'Grand'])} Avenue",
            city,
            zip_code,
            rng.choice(counties) if counties else None,
            langs[n],
            now - timedelta(days=rng.randrange(900)),
        )


CLIENT_FIELDS = [
    "id",
    "public_id",
    "kind",
    "first_name",
    "last_name",
    "search_first",
    "search_last",
    "date_of_birth",
    "ssn",
    "ssn_hash",
    "ssn_last4",
    "email",
    "phone",
    "street",
    "city",
    "zip_code",
    "county",
    "preferred_language",
    "created_at",
]
POWER_FIELD_ORDER = list(Association.POWER_FIELDS.items())  # (code, field)
ASSOCIATION_FIELDS = [
    "id",
    "public_id",
    "client",
    "assister",
    "agency",
    "kind",
    "status",
    "initiated_by",
    *[f for _code, f in POWER_FIELD_ORDER],
    "requested_at",
    "started_at",
    "end_reason",
    "effective_date",
]


def build(scale: Scale | None = None, *, using: str = "default", log=None) -> BuildResult:
    """Write the data set in one transaction on connection `using`; returns what the benchmark needs."""
    scale = scale or Scale()
    log = log or (lambda _msg: None)
    connection = connections[using]
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    books = plan_books(scale)
    steps = {}
    started = mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now_ = time.perf_counter()
        steps[name] = round(now_ - mark, 2)
        log(f"  {name}: {now_ - mark:.1f} s")
        mark = now_

    with transaction.atomic(using=using):
        now = timezone.now()
        people = _build_people(scale, rng, now, using)
        step("agencies, assisters, certifications")

        client_ids = _reserve_ids(connection, Client, scale.clients)
        employer_rows = []
        rows = _client_rows(scale, rng, client_ids, now, using, employer_rows)
        n_clients = _copy(connection, Client, CLIENT_FIELDS, rows)
        employers = [
            EmployerDetails(client_id=pk, business_name=name, fein=fein, fein_hash=lookup_hash(fein), employee_count=12)
            for pk, name, fein in employer_rows
        ]
        EmployerDetails.objects.using(using).bulk_create(employers, batch_size=scale.batch_size)
        step(f"{n_clients} clients")

        # One shuffled pool of clients per kind, dealt out in order: a client appears once per kind at most.
        assisters = people["assisters"]
        per = scale.assisters_per_agency
        pools = {kind: [] for kind in AssisterKind.values}
        for index, assister in enumerate(assisters):
            pools[assister.kind].append((assister, books[index // per][index % per]))
        association_ids = iter(_reserve_ids(connection, Association, scale.associations))
        associations = []  # (id, client_id, assister, powers, started_at)
        for kind, holders in pools.items():
            needed = sum(n for _a, n in holders)
            dealt = iter(rng.sample(client_ids, needed))
            for assister, n in holders:
                for _ in range(n):
                    serial = len(associations)
                    powers = ["view_client"] if serial % 8 == 7 else list(DEFAULT_POWERS[kind])
                    started_at = now - timedelta(days=rng.randrange(1, 700), seconds=rng.randrange(86_400))
                    associations.append((next(association_ids), next(dealt), assister, powers, started_at))

        def association_rows():
            for serial, (pk, client_id, assister, powers, started_at) in enumerate(associations):
                granted = set(powers)
                yield (
                    pk,
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    client_id,
                    assister.pk,
                    assister.agency_id,
                    assister.kind,
                    AssociationStatus.ACTIVE,
                    InitiatedBy.CONSUMER if serial % 2 else InitiatedBy.ASSISTER,
                    *[code in granted for code, _f in POWER_FIELD_ORDER],
                    started_at - timedelta(days=1),
                    started_at,
                    "",
                    broker_effective_date(timezone.localdate(started_at))
                    if assister.kind == AssisterKind.BROKER
                    else None,
                )

        n_associations = _copy(connection, Association, ASSOCIATION_FIELDS, association_rows())
        agency_names = {a.pk: str(a) for a in people["agencies"]}
        n_consents = _copy(
            connection,
            Consent,
            [
                "association",
                "event",
                "powers",
                "method",
                "consent_text_version",
                "purpose",
                "agency_name",
                "evidence",
                "call_reference",
                "call_participants",
                "attestation",
                "flagged",
                "reason",
                "at",
            ],
            (
                (
                    pk,
                    ConsentEvent.GRANTED,
                    "[" + ", ".join(f'"{p}"' for p in powers) + "]",
                    ConsentMethod.ONLINE,
                    CONSENT_TEXT_VERSION,
                    "Help applying for and keeping health coverage through MNsure",
                    agency_names[assister.agency_id],
                    "",
                    "",
                    "",
                    "",
                    False,
                    "",
                    started_at,
                )
                for pk, _c, assister, powers, started_at in associations
            ),
        )
        step(f"{n_associations} associations and {n_consents} consents")

        # Guardian rows, as permissions_sync.expected_rows derives them.
        perm = permission_ids()
        groups = people["groups"]
        n_user_rows = _copy(
            connection,
            ClientUserObjectPermission,
            ["user", "content_object", "permission"],
            (
                (assister.user_id, client_id, perm[code])
                for _pk, client_id, assister, powers, _s in associations
                for code in powers
            ),
        )
        group_rows = set()
        for _pk, client_id, assister, powers, _s in associations:
            for role, allowed in ((MembershipRole.ADMIN, ADMIN_POWERS), (MembershipRole.SUPPORT, SUPPORT_POWERS)):
                for code in allowed & set(powers):
                    group_rows.add((groups[(assister.agency_id, role)], client_id, perm[code]))
        n_group_rows = _copy(
            connection, ClientGroupObjectPermission, ["group", "content_object", "permission"], sorted(group_rows)
        )
        step(f"{n_user_rows} user and {n_group_rows} group guardian rows")

        # After everything the other pages read, with a generator of its own: their rows stay as they were.
        from .listings import build_listings  # listings.py builds on this module's helpers

        directory = build_listings(scale, people, now, using)
        step(
            f"{directory['listings']} directory listings ({directory['assisters']} assisters, "
            f"{directory['agencies']} agencies; {directory['new_agencies']} agencies and "
            f"{directory['new_assisters']} assisters new)"
        )

        # The clients' applications (issue 12), last and with a generator of their own as well.
        from .book_applications import build_applications

        applications = build_applications(associations, now, using)
        step(
            f"{applications['applications']} applications ({applications['clients_with_applications']} clients), "
            f"{applications['determinations']} determinations"
        )

        # Choosing a plan (issue 13): a 200-plan catalog through the importer, a household of four through the
        # services; last, so every row above is what it was without them.
        from .book_applications import build_plan_shopping

        shopping = build_plan_shopping(PASSWORD, using)
        step(
            f"2027 plan catalog ({shopping['plans_in_area']} plans in rating area 8, {shopping['catalog_rows']} "
            f"rows) and a household of four, determined ({shopping['programs']}, "
            f"${shopping['max_monthly_credit']} a month of credit)"
        )

        # The worklist's follow-ups (issue 17): the apps' rows an assister follows up, last and with a generator of
        # their own (it only re-dates the drafts' last save).
        from .book_followups import build_followups

        followups = build_followups(now, using)
        step(
            f"follow-ups: {followups['verification_requests']} verification requests, {followups['reviews']} pending "
            f"reviews, {followups['change_reports']['reports']} change reports, "
            f"{followups['enrollments']['enrollments']} enrollments, {followups['invoices']['invoices']} invoices; "
            f"{followups['stale_drafts']} of {followups['drafts_touched']} drafts stale"
        )

        big_agency = people["agencies"][0]
        result = BuildResult(
            seconds=0.0,
            counts={
                "users": people["users"],
                "agencies": len(people["agencies"]),
                "assisters": len(assisters),
                "certifications": people["certifications"],
                "clients": n_clients,
                "employers": len(employers),
                "clients_with_ssn": min(scale.clients_with_ssn, n_clients),
                "associations": n_associations,
                "consents": n_consents,
                "user_permission_rows": n_user_rows,
                "group_permission_rows": n_group_rows,
                "applications": applications["applications"],
                "application_revisions": applications["application_revisions"],
                "determinations": applications["determinations"],
                "plans": shopping["catalog_rows"],
            },
            big_assister_email=assister_email(0, 0),
            small_assister_email=assister_email(1, 0),
            big_agency_admin_email=admin_email(0),
            big_agency_id=big_agency.pk,
            steps=steps,
            directory=directory,
            applications=applications,
            shopping=shopping,
            followups=followups,
        )
        result.seconds = round(time.perf_counter() - started, 1)
    return result


def build_info(scale: Scale, result: BuildResult) -> dict:
    """What the marker row records: enough to know whether a later run may reuse the data."""
    return {"build_version": BUILD_VERSION, "scale": asdict(scale), "result": asdict(result)}


def vacuum_analyze(using: str = "default") -> None:
    """Fresh statistics and visibility maps, as a long-running database would have. Outside a transaction."""
    models = [Client, Association, Consent, ClientUserObjectPermission, ClientGroupObjectPermission]
    models += [Agency, Assister, Certification, AgencyMembership]  # the directory's listed-today tests
    models += [m.languages.through for m in (Agency, Assister)] + [m.counties.through for m in (Agency, Assister)]
    models += [Application, ApplicationRevision, Determination]  # the dashboard's application columns
    models += [Plan]  # the plan list (issue 13)
    models += [VerificationRequest, ApplicationReview, ChangeReport, Enrollment, Invoice, Notice]  # the worklist (17)
    tables = [m._meta.db_table for m in models]
    with connections[using].cursor() as cursor:
        for table in tables:
            cursor.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
        cursor.execute("ANALYZE")


def guardian_differences(client_ids: Iterable[int]) -> list[str]:
    """The guardian rows of these clients that differ from what expected_rows derives (empty: consistent)."""
    client_ids = list(client_ids)
    want_users, want_groups = expected_rows(client_ids)
    have_users = set(
        ClientUserObjectPermission.objects.filter(content_object_id__in=client_ids).values_list(
            "user_id", "content_object_id", "permission_id"
        )
    )
    have_groups = set(
        ClientGroupObjectPermission.objects.filter(content_object_id__in=client_ids).values_list(
            "group_id", "content_object_id", "permission_id"
        )
    )
    problems = [f"missing user row {row}" for row in sorted(want_users - have_users)]
    problems += [f"extra user row {row}" for row in sorted(have_users - want_users)]
    problems += [f"missing group row {row}" for row in sorted(want_groups - have_groups)]
    problems += [f"extra group row {row}" for row in sorted(have_groups - want_groups)]
    return problems


def most_common_last_name(client_ids: Iterable[int]) -> str:
    names = Counter(Client.objects.filter(pk__in=list(client_ids)).values_list("search_last", flat=True))
    return names.most_common(1)[0][0]
