"""The worklist's follow-ups (issue 17): the apps' own rows that leave something for an assister to follow up.

The worklist (`worklist.selectors.followups`) derives its items from the apps' rows in one `UNION ALL` statement:
verification requests waiting for the household, drafts nobody saved for two weeks, drafts waiting for the
consumer's confirmation, determined applications with no plan in open enrollment, change reports MNsure asked about
or whose special enrollment window is open, coverage ending with nothing after it, employers' overdue invoices. The
applications (`bench/book_applications.py`) already give the determined ones; this module adds the rest, at the
scale of the books the harness measures, on top of the applications:

- **Verification requests** for every application waiting for documents: income for the person applying, immigration
  status for each lawfully present member, citizenship for some; outstanding, rejected (a document was not accepted)
  or submitted (waiting for staff); due dates spread from 20 days ago to 90 days ahead (opened
  `VERIFICATION_DAYS` before, never before the application was submitted).
- **Drafts' last save** (`updated_at`, with the revision's `at`) spread over the last 60 days, so about three in four
  are stale (`WORKLIST_STALE_DRAFT_DAYS`, 14) and the rest are not.
- **Pending application reviews** (the consumer asked to confirm in their account) for some of the complete drafts.
- **Change reports**: some waiting for the household's answer (`needs_info`), some processed with a special
  enrollment window open today, some processed without one, a few waiting for staff.
- **Enrollments**: every enrolled application's (the whole 2027 year, chosen by the assister of record), and, for
  some determined applications, one the household ended this month from the end of next month (what
  `enrollment_terminate` writes; the application went back to determined): coverage ending within 60 days with
  nothing after it.
- **Invoices** (a small employer's monthly premium bill, with its notice) for the last three months of every employer
  client with an assister of record; some employers have not paid last month's (overdue).

Written the fast way (COPY for the requests and enrollments, bulk_create for the rest, one UPDATE … FROM for the
drafts), not through the services; what the worklist does not read is not written (request, review, report and
enrollment events, documents and their files, audit rows, the notices' PDFs, the new application revisions a
processed change would make). With a random generator of its own and after everything else, so the other rows are
what they were without it (but for the drafts' last-save dates, which this module sets).
"""

import random
import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connections
from django.utils import timezone

from accounts.models import Role, User
from applications import eligibility
from applications.models import (
    Application,
    ApplicationReview,
    ApplicationRevision,
    ApplicationStatus,
    Enrollment,
    EnrollmentPeriodKind,
    EnrollmentStatus,
    ReviewMethod,
    ReviewStatus,
)
from applications.periods import coverage_start, first_of_next_month, termination_dates
from associations.models import Association
from certification.models import AssisterKind
from changes import kinds as change_kinds
from changes.kinds import Event
from changes.models import ChangeReport, ReportStatus
from clients.models import Client, ClientKind
from notices.models import Invoice, Notice, NoticeStatus
from plans.models import Plan, RatingArea, RatingAreaCounty
from plans.pricing import Enrollee, plan_premium
from verifications.documents import RejectReason, VerificationType
from verifications.models import RequestStatus, VerificationRequest

from .book_applications import COVERAGE_YEAR, SHOP_AREA, SHOPPER_EMAIL, _json
from .build import _copy, _reserve_ids

