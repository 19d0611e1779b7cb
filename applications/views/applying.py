"""Applying for coverage, by the consumer or on their behalf (issue 12): one set of pages for both.

Every page reaches the application through `access_application` (the consumer themself, or an assister or
agency staff member holding the power on the client: 404 otherwise, audited otherwise); reading needs
`view_client`, changing needs `apply_for_client`. Every write is a service call. Forms work without
JavaScript; htmx only adds a member or an income without a full reload.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from guardian.core import ObjectPermissionChecker

from accounts.models import Role
from assister_portal.lib.forms import apply_service_errors
from associations.permissions import access_client
from clients.permissions import own_client
from plans import selectors as plan_selectors

from .. import answers, selectors, services
from ..forms import (
    AddressForm,
    ConfirmForm,
    IncomeForm,
    MemberCoverageForm,
    MemberForm,
    MemberStatusForm,
    MemberTaxForm,
    RecordReviewForm,
    StartForm,
    SubmitForm,
    VersionForm,
    WithdrawForm,
)
from ..models import ApplicationStatus, Renewal, ReviewStatus
from ..periods import coverage_start, open_enrollment
from ..permissions import access_application

APPLY = "apply_for_client"
FIX_THE_FORM = gettext_lazy("Some answers need fixing: the first one to fix has the focus.")
PER_MEMBER_FORMS = {"tax": MemberTaxForm, "status": MemberStatusForm, "coverage": MemberCoverageForm}


def _context(request, application, association, **extra) -> dict:
    own = association is None
    powers = set() if own else set(ObjectPermissionChecker(request.user).get_perms(application.client))
    may_apply = own or APPLY in powers
    return {
        "application": application,
        "client": application.client,
        "association": association,
        "own": own,
        "may_apply": may_apply,
        "may_select": own or "select_plan_for_client" in powers,
        "steps": [(step, step.done(application.data)) for step in answers.STEPS],
        "back_url": reverse("applications:mine")
        if own
        else reverse("clients:detail", args=[application.client.public_id]),
        "back_label": _("My applications") if own else _("%(name)s’s page") % {"name": application.client.full_name},
        **extra,
    }


def _changed(view):
    """Views that change an application: reached with `apply_for_client`; a service refusal shows as a message
    on the application's page."""

    @wraps(view)
    def wrapper(request, public_id, *args, **kwargs):
        application, association = access_application(
            request.user, public_id, APPLY, request=request, what=f"application: {view.__name__.replace('_', ' ')}"
        )
        return view(request, application, association, *args, **kwargs)

    return wrapper


def _save(request, application, association, *, version: int, what: str, update) -> None:
    """Save an answer through the service, as the signed-in person, relying on the association they reached it by."""
    services.application_save(
        application=application,
        version=version,
        what=what,
        update=update,
        actor=request.user,
        association=association,
        request=request,
    )


def _rebase(form, application) -> None:
    """After "changed elsewhere": the page shows what was typed again, now against the application's current
    version, so saving it once more is a deliberate choice rather than the same refusal."""
    application.refresh_from_db()
    form.data = form.data.copy()
    form.data[form.add_prefix("version")] = application.version


def _refused(request, application, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)
    return redirect("applications:detail", application.public_id)


# --- The consumer's list, starting, the application's page ------------------------------------------------


def profile_first(request, next_page: str):
    """A consumer with no client record yet gives their details first, then comes back to `next_page`."""
    messages.info(request, _("First tell us who you are. Then you can apply for coverage."))
    return redirect(reverse("associations:profile") + "?next=" + reverse(next_page))


@login_required
@require_safe
def mine(request):
    """My applications: each year's status and determination, a review waiting, and starting one."""
    client = own_client(request.user)
    if client is None:
        return profile_first(request, "applications:mine")
    applications = selectors.client_applications(client)
    return render(
        request,
        "applications/mine.html",
        {
            "client": client,
            "applications": applications,
            "pending_reviews": selectors.pending_reviews(client),
            "start_form": StartForm(),
            "open_years": selectors.years_open(client, applications),
            "own": True,
            "may_apply": True,
        },
    )


@login_required
@require_safe
def for_client(request, client_id):
    """A client's applications, for their assister or agency staff (status only without `apply_for_client`)."""
    client, association = access_client(request.user, client_id, request=request, what="viewed applications")
    applications = selectors.client_applications(client)
    return render(
        request,
        "applications/mine.html",
        {
            "client": client,
            "applications": applications,
            "pending_reviews": selectors.pending_reviews(client) if association is None else [],
            "start_form": StartForm(),
            "open_years": selectors.years_open(client, applications),
            "own": association is None,
            "may_apply": association is None or APPLY in ObjectPermissionChecker(request.user).get_perms(client),
        },
    )


