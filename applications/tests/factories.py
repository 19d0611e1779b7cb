"""Applications built the way the portal builds them: started and saved through the services."""

from datetime import date

from applications import answers, services
from applications.models import Application


def fill(application: Application, *, actor, association=None, household=None, income="36000") -> Application:
    """Answer every step: by default a single adult (the client) filing single with `income` a year in wages.

    `household` is a list of dicts of member fields (the applicant first) to use instead."""

    def update(data):
        data["address"].update(street="100 Main St", city="Minneapolis", zip_code="55401", county_fips="27053")
        if household:
            data["members"] = [
                answers.new_member(**{**data["members"][0], **household[0]}),
                *[answers.new_member(**fields) for fields in household[1:]],
            ]
        for member in data["members"]:
            member.setdefault("citizenship", "citizen")
            member["citizenship"] = member["citizenship"] or "citizen"
            member["other_coverage"] = member["other_coverage"] or "none"
        applicant = data["members"][0]
        if not household:
            applicant.update(files_taxes=True, filing_status="single")
            applicant["incomes"] = [
                {"key": answers.new_key(), "kind": "wages", "amount": income, "frequency": "yearly"}
            ]
        data["income_confirmed"] = True

    return services.application_save(
        application=application,
        version=application.version,
        what="address",
        update=update,
        actor=actor,
        association=association,
    )


def started(client, *, actor=None, year: int = 2027, association=None) -> Application:
    return services.application_start(
        client=client, coverage_year=year, actor=actor or client.user, association=association
    )


def born(age: int, on: date | None = None) -> str:
    """An ISO date of birth for someone `age` on January 1, 2027 (the coverage start of a 2027 application made
    before then)."""
    on = on or date(2027, 1, 1)
    return date(on.year - age - 1, 6, 15).isoformat()


def submitted(application: Application, actor=None) -> Application:
    """Sign (with the client's name) and submit an application, as the client by default: the determination runs."""
    return services.application_submit(
        application=application,
        version=application.version,
        attestations=dict.fromkeys(services.ATTESTATIONS, True),
        signed_name=application.client.full_name,
        actor=actor or application.client.user,
    )


def determined(client, *, income: str = "36000", household=None) -> Application:
    """The client's own 2027 application, filled and submitted by them (a single adult with `income` by default)."""
    return submitted(fill(started(client), actor=client.user, income=income, household=household))