SEED = 20270017  # issue 17
S = ApplicationStatus
REVIEWER_EMAIL = "reviewer@followups.bench.assister.example"  # staff: decided the requests, asked and processed
# Verification requests of the applications waiting for documents.
REQUEST_STATUS_WEIGHTS = {RequestStatus.OUTSTANDING: 55, RequestStatus.REJECTED: 15, RequestStatus.SUBMITTED: 30}
DUE_DAYS = (-20, 90)  # due dates from 20 days ago to 90 days ahead
CITIZENSHIP_SHARE = 0.2  # of the people applying: SSA did not confirm their citizenship
# Drafts: last saved within these many days; some of the complete ones wait for the consumer's confirmation.
DRAFT_SAVED_DAYS = 60
REVIEW_SHARE = 0.4  # of the complete drafts
# Change reports, of the clients with a submitted current application.
NEEDS_INFO_SHARE = 0.03
SEP_SHARE = 0.03  # processed, a special enrollment window open today
PROCESSED_SHARE = 0.02  # processed, no window
SUBMITTED_SHARE = 0.01  # waiting for staff
SEP_EVENTS = (Event.MOVED, Event.BIRTH, Event.MARRIAGE, Event.LOST_COVERAGE)
QUESTIONS = {
    Event.INCOME_CHANGED: "Which day did the new pay start, and is it before or after taxes?",
    Event.GAINED_COVERAGE: "Does the new coverage include the whole household or only the employee?",
    Event.MOVED_IN: "Will the person who moved in be on the same tax return?",
    Event.OTHER: "Please tell us more about what changed and when.",
}
# Enrollments: the determined applications whose household ended the coverage they had chosen.
ENDED_SHARE = 0.08
METAL_WEIGHTS = {"bronze": 35, "silver": 45, "gold": 15, "platinum": 3, "catastrophic": 2}
# Invoices: the last INVOICE_MONTHS months of every employer client with an assister of record, due on the 15th.
INVOICE_MONTHS = 3
INVOICE_DUE_DAY = 15
NON_PAYER_SHARE = 0.15  # employers that have not paid last month's invoice
EMPLOYER_LINES = (("Employee premiums", 3_000, 9_000), ("Dependent premiums", 500, 4_000))

REQUEST_FIELDS = [
    "id",
    "public_id",
    "client",
    "application",
    "member_key",
    "member_name",
    "type",
    "attested",
    "source_said",
    "facts",
    "source_value",
    "status",
    "due_date",
    "opened_at",
    "revision_number",
    "reminders_sent",
    "reject_reason",
    "reject_note",
    "decided_at",
    "decided_by",
]
ENROLLMENT_FIELDS = [
    "id",
    "public_id",
    "application",
    "client",
    "coverage_year",
    "status",
    "plan",
    "hios_plan_id",
    "plan_name",
    "issuer_name",
    "metal_level",
    "csr_variant",
    "sample_catalog",
    "members",
    "premium",
    "max_credit",
    "credit_applied",
    "net_premium",
    "period_kind",
    "period_label",
    "coverage_start",
    "coverage_end",
    "selected_at",
    "selected_by",
    "on_behalf",
    "association",
    "writing_agent",
    "writing_agent_npn",
    "ended_at",
    "ended_by",
    "ended_on_behalf",
    "ended_association",
    "end_reason",
]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _between(rng: random.Random, low: datetime, high: datetime) -> datetime:
    return low + (high - low) * rng.random() if high > low else low


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _name(member: dict) -> str:
    return f"{member.get('first_name', '')} {member.get('last_name', '')}".strip()


def _reviewer(using: str) -> User:
    """The exchange staff member who decided the requests and asked and processed the change reports."""
    user = User(
        email=REVIEWER_EMAIL,
        role=Role.STAFF,
        is_staff=True,
        first_name="Jordan",
        last_name="Caseworker",
        password=make_password(None),  # no sign-in: nothing the harness measures is seen by staff
    )
    User.objects.using(using).bulk_create([user])
    return user