@login_required
@require_POST
def start(request, client_id):
    client, association = access_client(request.user, client_id, APPLY, request=request, what="started application")
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["coverage_year"][0])
    else:
        try:
            application = services.application_start(
                client=client,
                coverage_year=form.cleaned_data["coverage_year"],
                actor=request.user,
                association=association,
                request=request,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            return redirect("applications:step", application.public_id, answers.STEP_SLUGS[0])
    return redirect(
        "applications:mine" if association is None else "clients:detail",
        *([] if association is None else [client.public_id]),
    )


@login_required
@require_safe
def detail(request, public_id):
    application, association = access_application(request.user, public_id, request=request, what="viewed application")
    renewal = (
        Renewal.objects.filter(application=application)
        .select_related("previous", "current_plan", "next_plan__issuer", "next_plan__catalog")
        .first()
    )
    window = open_enrollment(application.coverage_year)
    return render(
        request,
        "applications/detail.html",
        _context(
            request,
            application,
            association,
            determination=selectors.determination_view(application.determination),
            catalog=plan_selectors.catalog(year=application.coverage_year) if application.determination_id else None,
            review=selectors.latest_review(application),
            confirmed=services.confirmed_review(application) if application.is_open else None,
            problems=answers.problems(application.data, coverage_start=coverage_start(application.coverage_year))
            if application.is_open
            else [],
            renewal=renewal,
            renewal_deadline=window[2] if renewal and window else None,
        ),
    )


# --- The guided form --------------------------------------------------------------------------------------


def _member_forms(step: str, application, data=None) -> list:
    form_class = PER_MEMBER_FORMS[step]
    household = application.data["members"]
    forms = []
    for member in household:
        initial = {
            name: member.get(name)
            for name in form_class.base_fields
            if name in member and member.get(name) not in ("", None)
        }
        if "files_taxes" in form_class.base_fields and (member["files_taxes"] or member["filing_status"]):
            initial["files_taxes"] = "yes" if member["files_taxes"] else "no"
        forms.append(form_class(data, prefix=f"m-{member['key']}", initial=initial, member=member, household=household))
    return forms


def _apply_member_forms(forms):
    def update(data: dict) -> None:
        for form in forms:
            member = answers.member_by_key(data, form.member["key"])
            if member is None:
                continue
            for name, value in form.cleaned_data.items():
                member[name] = str(value) if name == "job_offer_monthly_premium" and value is not None else value
                if name == "job_offer_monthly_premium" and value is None:
                    member[name] = ""

    return update


@login_required
@require_http_methods(["GET", "POST"])
def step(request, public_id, slug):
    if slug not in answers.STEP_SLUGS:
        raise Http404
    perm = APPLY if request.method == "POST" else "view_client"
    application, association = access_application(
        request.user, public_id, perm, request=request, what=f"application step {slug}"
    )
    if not application.is_open:
        messages.info(
            request, _("This application was submitted. To change an answer, choose “Change this application”.")
        )
        return redirect("applications:detail", application.public_id)
    post = request.POST if request.method == "POST" else None
    version_form = VersionForm(post, initial={"version": application.version})
    version_ok = post is not None and version_form.is_valid()
    start_day = coverage_start(application.coverage_year)
    extra: dict = {
        "slug": slug,
        "version_form": version_form,
        "step_title": {s.slug: s.title for s in answers.STEPS}[slug],
    }
    update = None
    if slug == "address":
        address = application.data["address"]
        form = AddressForm(post, initial={**address, "version": application.version})
        extra["form"] = form
        if version_ok and form.is_valid():
            place = form.place

            def update(data):
                data["address"].update(
                    street=form.cleaned_data["street"].strip(),
                    city=form.cleaned_data["city"].strip(),
                    zip_code=form.cleaned_data["zip_code"],
                    county_fips=place.county_fips,
                )

    elif slug == "members":
        extra["member_form"] = MemberForm(initial={"version": application.version, "applying": True})
        extra["members"] = application.data["members"]
        if version_ok:
            update = lambda data: None  # noqa: E731  (continue: nothing to save on this page itself)
    elif slug == "income":
        extra["income_form"] = IncomeForm(
            initial={"version": application.version}, household=application.data["members"]
        )
        extra["members"] = [(m, answers.yearly_income(m)) for m in application.data["members"]]
        if version_ok:

            def update(data):
                data["income_confirmed"] = True

    else:
        forms = _member_forms(slug, application, post)
        extra["member_forms"] = forms
        if version_ok and all([f.is_valid() for f in forms]):  # noqa: C419  (validate every form: show all errors)
            update = _apply_member_forms(forms)
    if update is not None:
        try:
            _save(
                request,
                application,
                association,
                version=version_form.cleaned_data["version"],
                what=slug,
                update=update,
            )
        except services.ChangedElsewhere as exc:
            extra["changed_elsewhere"] = exc.messages[0]
            _rebase(version_form, application)
            if "form" in extra:
                _rebase(extra["form"], application)
        except ValidationError as exc:
            return _refused(request, application, exc)
        else:
            following = answers.next_step(slug)
            if following:
                return redirect("applications:step", application.public_id, following)
            return redirect("applications:review", application.public_id)
    elif post is not None and not version_ok:
        extra["changed_elsewhere"] = _("This page was out of date. Check your answers and save again.")
    status = 409 if "changed_elsewhere" in extra else 400 if post is not None else 200
    context = _context(request, application, association, start_day=start_day, **extra)
    return render(request, "applications/step.html", context, status=status if post is not None else 200)


def _focus_first_error(form) -> None:
    """After an htmx swap, keyboard focus goes to the first field to fix (htmx focuses `autofocus`)."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["autofocus"] = True
            return


def _members_partial(request, application, association, *, form, status_message: str):
    """The household list and the "Add a person" form, as htmx swaps them in (with a message for the live
    region, and focus on the field to fix, or on the first field to add someone else)."""
    context = _context(
        request,
        application,
        association,
        slug="members",
        members=application.data["members"],
        member_form=form,
        status_message=status_message,
    )
    return render(request, "applications/step.html#members", context)


def _member_saved(request, application, association, message: str):
    messages.success(request, message)
    if request.htmx:
        application.refresh_from_db()
        form = MemberForm(initial={"version": application.version, "applying": True})
        form.fields["first_name"].widget.attrs["autofocus"] = True
        return _members_partial(request, application, association, form=form, status_message=message)
    return redirect("applications:step", application.public_id, "members")


@login_required
@require_http_methods(["GET", "POST"])
@_changed
def member_edit(request, application, association, key=None):
    """Add a person (no key) or change one; the applicant's own relationship stays "self"."""
    member = answers.member_by_key(application.data, key) if key else None
    if key and member is None:
        raise Http404
    is_self = bool(member and member["relationship"] == answers.Relationship.SELF)
    initial = {**(member or {"applying": True}), "version": application.version}
    post = request.POST if request.method == "POST" else None
    form = MemberForm(post, initial=initial, is_self=is_self, coverage_start=coverage_start(application.coverage_year))
    if post is not None and form.is_valid():
        fields = {**form.cleaned_data, "date_of_birth": form.cleaned_data["date_of_birth"].isoformat()}
        fields.pop("version")
        if is_self:
            fields["relationship"] = answers.Relationship.SELF

        def update(data):
            if member is None:
                if len(data["members"]) >= answers.MAX_MEMBERS:
                    raise ValidationError(
                        _("A household on one application has at most %(n)s people.") % {"n": answers.MAX_MEMBERS}
                    )
                data["members"].append(answers.new_member(**fields))
                data["income_confirmed"] = False  # the new person's income is still to be asked
            else:
                current = answers.member_by_key(data, key)
                if current is None:
                    raise ValidationError(_("That person is no longer in the household."))
                current.update(fields)

        try:
            _save(request, application, association, version=form.cleaned_data["version"], what="member", update=update)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if isinstance(exc, services.ChangedElsewhere):
                _rebase(form, application)
        else:
            name = f"{fields['first_name']} {fields['last_name']}"
            return _member_saved(request, application, association, _("%(name)s is saved.") % {"name": name})
    if post is not None:
        _focus_first_error(form)
    if request.htmx and post is not None and member is None:
        return _members_partial(request, application, association, form=form, status_message=FIX_THE_FORM)
    context = _context(request, application, association, form=form, member=member)
    return render(request, "applications/member.html", context, status=400 if post is not None else 200)


@login_required
@require_POST
@_changed
def member_remove(request, application, association, key):
    member = answers.member_by_key(application.data, key)
    if member is None:
        raise Http404
    form = VersionForm(request.POST)
    if member["relationship"] == answers.Relationship.SELF:
        messages.error(request, _("The person applying stays on the application. To stop, withdraw the application."))
    elif form.is_valid():

        def update(data):
            data["members"] = [m for m in data["members"] if m["key"] != key]
            data["income_confirmed"] = False
            for other in data["members"]:
                other["dependents"] = [k for k in other["dependents"] if k != key]

        try:
            _save(
                request,
                application,
                association,
                version=form.cleaned_data["version"],
                what="member_removed",
                update=update,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(name)s was removed.") % {"name": answers.member_name(member)})
    return redirect("applications:step", application.public_id, "members")


@login_required
@require_POST
@_changed
def income_add(request, application, association):
    form = IncomeForm(request.POST, household=application.data["members"])
    status_message = ""
    if form.is_valid():
        income = {
            "key": answers.new_key(),
            "kind": form.cleaned_data["kind"],
            "amount": str(form.cleaned_data["amount"]),
            "frequency": form.cleaned_data["frequency"],
        }
        key = form.cleaned_data["member"]

        def update(data):
            member = answers.member_by_key(data, key)
            if member is None:
                raise ValidationError({"member": _("That person is no longer in the household.")})
            if len(member["incomes"]) >= answers.MAX_INCOMES:
                raise ValidationError({"member": _("Add at most %(n)s incomes a person.") % {"n": answers.MAX_INCOMES}})
            member["incomes"].append(income)
            data["income_confirmed"] = False  # "the income is complete" is said again on the income page

        try:
            _save(request, application, association, version=form.cleaned_data["version"], what="income", update=update)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if isinstance(exc, services.ChangedElsewhere):
                _rebase(form, application)
        else:
            messages.success(request, _("The income is saved."))
            if not request.htmx:
                return redirect("applications:step", application.public_id, "income")
            application.refresh_from_db()
            form = IncomeForm(initial={"version": application.version}, household=application.data["members"])
            form.fields["member"].widget.attrs["autofocus"] = True
            status_message = _("The income is saved.")
    if form.errors:
        _focus_first_error(form)
        status_message = FIX_THE_FORM
    context = _context(
        request,
        application,
        association,
        slug="income",
        step_title=answers.STEPS[answers.STEP_SLUGS.index("income")].title,
        income_form=form,
        members=[(m, answers.yearly_income(m)) for m in application.data["members"]],
        version_form=VersionForm(initial={"version": application.version}),
        status_message=status_message,
    )
    if request.htmx:
        return render(request, "applications/step.html#incomes", context)
    return render(request, "applications/step.html", context, status=400)


@login_required
@require_POST
@_changed
def income_remove(request, application, association, key):
    form = VersionForm(request.POST)
    if form.is_valid():

        def update(data):
            for member in data["members"]:
                member["incomes"] = [i for i in member["incomes"] if i["key"] != key]
            data["income_confirmed"] = False

        try:
            _save(
                request,
                application,
                association,
                version=form.cleaned_data["version"],
                what="income_removed",
                update=update,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    return redirect("applications:step", application.public_id, "income")


# --- Check your answers, confirm, submit ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review(request, public_id):
    perm = APPLY if request.method == "POST" else "view_client"
    application, association = access_application(
        request.user, public_id, perm, request=request, what="checked application answers"
    )
    if not application.is_open:
        return redirect("applications:detail", application.public_id)
    post = request.POST if request.method == "POST" else None
    form = SubmitForm(
        post, initial={"version": application.version}, signer=services.signer_name(application, request.user)
    )
    if post is not None and form.is_valid():
        try:
            services.application_submit(
                application=application,
                version=form.cleaned_data["version"],
                attestations={name: form.cleaned_data[name] for name in services.ATTESTATIONS},
                signed_name=form.cleaned_data["signed_name"],
                actor=request.user,
                association=association,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if isinstance(exc, services.ChangedElsewhere):
                _rebase(form, application)
        else:
            messages.success(
                request, _("The application is submitted. The eligibility results are below and in a notice.")
            )
            return redirect("applications:detail", application.public_id)
    start_day = coverage_start(application.coverage_year)
    return render(
        request,
        "applications/review.html",
        _context(
            request,
            application,
            association,
            form=form,
            summary=selectors.summary(application),
            problems=answers.problems(application.data, coverage_start=start_day),
            confirmed=services.confirmed_review(application),
            review=selectors.latest_review(application),
            record_form=RecordReviewForm(initial={"version": application.version, "reviewed_on": timezone.localdate()}),
        ),
        status=400 if post is not None else 200,
    )


@login_required
@require_POST
@_changed
def request_review(request, application, association):
    if association is None:
        raise Http404  # the consumer confirms in their account; asking is the assister's step
    try:
        services.application_request_review(
            application=application, actor=request.user, association=association, request=request
        )
    except ValidationError as exc:
        return _refused(request, application, exc)
    messages.success(
        request,
        _("%(name)s was sent a notice asking them to review and confirm the application in their account.")
        % {"name": application.client.full_name},
    )
    return redirect("applications:review", application.public_id)


@login_required
@require_http_methods(["GET", "POST"])
@_changed
def record_review(request, application, association):
    if association is None:
        raise Http404  # recording a review held with the consumer is the assister's step
    post = request.POST if request.method == "POST" else None
    form = RecordReviewForm(post, initial={"version": application.version, "reviewed_on": timezone.localdate()})
    if post is not None and form.is_valid():
        try:
            services.application_record_review(
                application=application,
                version=form.cleaned_data["version"],
                method=form.cleaned_data["method"],
                reviewed_on=form.cleaned_data["reviewed_on"],
                attestations_explained=form.cleaned_data["attestations_explained"],
                note=form.cleaned_data["note"],
                actor=request.user,
                association=association,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if isinstance(exc, services.ChangedElsewhere):
                _rebase(form, application)
        else:
            messages.success(request, _("The review is recorded. You can submit the application now."))
            return redirect("applications:review", application.public_id)
    return render(
        request,
        "applications/record_review.html",
        _context(request, application, association, form=form),
        status=400 if post is not None else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request, public_id):
    """The consumer answers their assister's request to confirm the application (their own record only)."""
    if request.user.role != Role.CONSUMER:
        raise Http404
    application, association = access_application(request.user, public_id, request=request, what="confirm")
    if association is not None:
        raise Http404
    pending = application.reviews.filter(status=ReviewStatus.PENDING).select_related("assister_user").first()
    post = request.POST if request.method == "POST" and pending is not None else None
    form = ConfirmForm(post, initial={"review": pending.public_id if pending else None})
    if post is not None and form.is_valid():
        answered = application.reviews.filter(public_id=form.cleaned_data["review"]).first()
        try:
            if answered is None:
                raise ValidationError(
                    _("This request to confirm was replaced by a later change: open the application again.")
                )
            services.application_answer_review(
                review=answered, confirmed=form.cleaned_data["answer"] == "confirm", actor=request.user, request=request
            )
        except ValidationError as exc:
            return _refused(request, application, exc)
        if form.cleaned_data["answer"] == "confirm":
            messages.success(request, _("Thank you. Your assister can now submit the application."))
        else:
            messages.info(request, _("Your assister will see that you asked for changes. Contact them to say what."))
        return redirect("applications:detail", application.public_id)
    return render(
        request,
        "applications/confirm.html",
        _context(request, application, None, form=form, pending=pending, summary=selectors.summary(application)),
        status=400 if post is not None else 200,
    )


# --- History, change, withdraw ----------------------------------------------------------------------------


@login_required
@require_safe
def history(request, public_id):
    application, association = access_application(
        request.user, public_id, request=request, what="viewed application history"
    )
    revisions = selectors.revisions(application)
    numbers = [r.number for r in revisions]
    compare = selectors.compare(application, request.GET.get("from"), request.GET.get("to"), numbers)
    return render(
        request,
        "applications/history.html",
        _context(
            request,
            application,
            association,
            revisions=revisions,
            compare=compare,
            events=selectors.events(application),
        ),
    )


@login_required
@require_POST
@_changed
def change(request, application, association):
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ChangedElsewhere(_("This page was out of date. Check your answers and save again."))
        services.application_change(
            application=application,
            version=form.cleaned_data["version"],
            actor=request.user,
            association=association,
            request=request,
        )
    except ValidationError as exc:
        return _refused(request, application, exc)
    messages.info(
        request,
        _(
            "You can change the answers now. The eligibility results stay as they are until you submit the application again."
        ),
    )
    return redirect("applications:review", application.public_id)


@login_required
@require_http_methods(["GET", "POST"])
@_changed
def withdraw(request, application, association):
    if application.status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.ENROLLED):
        messages.info(request, _("This application cannot be withdrawn here."))
        return redirect("applications:detail", application.public_id)
    post = request.POST if request.method == "POST" else None
    form = WithdrawForm(post, initial={"version": application.version})
    if post is not None and form.is_valid():
        try:
            services.application_withdraw(
                application=application,
                version=form.cleaned_data["version"],
                actor=request.user,
                association=association,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            return _refused(request, application, exc)
        messages.success(request, _("The application is withdrawn."))
        return redirect("applications:detail", application.public_id)
    return render(
        request,
        "applications/withdraw.html",
        _context(request, application, association, form=form),
        status=400 if post is not None else 200,
    )
