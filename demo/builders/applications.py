"""Demo applications and the sample plan catalog behind them (issue 12).

The sample catalogs for 2026 and 2027 (real issuer names, made-up plans and rates) are loaded by the same
importer a real rate filing uses. Then, through the services, as the portal does it:
- Maria Lopez's household of four, applied for by her broker: she reviewed it with him by phone, he submitted
  it, and the determination has mixed results (her son, 10, likely Medical Assistance; Maria, her husband and
  their daughter, 20, a plan with a premium tax credit);
- Mai Xiong's application, prepared by her broker and waiting for her to confirm it in her account;
- Karin Johansson's own draft, half done; and a withdrawn one for Jorge Ramírez.
"""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from applications import answers, services
from applications.models import Application
from associations.models import Association, AssociationStatus
from clients.models import Client
from plans import services as plan_services
from plans.models import Catalog

from .staff import demo_email

SAMPLES = Path(plan_services.__file__).resolve().parent / "data" / "sample"
YEAR = 2027


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


def seed() -> None:
    _catalogs()
    if YEAR not in settings.APPLICATION_COVERAGE_YEARS:
        return
    maria = _client("consumer")
    if not Application.objects.filter(client=maria).exists():
        association = _broker_of(maria)
        broker = association.assister.user
        application = services.application_start(
            client=maria, coverage_year=YEAR, actor=broker, association=association
        )
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
        application = services.application_save(
            application=application,
            version=application.version,
            what="address",
            update=_answers(household, "70000"),
            actor=broker,
            association=association,
        )
        services.application_record_review(
            application=application,
            version=application.version,
            method="phone",
            reviewed_on=timezone.localdate(),
            attestations_explained=True,
            note="Sample record: reviewed every answer with Maria by phone.",
            actor=broker,
            association=association,
        )
        services.application_submit(
            application=application,
            version=application.version,
            attestations=dict.fromkeys(services.ATTESTATIONS, True),
            signed_name=broker.get_full_name(),
            actor=broker,
            association=association,
        )
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
