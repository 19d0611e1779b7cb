"""Demo applications, the sample plan catalog behind them, and the plans chosen (issues 12 and 13).

The sample catalogs for 2026 and 2027 (real issuer names, made-up plans and rates) are loaded by the same
importer a real rate filing uses. Then, through the services, as the portal does it:
- Maria Lopez's household of four, applied for by her broker: she reviewed it with him by phone, he submitted
  it, and the determination has mixed results (her son, 10, likely Medical Assistance; Maria, her husband and
  their daughter, 20, a plan with a premium tax credit). Her broker then chose the second-lowest-cost silver
  plan for the three of them, taking $25 a month less than the whole credit: the enrollment carries his NPN as
  the writing agent;
- Abdi Hassan applied on his own and chose the lowest-cost gold plan himself, with all of his credit;
- the Vue household (Nhia and Pa, vue-household@…): they chose Maria's broker in their account, he applied for
  them, and their application is determined with no plan chosen yet (his dashboard's next step: choose a plan);
- Mai Xiong's application, prepared by her broker and waiting for her to confirm it in her account;
- Karin Johansson's own draft, half done; and a withdrawn one for Jorge Ramírez.

A plan is chosen only in an enrollment period (`applications.periods`): on a day outside the configured open
enrollment for 2027, the demo chooses as on that open enrollment's first day (`_choosing_day`). With no open
enrollment configured for 2027 at all, the applications stay determined and no plan is chosen.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from accounts.models import Role
from applications import answers, services
from applications.models import Application, ApplicationStatus
from applications.periods import NoEnrollmentPeriod, enrollment_period, open_enrollment
from associations.builders import associate
from associations.models import Association, AssociationStatus
from clients import services as client_services
from clients.models import Client
from core.models import County, Language
from plans import selectors as plan_selectors
from plans import services as plan_services
from plans.models import Catalog, MetalLevel, Plan

from .staff import demo_email, demo_user

SAMPLES = Path(plan_services.__file__).resolve().parent / "data" / "sample"
YEAR = 2027
LESS_CREDIT = Decimal("25.00")  # what Maria chose not to take each month, of the credit she may take


def _born(age: int) -> str:
    return date(YEAR - age - 1, 6, 15).isoformat()


def _catalogs() -> None:
    for folder in sorted(p for p in SAMPLES.iterdir() if p.is_dir() and p.name.isdigit()):
        if not Catalog.objects.filter(year=int(folder.name)).exists():
            plan_services.catalog_import(folder=folder)


def _client(local: str) -> Client:
    return Client.objects.select_related("user").get(user__email=demo_email(local))


def _broker_of(client: Client) -> Association:
    return Association.objects.select_related("assister__user").get(
        client=client, kind="broker", status=AssociationStatus.ACTIVE
    )


def _answers(household: list[dict], income: str):
    def update(data: dict) -> None:
        data["address"].update(street="45 Wabasha St N", city="Saint Paul", zip_code="55102", county_fips="27123")
        applicant = {**data["members"][0], **household[0]}
        data["members"] = [answers.new_member(**applicant), *[answers.new_member(**m) for m in household[1:]]]
        for member in data["members"]:
            member["citizenship"] = member["citizenship"] or "citizen"
            member["other_coverage"] = member["other_coverage"] or "none"
        data["members"][0]["dependents"] = [m["key"] for m in data["members"] if m["relationship"] == "child"]
        data["members"][0]["incomes"] = [
            {"key": answers.new_key(), "kind": "wages", "amount": income, "frequency": "yearly"}
        ]
        data["income_confirmed"] = True

    return update


def _apply(
    client: Client,
    household: list[dict],
    income: str,
    *,
    association: Association | None = None,
    note="",
    year: int = YEAR,
):
    """Start, fill and submit the client's application for `year`: by their assister through `association` (after
    reviewing it with them by phone), or by the client themself."""
    actor = association.assister.user if association else client.user
    application = services.application_start(client=client, coverage_year=year, actor=actor, association=association)
    application = services.application_save(
        application=application,
        version=application.version,
        what="address",
        update=_answers(household, income),
        actor=actor,
        association=association,
    )
    if association is not None:
        services.application_record_review(
            application=application,
            version=application.version,
            method="phone",
            reviewed_on=timezone.localdate(),
            attestations_explained=True,
            note=note,
            actor=actor,
            association=association,
        )
    return services.application_submit(
        application=application,
        version=application.version,
        attestations=dict.fromkeys(services.ATTESTATIONS, True),
        signed_name=actor.get_full_name() if association else client.full_name,
        actor=actor,
        association=association,
    )


def _choosing_day() -> date | None:
    """The day the demo chooses plans on: today inside an enrollment period for YEAR; otherwise the first day of the
    configured open enrollment for YEAR, so `seed_demo` works on any date; None when none is configured."""
    try:
        enrollment_period(YEAR)
    except NoEnrollmentPeriod:
        window = open_enrollment(YEAR)
        return window[0] if window else None
    return timezone.localdate()


def _area_plans(application: Application, metal_level: str) -> list[Plan]:
    """The plans of the application's area and year at this metal level, lowest premium first."""
    return [
        plan
        for plan in plan_selectors.plans_in_area(year=YEAR, rating_area_id=application.rating_area_id)
        if plan.metal_level == metal_level
    ]


