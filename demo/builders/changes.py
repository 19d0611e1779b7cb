"""Demo change reports (issue 15), one at each step, made through `changes.services` as the portal makes them, with
dates counted back from the day of the seeding:
- the Vue household moved from Saint Paul (rating area 8) to Duluth (St. Louis County, rating area 2) a week ago:
  their broker reported it, and the demo's exchange staff member processed it, so their 2027 application has a new
  revision and a new determination, and the move into another rating area opened a special enrollment period
  (they still have no plan chosen: the next step on the broker's dashboard stays "choose a plan");
- Abdi Hassan's daughter Hodan was born four days ago: he reported it and staff processed it, so she is on his
  application, determined again (a household of two on his income: Abdi screened for MinnesotaCare, Hodan for
  Medical Assistance), and the birth's special enrollment period, from her birthday, is open; the plan he chose
  stays, and its premium tax credit follows the new determination: $0 from the first of next month;
- Maria Lopez reported that her income went up: staff are reviewing it (not processed, so her determination and
  the plan her broker chose are unchanged);
- Mai Xiong's broker reported that she got coverage through a new job: staff asked a question and wait for the
  answer (to Mai, and to the broker who reported it).

Each is made once: a client who already has a report of that event is left as they are. A household without the
2027 application a report needs (the year not offered; determined or enrolled, for all but Mai's) gets none.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from applications import selectors as application_selectors
from applications.models import Application, ApplicationStatus
from applications.periods import coverage_start
from associations.models import Association, AssociationStatus
from changes import services
from changes.kinds import Event
from changes.models import ChangeReport
from clients.models import Client

from .applications import YEAR
from .staff import demo_email, staff


def _client(local: str) -> Client:
    return Client.objects.select_related("user").get(user__email=demo_email(local))


def _application(client: Client, *, submitted: bool = True) -> Application | None:
    """The client's 2027 application a change applies to (determined or enrolled when `submitted`), or None."""
    application = application_selectors.current_application(client)
    if application is None or application.coverage_year != YEAR:
        return None
    if submitted and application.status not in (ApplicationStatus.DETERMINED, ApplicationStatus.ENROLLED):
        return None
    return application


def _broker_of(client: Client) -> Association:
    return Association.objects.select_related("assister__user").get(
        client=client, kind="broker", status=AssociationStatus.ACTIVE
    )


def _applicant(application: Application) -> str:
    return application.data["members"][0]["key"]


def _reported(client: Client, event: str) -> bool:
    return ChangeReport.objects.filter(client=client, event=event).exists()


def _vue_moved(reviewer: User) -> None:
    vue = _client("vue-household")
    if _reported(vue, Event.MOVED) or _application(vue) is None:
        return
    association = _broker_of(vue)
    report = services.change_report_submit(
        client=vue,
        event=Event.MOVED,
        effective_date=timezone.localdate() - timedelta(days=7),
        details={
            "street": "310 E Superior St",
            "city": "Duluth",
            "zip_code": "55802",
            "note": "Sample record: Nhia told me by phone; they moved to be near Pa's sister.",
        },
        actor=association.assister.user,
        association=association,
    )
    services.change_report_process(report=report, actor=reviewer, note="Sample record: the new lease was checked.")


def _abdi_birth(reviewer: User) -> None:
    abdi = _client("all-three")
    if _reported(abdi, Event.BIRTH) or _application(abdi) is None:
        return
    # Four days ago, but never after the day the 2027 rules count ages on (in December 2027 that is December 1): a
    # baby born after it could not be on the application yet.
    born = min(timezone.localdate() - timedelta(days=4), coverage_start(YEAR) - timedelta(days=1))
    report = services.change_report_submit(
        client=abdi,
        event=Event.BIRTH,
        effective_date=born,
        details={
            "first_name": "Hodan",
            "last_name": "Hassan",
            "date_of_birth": born.isoformat(),
            "relationship": "child",
            "citizenship": "citizen",
        },
        actor=abdi.user,
    )
    services.change_report_process(
        report=report, actor=reviewer, note="Sample record: Hodan is added to your application."
    )


def _maria_income(reviewer: User) -> None:
    maria = _client("consumer")
    application = _application(maria)
    if _reported(maria, Event.INCOME_CHANGED) or application is None:
        return
    report = services.change_report_submit(
        client=maria,
        event=Event.INCOME_CHANGED,
        effective_date=timezone.localdate() - timedelta(days=10),
        details={
            "member": _applicant(application),
            "income_kind": "wages",
            "amount": "76000.00",
            "frequency": "yearly",
            "note": "Sample record: a raise at work.",
        },
        actor=maria.user,
    )
    services.change_report_review(report=report, actor=reviewer)


def _mai_coverage(reviewer: User) -> None:
    mai = _client("two-assisters")
    application = _application(mai, submitted=False)
    if _reported(mai, Event.GAINED_COVERAGE) or application is None:
        return
    association = _broker_of(mai)
    report = services.change_report_submit(
        client=mai,
        event=Event.GAINED_COVERAGE,
        effective_date=timezone.localdate() - timedelta(days=3),
        details={"member": _applicant(application), "coverage": "job", "note": "Sample record: a new job."},
        actor=association.assister.user,
        association=association,
    )
    services.change_report_ask(
        report=report,
        question="Sample record: when does the job's health plan start, and what would Mai pay for it each month "
        "for herself only?",
        actor=reviewer,
    )


def seed() -> None:
    """Build the demo change reports (none of them adds a login)."""
    reviewer = staff()
    _vue_moved(reviewer)
    _abdi_birth(reviewer)
    _maria_income(reviewer)
    _mai_coverage(reviewer)
