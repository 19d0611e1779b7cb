"""Template helpers of the application pages and the determination notice."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext_lazy as _

from applications import answers, eligibility
from applications.models import ApplicationStatus
from plans.models import MetalLevel

register = template.Library()

PROGRAMS = {
    "medical_assistance": _("Likely eligible for Medical Assistance: referred to the county"),
    "minnesotacare": _("Likely eligible for MinnesotaCare: referred to the Minnesota Department of Human Services"),
    "qhp_with_credit": _("A health plan through MNsure, with a premium tax credit"),
    "qhp": _("A health plan through MNsure, without a premium tax credit"),
    "not_eligible": _("Not eligible for a plan through MNsure"),
    "not_applying": _("Not asking for coverage"),
}
PROGRAMS_SHORT = {
    "medical_assistance": _("Medical Assistance"),
    "minnesotacare": _("MinnesotaCare"),
    "qhp_with_credit": _("Plan with tax credit"),
    "qhp": _("Plan, no tax credit"),
    "not_eligible": _("Not eligible"),
    "not_applying": _("Not applying"),
}
CSR = {
    "94": _("Extra savings on silver plans (94% actuarial value)"),
    "87": _("Extra savings on silver plans (87% actuarial value)"),
    "73": _("Extra savings on silver plans (73% actuarial value)"),
    "zero": _("No cost sharing (American Indian or Alaska Native)"),
    "limited": _("Limited cost sharing (American Indian or Alaska Native)"),
}
WHAT = {
    "started": _("Started"),
    "address": _("Where you live"),
    "members": _("Household"),
    "member": _("A person added or changed"),
    "member_removed": _("A person removed"),
    "tax": _("Tax filing"),
    "status": _("Citizenship, immigration and other facts"),
    "income": _("Income"),
    "income_removed": _("An income removed"),
    "coverage": _("Other health coverage"),
    "submitted": _("Signed and submitted"),
    "reopened": _("Opened for changes"),
    "withdrawn": _("Withdrawn"),
    "plan_chosen": _("A plan chosen"),
    "coverage_ended": _("Coverage ended"),
    "credit_changed": _("The plan's credit changed with a new determination"),
    "change_address": _("A reported change processed: address"),
    "change_income": _("A reported change processed: income"),
    "change_household": _("A reported change processed: household"),
    "change_coverage": _("A reported change processed: other coverage"),
    "change_incarceration": _("A reported change processed: jail or prison"),
    "change_immigration": _("A reported change processed: citizenship or immigration status"),
    "change_tribal": _("A reported change processed: tribal membership"),
    "verification_expired": _("Documents not received by the due date: the data sources' information is used"),
    "renewal_prepared": _("Prepared by MNsure for renewal, from last year's application"),
    "renewed": _("Renewed by MNsure when open enrollment ended"),
}


@register.filter
def money(value) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return "—"
    return f"${amount:,.2f}"


@register.simple_tag
def program_label(code) -> str:
    return str(PROGRAMS.get(str(code), code))


@register.simple_tag
def programs_label(codes: str) -> str:
    return ", ".join(str(PROGRAMS_SHORT.get(code, code)) for code in (codes or "").split(",") if code) or "—"


@register.simple_tag
def csr_label(code) -> str:
    return str(CSR.get(str(code), code))


@register.simple_tag
def member_relationship(member: dict) -> str:
    return str(dict(answers.Relationship.choices).get(member.get("relationship"), ""))


@register.simple_tag
def income_line(income: dict) -> str:
    kind = dict(answers.IncomeKind.choices).get(income.get("kind"), "")
    frequency = dict(answers.Frequency.choices).get(income.get("frequency"), "")
    return f"{kind}: {money(income.get('amount'))} — {str(frequency).lower()}"


@register.simple_tag
def revision_what(code: str) -> str:
    return str(WHAT.get(code, code))


NEXT_STEPS = {
    "start": _("Start an application"),
    "finish": _("Finish and submit the application"),
    "wait": _("Wait for the results"),
    "documents": _("Send the documents asked for"),
    "choose_plan": _("Choose a plan"),
    "none": _("Nothing to do"),
}


@register.simple_tag
def status_label(code) -> str:
    return str(dict(ApplicationStatus.choices).get(code, code or ""))


@register.simple_tag
def next_step_label(code) -> str:
    return str(NEXT_STEPS.get(code, ""))


@register.simple_tag
def reason_text(reason: dict) -> str:
    """A reason stored with a determination (`{"code", "params"}`), as a sentence in the active language."""
    try:
        return eligibility.Reason(reason["code"], reason.get("params") or {}).text()
    except (KeyError, TypeError, ValueError):
        return ""


@register.simple_tag
def metal_label(code) -> str:
    return str(dict(MetalLevel.choices).get(str(code), code))


@register.filter
def iso_date(value):
    """A date kept as ISO text in a notice's body, as a date for the `date` filter (None when it is not one)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@register.filter
def first_names(members) -> str:
    """ "Ana", "Ana and Luis", "Ana, Luis and Sofía" from members with a first_name (objects or dicts)."""
    names = [m["first_name"] if isinstance(m, dict) else m.first_name for m in members]
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}