def _enroll(application: Application, plan: Plan, *, credit, association: Association | None = None) -> None:
    """Choose `plan` for the application (once: nothing when it already has an enrollment or is not determined)."""
    application.refresh_from_db()
    day = _choosing_day()
    if application.status != ApplicationStatus.DETERMINED or application.enrollments.exists() or day is None:
        return
    services.enrollment_select(
        application=application,
        version=application.version,
        plan_id=plan.plan_id,
        credit=credit,
        actor=association.assister.user if association else application.client.user,
        association=association,
        today=day,
    )


def _maria() -> None:
    maria = _client("consumer")
    association = _broker_of(maria)
    application = Application.objects.filter(client=maria, coverage_year=YEAR).first()
    if application is None:
        household = [
            {"files_taxes": True, "filing_status": "married_joint", "sex": "female", "date_of_birth": "1988-03-14"},
            {
                "first_name": "Luis",
                "last_name": "Lopez",
                "relationship": "spouse",
                "date_of_birth": _born(40),
                "files_taxes": True,
                "filing_status": "married_joint",
                "sex": "male",
            },
            {"first_name": "Sofia", "last_name": "Lopez", "relationship": "child", "date_of_birth": _born(20)},
            {"first_name": "Mateo", "last_name": "Lopez", "relationship": "child", "date_of_birth": _born(10)},
        ]
        application = _apply(
            maria,
            household,
            "70000",
            association=association,
            note="Sample record: reviewed every answer with Maria by phone.",
        )
    # The benchmark plan (second-lowest-cost silver), with all but $25 a month of the credit.
    plan = _area_plans(application, MetalLevel.SILVER)[1]
    credit = max(application.determination.max_monthly_credit - LESS_CREDIT, Decimal("0.00"))
    _enroll(application, plan, credit=credit, association=association)


def _abdi() -> None:
    abdi = _client("all-three")
    application = Application.objects.filter(client=abdi, coverage_year=YEAR).first()
    if application is None:
        household = [{"files_taxes": True, "filing_status": "single", "sex": "male"}]
        application = _apply(abdi, household, "41000")
    _enroll(application, _area_plans(application, MetalLevel.GOLD)[0], credit=None)


def _vue() -> None:
    """A household that chose Maria's broker in their account and had him apply for them: determined, no plan
    chosen yet."""
    broker = _broker_of(_client("consumer")).assister
    email = demo_email("vue-household")
    user = demo_user(email, Role.CONSUMER, "Nhia", "Vue")
    client = Client.objects.filter(user=user).first()
    if client is None:
        client = client_services.client_create_for_self(
            user=user,
            fields={
                "first_name": "Nhia",
                "last_name": "Vue",
                "date_of_birth": date.fromisoformat(_born(58)),
                "email": email,
                "ssn": "555-06-1968",
                "county": County.objects.get(name="Ramsey"),
                "preferred_language": Language.objects.get(code="hmn"),
                "city": "Saint Paul",
                "zip_code": "55102",
            },
        )
        associate(client, broker)
    if Application.objects.filter(client=client, coverage_year=YEAR).exists():
        return
    association = Association.objects.select_related("assister__user").get(
        client=client, assister=broker, status=AssociationStatus.ACTIVE
    )
    household = [
        {"files_taxes": True, "filing_status": "married_joint", "sex": "male"},
        {
            "first_name": "Pa",
            "last_name": "Vue",
            "relationship": "spouse",
            "date_of_birth": _born(56),
            "files_taxes": True,
            "filing_status": "married_joint",
            "sex": "female",
        },
    ]
    _apply(
        client,
        household,
        "52000",
        association=association,
        note="Sample record: reviewed every answer with Nhia and Pa by phone.",
    )


def seed() -> list[tuple[str, str]]:
    """Build the demo applications and plans; the logins worth printing (the one household added here)."""
    _catalogs()
    if YEAR not in settings.APPLICATION_COVERAGE_YEARS:
        return []
    _maria()
    _abdi()
    _vue()
    mai = _client("two-assisters")
    if not Application.objects.filter(client=mai).exists():
        association = _broker_of(mai)
        broker = association.assister.user
        application = services.application_start(client=mai, coverage_year=YEAR, actor=broker, association=association)
        application = services.application_save(
            application=application,
            version=application.version,
            what="address",
            update=_answers([{"files_taxes": True, "filing_status": "single"}], "41000"),
            actor=broker,
            association=association,
        )
        services.application_request_review(application=application, actor=broker, association=association)
    karin = _client("pending-request")
    if not Application.objects.filter(client=karin).exists():
        services.application_start(client=karin, coverage_year=YEAR, actor=karin.user)
    jorge = _client("rescinded")
    if not Application.objects.filter(client=jorge).exists():
        application = services.application_start(client=jorge, coverage_year=YEAR, actor=jorge.user)
        services.application_withdraw(
            application=application, version=application.version, actor=jorge.user, reason="Found coverage at work."
        )
    return [("Consumer: Nhia Vue (no plan chosen yet)", demo_email("vue-household"))]