def build_followups(now: datetime, using: str = "default") -> dict:
    """Write the follow-ups' rows (see the module's docstring) inside the caller's transaction; returns the counts."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    connection = connections[using]
    today = timezone.localdate(now)
    applications = (
        Application.objects.using(using).filter(coverage_year=COVERAGE_YEAR).exclude(client__email=SHOPPER_EMAIL)
    )
    rows = list(
        applications.order_by("pk").values_list(
            "pk",
            "client_id",
            "status",
            "created_at",
            "updated_at",
            "submitted_at",
            "status_changed_at",
            "created_by_id",
            "determination__max_monthly_credit",
            "county_id",
            "data__income_confirmed",
        )
    )
    # The association each was started through (its revision's), and the broker who writes an enrollment made through it.
    through = dict(
        ApplicationRevision.objects.using(using)
        .filter(number=1, application__coverage_year=COVERAGE_YEAR)
        .values_list("application_id", "association_id")
    )
    agents = {
        pk: (assister_id, npn)
        for pk, assister_id, npn in Association.objects.using(using)
        .filter(kind=AssisterKind.BROKER)
        .values_list("pk", "assister_id", "assister__npn")
    }
    members = dict(
        applications.filter(status__in=[S.PENDING_VERIFICATION, S.DETERMINED, S.ENROLLED]).values_list(
            "pk", "data__members"
        )
    )
    names = {  # of the drafts' clients: the consumer a review is asked of
        pk: f"{first} {last}"
        for pk, first, last in applications.filter(status=S.DRAFT).values_list(
            "client_id", "client__first_name", "client__last_name"
        )
    }
    reviewer = _reviewer(using)
    by_status: dict[str, list[tuple]] = {}
    for row in rows:
        by_status.setdefault(row[2], []).append(row)

    counts = {}
    counts["drafts_touched"], counts["stale_drafts"] = _touch_drafts(connection, rng, by_status.get(S.DRAFT, []), now)
    counts["reviews"] = _reviews(using, rng, by_status.get(S.DRAFT, []), through, names, now)
    requests = _requests(connection, rng, by_status.get(S.PENDING_VERIFICATION, []), members, reviewer, now)
    counts["verification_requests"] = len(requests)
    counts["verification_statuses"] = {str(k): n for k, n in Counter(r[11] for r in requests).items()}
    submitted = [r for s in (S.PENDING_VERIFICATION, S.DETERMINED, S.ENROLLED) for r in by_status.get(s, [])]
    counts["change_reports"] = _change_reports(using, rng, submitted, members, through, reviewer, today, now)
    counts["enrollments"] = _enrollments(connection, rng, by_status, members, through, agents, today, now)
    counts["invoices"] = _invoices(using, rng, {r[1] for r in rows}, today, now)
    return counts


# --- Drafts and reviews ---------------------------------------------------------------------------------------------


def _touch_drafts(connection, rng: random.Random, drafts: list[tuple], now: datetime) -> tuple[int, int]:
    """Each draft last saved some time in the last DRAFT_SAVED_DAYS days (not before it was started): the application's
    `updated_at` and `status_changed_at` and its revision's `at`, as the build keeps them equal. Returns (drafts,
    stale ones)."""
    earliest = now - timedelta(days=DRAFT_SAVED_DAYS)
    stale_from = _midnight(timezone.localdate(now)) - timedelta(days=settings.WORKLIST_STALE_DRAFT_DAYS)
    touched = []
    for pk, _client, _status, created, *_rest in drafts:
        touched.append((pk, _between(rng, max(created, earliest), now)))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_followups_drafts (id bigint PRIMARY KEY, at timestamptz NOT NULL)")
        with cursor.cursor.copy("COPY bench_followups_drafts (id, at) FROM STDIN") as copy:
            for row in touched:
                copy.write_row(row)
        cursor.execute(
            "UPDATE applications_application AS a SET updated_at = t.at, status_changed_at = t.at "
            "FROM bench_followups_drafts AS t WHERE a.id = t.id"
        )
        cursor.execute(
            "UPDATE applications_applicationrevision AS r SET at = t.at "
            "FROM bench_followups_drafts AS t WHERE r.application_id = t.id AND r.number = 1"
        )
        cursor.execute("DROP TABLE bench_followups_drafts")
    # The new dates replace the ones read: the reviews below are asked after the last save.
    saved = dict(touched)
    drafts[:] = [(pk, client, status, created, saved[pk], *rest) for pk, client, status, created, _u, *rest in drafts]
    return len(touched), sum(1 for _pk, at in touched if at < stale_from)


def _reviews(using: str, rng: random.Random, drafts: list[tuple], through: dict, names: dict, now: datetime) -> int:
    """The assister asked the consumer to confirm some complete drafts in their account (`application_request_review`:
    at the draft's version, after its last save)."""
    reviews = []
    for pk, client_id, _status, _created, updated, _sub, _changed, created_by, _credit, _county, complete in drafts:
        if complete is not True or rng.random() >= REVIEW_SHARE:
            continue
        reviews.append(
            ApplicationReview(
                public_id=_uuid(rng),
                application_id=pk,
                revision_number=1,
                method=ReviewMethod.IN_ACCOUNT,
                status=ReviewStatus.PENDING,
                assister_user_id=created_by,
                association_id=through[pk],
                consumer_name=names[client_id],
                requested_at=_between(rng, updated, min(now, updated + timedelta(days=2))),
            )
        )
    ApplicationReview.objects.using(using).bulk_create(reviews, batch_size=5_000)
    return len(reviews)


# --- Verification requests ------------------------------------------------------------------------------------------


def _requests(connection, rng, pending: list[tuple], members: dict, reviewer: User, now: datetime) -> list[tuple]:
    """The open requests of the applications waiting for documents (all of them opened together, when it was
    submitted or matched again): income for the person applying, immigration status for each lawfully present member,
    citizenship for some."""
    today = timezone.localdate(now)
    days = timedelta(days=settings.VERIFICATION_DAYS)
    statuses = list(REQUEST_STATUS_WEIGHTS)
    weights = list(REQUEST_STATUS_WEIGHTS.values())
    reasons = list(RejectReason.values)
    rows = []
    for pk, client_id, _status, _created, _updated, submitted, *_rest in pending:
        people = members[pk]
        due = today + timedelta(days=rng.randint(*DUE_DAYS))
        opened = _midnight(due) - days + timedelta(seconds=rng.randrange(8 * 3600, 18 * 3600))
        if opened < submitted:  # submitted less than VERIFICATION_DAYS ago: opened then, due 90 days later
            opened = submitted + timedelta(minutes=rng.randrange(1, 30))
            due = timezone.localdate(opened) + days
        opened = min(opened, now)
        wanted = [(people[0], VerificationType.INCOME)]
        wanted += [(m, VerificationType.IMMIGRATION) for m in people if m.get("citizenship") == "lawfully_present"]
        if people[0].get("citizenship") == "citizen" and rng.random() < CITIZENSHIP_SHARE:
            wanted.append((people[0], VerificationType.CITIZENSHIP))
        for member, kind in wanted:
            status = rng.choices(statuses, weights)[0]
            decided = _between(rng, opened, now) if status == RequestStatus.REJECTED else None
            attested, source = {
                VerificationType.INCOME: (
                    f"${rng.randrange(18, 60)},000 a year",
                    f"${rng.randrange(61, 95)},000 a year",
                ),
                VerificationType.IMMIGRATION: ("Lawful permanent resident (I-551)", "No record found"),
                VerificationType.CITIZENSHIP: ("U.S. citizen", "Not confirmed by the Social Security Administration"),
            }[kind]
            rows.append(
                (
                    None,  # the id, reserved below
                    _uuid(rng),
                    client_id,
                    pk,
                    member["key"],
                    _name(member),
                    kind,
                    attested,
                    source,
                    "{}",
                    "{}",
                    status,
                    due,
                    opened,
                    1,
                    "[]",
                    rng.choice(reasons) if decided else "",
                    "Part of the document is cut off: please send the whole page." if decided else "",
                    decided,
                    reviewer.pk if decided else None,
                )
            )
    ids = _reserve_ids(connection, VerificationRequest, len(rows))
    rows = [(pk, *row[1:]) for pk, row in zip(ids, rows, strict=True)]
    _copy(connection, VerificationRequest, REQUEST_FIELDS, rows)
    return rows


# --- Change reports -------------------------------------------------------------------------------------------------


def _details(rng: random.Random, event: str, first_member: dict) -> dict:
    """What the report's form asks for this event (changes.kinds.FIELDS), plausibly filled."""
    values = {
        "street": f"{rng.randrange(100, 9000)} Lake Street",
        "city": "Duluth",
        "zip_code": "55802",
        "member": first_member.get("key", ""),
        "income_kind": "wages",
        "amount": str(rng.randrange(1500, 6000)),
        "frequency": "monthly",
        "first_name": rng.choice(["Ana", "Tou", "Amina", "Ole"]),
        "last_name": first_member.get("last_name", ""),
        "date_of_birth": "",
        "relationship": "spouse",
        "citizenship": "citizen",
        "coverage": "employer",
        "description": "My hours were cut at work.",
    }
    details = {name: values[name] for name in change_kinds.FIELDS[event]}
    if event == Event.MOVED:
        details["county_fips"] = "27137"  # St. Louis County: another rating area than the metro
    details["note"] = ""
    return details


def _change_reports(
    using: str, rng, submitted: list[tuple], members: dict, through: dict, reviewer: User, today: date, now: datetime
) -> dict:
    """Reports by the assister of record on the household's behalf: MNsure asked a question about some (needs_info),
    processed some (a few opened a special enrollment period still open today), has yet to look at others."""
    sep_days = settings.SPECIAL_ENROLLMENT_DAYS
    shares = [
        (ReportStatus.NEEDS_INFO, NEEDS_INFO_SHARE),
        ("sep", SEP_SHARE),
        (ReportStatus.PROCESSED, PROCESSED_SHARE),
        (ReportStatus.SUBMITTED, SUBMITTED_SHARE),
    ]
    reports = []
    for pk, client_id, _status, _created, _updated, _submitted, _changed, created_by, *_rest in submitted:
        draw, which = rng.random(), None
        for name, share in shares:
            if draw < share:
                which = name
                break
            draw -= share
        if which is None:
            continue
        first = members[pk][0]
        if which == "sep":
            event = rng.choice(SEP_EVENTS)
            effective = today - timedelta(days=rng.randrange(1, sep_days - 1))
        elif which == ReportStatus.NEEDS_INFO:
            event = rng.choice(list(QUESTIONS))
            effective = today - timedelta(days=rng.randrange(5, 45))
        else:
            event = rng.choice([Event.INCOME_CHANGED, Event.GAINED_COVERAGE, Event.OTHER])
            effective = today - timedelta(days=rng.randrange(5, 80))
        reported = min(now, _midnight(effective) + timedelta(days=rng.randrange(0, 10), hours=rng.randrange(8, 18)))
        processed = _between(rng, reported, now) if which in ("sep", ReportStatus.PROCESSED) else None
        details = _details(rng, event, first)
        if event == Event.BIRTH:
            details["date_of_birth"] = effective.isoformat()
        window = change_kinds.special_enrollment_window(effective) if which == "sep" else (None, None)
        reports.append(
            ChangeReport(
                public_id=_uuid(rng),
                client_id=client_id,
                application_id=pk,
                kind=change_kinds.kind_of(event),
                event=event,
                effective_date=effective,
                details=details,
                status=ReportStatus.PROCESSED if which == "sep" else which,
                submitted_at=reported,
                submitted_by_id=created_by,
                on_behalf=True,
                association_id=through[pk],
                reported_late=change_kinds.reported_late(effective, timezone.localdate(reported)),
                sep_opens=window[0],
                sep_closes=window[1],
                question=QUESTIONS.get(event, "") if which == ReportStatus.NEEDS_INFO else "",
                processed_at=processed,
                processed_by_id=reviewer.pk if processed else None,
                outcome="Your application was updated." if processed else "",
            )
        )
    ChangeReport.objects.using(using).bulk_create(reports, batch_size=5_000)
    opened = sum(1 for r in reports if r.sep_opens)
    return {
        "reports": len(reports),
        **{str(k): n for k, n in Counter(r.status for r in reports).items()},
        "sep_open": opened,
    }


# --- Enrollments ----------------------------------------------------------------------------------------------------


def _enrollments(connection, rng, by_status: dict, members: dict, through: dict, agents: dict, today, now) -> dict:
    """Every enrolled application's enrollment (the 2027 year), and, for ENDED_SHARE of the determined ones, the one the
    household ended this month from the end of next month (the application went back to determined)."""
    start = coverage_start(COVERAGE_YEAR, timezone.localdate(now))
    year_end = date(COVERAGE_YEAR, 12, 31)
    areas = dict(RatingAreaCounty.objects.using(connection.alias).values_list("county_id", "rating_area_id"))
    plans: dict[int, dict[str, list[Plan]]] = {}
    for plan in Plan.objects.using(connection.alias).filter(year=COVERAGE_YEAR).select_related("issuer"):
        plans.setdefault(plan.rating_area_id, {}).setdefault(plan.metal_level, []).append(plan)
    metro = RatingArea.objects.using(connection.alias).get(number=SHOP_AREA).pk
    metals, metal_weights = list(METAL_WEIGHTS), list(METAL_WEIGHTS.values())
    month_start = today.replace(day=1)
    plan_rows = [(row, False) for row in by_status.get(S.ENROLLED, [])]
    plan_rows += [(row, True) for row in by_status.get(S.DETERMINED, []) if rng.random() < ENDED_SHARE]
    plan_rows.sort(key=lambda item: item[0][0])
    rows, ending = [], 0
    for (
        pk,
        client_id,
        _status,
        _created,
        _updated,
        submitted,
        changed,
        created_by,
        credit,
        county,
        _c,
    ), ended in plan_rows:
        people = members[pk]
        by_metal = plans.get(areas.get(county), plans[metro])
        options = by_metal.get(rng.choices(metals, metal_weights)[0]) or next(iter(by_metal.values()))
        plan = rng.choice(options)
        ages = [eligibility.age_on(date.fromisoformat(m["date_of_birth"]), start) for m in people]
        priced = plan_premium(plan, [Enrollee(age=age) for age in ages])
        max_credit = min(credit or Decimal("0.00"), priced.without_tobacco)
        selected = _between(rng, submitted, changed) if not ended else _between(rng, submitted, _midnight(month_start))
        end, end_fields = year_end, (None, None, False, None, "")
        if ended:
            ended_at = _between(rng, max(selected, _midnight(month_start)), now)
            end = max(
                max(termination_dates(timezone.localdate(ended_at), coverage_year=COVERAGE_YEAR)),
                start - timedelta(days=1),
            )
            end_fields = (ended_at, created_by, True, through[pk], "The household has coverage through a new job.")
            ending += start <= end <= today + timedelta(days=settings.WORKLIST_COVERAGE_ENDING_DAYS)
        rows.append(
            (
                None,
                _uuid(rng),
                pk,
                client_id,
                COVERAGE_YEAR,
                EnrollmentStatus.TERMINATED if ended else EnrollmentStatus.ACTIVE,
                plan.pk,
                plan.plan_id,
                plan.name,
                plan.issuer.name,
                plan.metal_level,
                "",
                True,
                _json(
                    [
                        {
                            "key": m["key"],
                            "first_name": m.get("first_name", ""),
                            "age": age,
                            "tobacco": False,
                            "premium": str(p),
                        }
                        for m, age, p in zip(people, ages, priced.members, strict=True)
                    ]
                ),
                priced.total,
                max_credit,
                max_credit,
                priced.total - max_credit,
                EnrollmentPeriodKind.OPEN,
                "",
                start,
                end,
                selected,
                created_by,
                True,
                through[pk],
                *agents.get(through[pk], (None, "")),
                *end_fields,
            )
        )
    ids = _reserve_ids(connection, Enrollment, len(rows))
    rows = [(pk, *row[1:]) for pk, row in zip(ids, rows, strict=True)]
    _copy(connection, Enrollment, ENROLLMENT_FIELDS, rows)
    return {
        "enrollments": len(rows),
        "active": sum(1 for r in rows if r[5] == EnrollmentStatus.ACTIVE),
        "ended": sum(1 for r in rows if r[5] == EnrollmentStatus.TERMINATED),
        "ending_within_60_days": ending,
    }


# --- Invoices -------------------------------------------------------------------------------------------------------


def _months_back(day: date, n: int) -> date:
    """The first of the month n months before `day`'s."""
    month = day.year * 12 + day.month - 1 - n
    return date(month // 12, month % 12 + 1, 1)


def _invoices(using: str, rng, with_assister: set[int], today: date, now: datetime) -> dict:
    """The last INVOICE_MONTHS monthly bills of every employer client with an assister of record, each with its
    notice (ready; its PDF not written). Paid by the due date, except NON_PAYER_SHARE of the employers, who have not
    paid the latest one past due (and some the one before)."""
    employers = [
        row
        for row in Client.objects.using(using)
        .filter(kind=ClientKind.EMPLOYER)
        .order_by("pk")
        .values_list(
            "pk",
            "first_name",
            "last_name",
            "email",
            "street",
            "city",
            "zip_code",
            "preferred_language__code",
            "employer__business_name",
        )
        if row[0] in with_assister
    ]
    notices, invoices = [], []
    overdue = 0
    for pk, first, last, email, street, city, zip_code, language, business in employers:
        non_payer = rng.random() < NON_PAYER_SHARE
        unpaid_before = non_payer and rng.random() < 0.3
        for n in reversed(range(INVOICE_MONTHS)):
            period_start = _months_back(today, n)
            period_end = first_of_next_month(period_start) - timedelta(days=1)
            due = period_start.replace(day=INVOICE_DUE_DAY)
            created = _midnight(period_start) - timedelta(days=10, hours=-rng.randrange(1, 6))
            lines = [
                {"description": description, "amount": f"{rng.randrange(low, high)}.{rng.randrange(100):02d}"}
                for description, low, high in EMPLOYER_LINES
            ]
            total = sum((Decimal(line["amount"]) for line in lines), Decimal("0.00"))
            past_due = due < today
            latest_past_due = past_due and (n == 0 or _months_back(today, n - 1).replace(day=INVOICE_DUE_DAY) >= today)
            unpaid = (
                (non_payer and latest_past_due) or (unpaid_before and past_due) or (not past_due and rng.random() < 0.7)
            )
            paid_at = None if unpaid else _between(rng, created + timedelta(days=2), min(now, _midnight(due)))
            overdue += bool(unpaid and past_due)
            city_line = f"{city}, MN {zip_code}"
            notice = Notice(
                public_id=_uuid(rng),
                client_id=pk,
                kind="invoice",
                language=language or "en",
                data={
                    "recipient": {
                        "name": f"{first} {last}, {business}",
                        "first_name": first,
                        "address": [street, city_line],
                    },
                    "helpers": [],
                    "body": {
                        "period_start": period_start.isoformat(),
                        "period_end": period_end.isoformat(),
                        "lines": lines,
                        "total": str(total),
                        "due_date": due.isoformat(),
                    },
                    "due": due.isoformat(),
                },
                email_to=email,
                status=NoticeStatus.READY,
                pdf=f"notices/{created:%Y/%m}/bench-invoice-{pk}-{period_start:%Y-%m}.pdf",  # not written
                sha256=f"{rng.getrandbits(256):064x}",
                pages=2,
                created_at=created,
                status_changed_at=created + timedelta(minutes=1),
                ready_at=created + timedelta(minutes=1),
            )
            notices.append(notice)
            invoices.append(
                Invoice(
                    public_id=_uuid(rng),
                    client_id=pk,
                    notice=notice,
                    period_start=period_start,
                    period_end=period_end,
                    lines=lines,
                    amount=total,
                    due_date=due,
                    paid_at=paid_at,
                    created_at=created,
                )
            )
    Notice.objects.using(using).bulk_create(notices, batch_size=2_000)
    for invoice in invoices:
        invoice.notice_id = invoice.notice.pk
    Invoice.objects.using(using).bulk_create(invoices, batch_size=2_000)
    return {"employers": len(employers), "invoices": len(invoices), "overdue": overdue}
