from allauth.account.internal.flows.signup import prevent_enumeration
from allauth.account.utils import complete_signup, perform_login
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from assister_portal.lib.forms import apply_service_errors

from . import selectors, services
from .forms import (
    AgencyAdminAccountForm,
    AgencyProfileForm,
    AgencyRegistrationForm,
    AgreementForm,
    ApplicationForm,
    DirectoryProfileForm,
    InvitationAcceptForm,
    InvitationForm,
)
from .models import CertificationEvent, CertificationStatus, MembershipRole
from .periods import renewal_opens_for, today
from .permissions import access_invitation, access_membership, access_own_assister, agency_admin_required
from .requirements import requirements

# --- Agency registration (public) ------------------------------------------------


@sensitive_post_parameters("agency-fein", "account-admin_password")
@require_http_methods(["GET", "POST"])
def agency_register(request):
    if request.user.is_authenticated:
        messages.info(request, _("You are signed in. Sign out first to register a new agency with another account."))
        return redirect("core:home")
    if request.method == "POST":
        # The same per-IP limit as allauth's sign-up: the form tells whether an email has an account.
        limited = ratelimit.consume_or_429(request, action="signup")
        if limited:
            return limited
    agency_form = AgencyRegistrationForm(request.POST or None, prefix="agency")
    account_form = AgencyAdminAccountForm(request.POST or None, prefix="account")
    if request.method == "POST" and agency_form.is_valid() and account_form.is_valid():
        try:
            agency = services.agency_register(
                agency_fields=agency_form.cleaned_data,
                request=request,
                **account_form.cleaned_data,
            )
        except ValidationError as exc:
            apply_service_errors(agency_form, exc)
        else:
            messages.success(
                request,
                _("Your agency is registered and waiting for MNsure's review. Confirm your email to continue."),
            )
            if agency is None:
                # The email already has an account: allauth's own enumeration-proof answer, the same pages as a
                # new account, and it emails the address's owner that someone tried.
                return prevent_enumeration(request, email=account_form.cleaned_data["admin_email"])
            admin = agency.memberships.get().user
            return complete_signup(
                request, admin, settings.ACCOUNT_EMAIL_VERIFICATION, reverse("certification:agency_home")
            )
    return render(
        request, "certification/agency_register.html", {"agency_form": agency_form, "account_form": account_form}
    )


# --- Agency administration -------------------------------------------------------


def _agency_can_renew(agency, latest, approved) -> bool:
    """Renewal from August 1 before the period ends, or a new review after a lapse or a denial."""
    if latest is None or latest.status in (*selectors.OPEN_STATUSES, CertificationStatus.DECERTIFIED):
        return False
    if approved:
        return today() >= renewal_opens_for(latest.valid_until)
    return latest.status in (CertificationStatus.EXPIRED, CertificationStatus.DENIED, CertificationStatus.WITHDRAWN)


def _agency_home(request, agency, invite_form=None, status=200):
    certification = selectors.latest_certification(agency=agency)
    approved = selectors.agency_is_approved(agency)
    members = selectors.roster(agency)
    if invite_form is None and approved:
        invite_form = InvitationForm(agency=agency)
    return render(
        request,
        "certification/agency_home.html",
        {
            "agency": agency,
            "certification": certification,
            "events": certification.events.select_related("actor") if certification else [],
            "approved": approved,
            "can_renew": _agency_can_renew(agency, certification, approved),
            "members": members,
            "invitations": selectors.pending_invitations(agency),
            "invite_form": invite_form,
            "listing": selectors.agency_listing(agency) if approved else None,
        },
        status=status,
    )


@login_required
@agency_admin_required
def agency_home(request, membership):
    return _agency_home(request, membership.agency)


@sensitive_post_parameters("agency-fein")
@login_required
@agency_admin_required
@require_http_methods(["GET", "POST"])
def agency_registration_edit(request, membership):
    agency = membership.agency
    form = AgencyRegistrationForm(request.POST or None, instance=agency, prefix="agency")
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(agency=agency, actor=request.user, fields=form.cleaned_data, request=request)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            certification = selectors.open_certification(agency=agency)
            if certification is not None and certification.status == CertificationStatus.INFO_REQUESTED:
                services.certification_submit(certification=certification, actor=request.user, request=request)
                messages.success(request, _("Your registration was updated and sent back to MNsure for review."))
            else:
                messages.success(request, _("Your registration was updated."))
            return redirect("certification:agency_home")
    return render(request, "certification/agency_registration_edit.html", {"form": form, "agency": agency})


@login_required
@agency_admin_required
@require_POST
def agency_renew(request, membership):
    try:
        services.agency_renew(agency=membership.agency, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your agency's registration was sent to MNsure for review."))
    return redirect("certification:agency_home")


@login_required
@agency_admin_required
@require_http_methods(["GET", "POST"])
def agency_profile_edit(request, membership):
    agency = membership.agency
    if not selectors.agency_is_approved(agency):
        messages.warning(request, _("Your directory listing can be set up once MNsure approves your agency."))
        return redirect("certification:agency_home")
    form = AgencyProfileForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        services.agency_update(agency=agency, actor=request.user, fields=form.cleaned_data, request=request)
        messages.success(request, _("Your directory listing was saved."))
        return redirect("certification:agency_home")
    return render(request, "certification/profile_edit.html", {"form": form, "heading": _("Agency directory listing")})


@login_required
@agency_admin_required
@require_POST
def invitation_create(request, membership):
    agency = membership.agency
    if not selectors.agency_is_approved(agency):
        messages.error(request, _("Your agency must be approved by MNsure before you can invite anyone."))
        return redirect("certification:agency_home")
    form = InvitationForm(request.POST, agency=agency)
    status = 400
    if form.is_valid():
        try:
            services.invitation_create(agency=agency, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if getattr(exc, "code", None) == "rate_limited":
                status = 429
        else:
            # The same answer whether or not the address has an account (see services.invitation_create).
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("certification:agency_home")
    return _agency_home(request, agency, invite_form=form, status=status)


@login_required
@require_POST
def invitation_resend(request, public_id):
    invitation = access_invitation(request.user, public_id)
    try:
        services.invitation_resend(invitation=invitation, actor=request.user, request=request)
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": invitation.email})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("certification:agency_home")


@login_required
@require_POST
def invitation_revoke(request, public_id):
    invitation = access_invitation(request.user, public_id)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user, request=request)
        messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("certification:agency_home")


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, public_id):
    member = access_membership(request.user, public_id)
    if request.method == "POST":
        try:
            services.membership_end(membership=member, actor=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(email)s was removed from the agency.") % {"email": member.user.email})
        return redirect("certification:agency_home")
    return render(request, "certification/member_remove.html", {"member": member})


# --- Invitation acceptance (public, by link) -----------------------------------


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "certification/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        messages.info(request, _("Sign out first, then open the invitation link again to create the invited account."))
        return redirect("core:home")
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your account is ready. Set up two-step verification to continue."))
            target = "certification:my_certification" if invitation.role == MembershipRole.ASSISTER else "core:home"
            return perform_login(request, user, email_verification="none", redirect_url=reverse(target))
    return render(request, "certification/invitation_accept.html", {"form": form, "invitation": invitation})


# --- The assister's own certification ------------------------------------------------


@login_required
def my_certification(request):
    assister = access_own_assister(request.user)
    certifications = list(assister.certifications.select_related("renews").order_by("-created_at", "-id"))
    latest = certifications[0] if certifications else None
    current = selectors.current_certification(assister=assister)
    events = (
        CertificationEvent.objects.filter(certification__assister=assister)
        .select_related("certification")
        .order_by("-at", "-id")
    )
    can_renew = (
        current is not None
        and today() >= renewal_opens_for(current.valid_until)
        and not any(c.renews_id == current.pk for c in certifications)
    )
    return render(
        request,
        "certification/my_certification.html",
        {
            "assister": assister,
            "latest": latest,
            "current": current,
            "events": events,
            "checklist": requirements(latest) if latest and latest.status in selectors.OPEN_STATUSES else [],
            "editable": latest is not None
            and latest.status in (CertificationStatus.DRAFT, CertificationStatus.INFO_REQUESTED),
            "withdrawable": latest is not None and latest.status in selectors.OPEN_STATUSES,
            "can_renew": can_renew,
            "renewal_opens": renewal_opens_for(current.valid_until) if current else None,
            "can_apply_again": latest is not None
            and latest.status
            in (CertificationStatus.DENIED, CertificationStatus.WITHDRAWN, CertificationStatus.EXPIRED)
            and current is None,
            "may_act": selectors.assister_may_act(request.user),
            "listing": selectors.assister_listing(assister) if current else None,
        },
    )


def _editable_certification(assister):
    certification = selectors.open_certification(assister=assister)
    if certification is None or certification.status not in (
        CertificationStatus.DRAFT,
        CertificationStatus.INFO_REQUESTED,
    ):
        raise Http404
    return certification


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request):
    assister = access_own_assister(request.user)
    certification = _editable_certification(assister)
    form = ApplicationForm(request.POST or None, assister=assister, certification=certification)
    agreement = AgreementForm(
        request.POST or None,
        initial={"typed_name": certification.agreement_signed_name},
        prefix="agreement",
    )
    # Both forms are checked before anything is saved: a signature that cannot be right (too long, a NUL
    # byte, a character nobody can type) is refused with the application, never dropped while it saves.
    if request.method == "POST" and form.is_valid() and agreement.is_valid():
        assister_fields, certification_fields = form.split()
        typed_name = agreement.cleaned_data["typed_name"]
        try:
            with transaction.atomic():
                services.certification_save_application(
                    certification=certification,
                    actor=request.user,
                    request=request,
                    assister_fields=assister_fields,
                    certification_fields=certification_fields,
                )
                if typed_name:
                    services.certification_sign_agreement(
                        certification=certification,
                        actor=request.user,
                        request=request,
                        typed_name=typed_name,
                    )
        except ValidationError as exc:
            target = agreement if hasattr(exc, "error_dict") and "typed_name" in exc.error_dict else form
            apply_service_errors(target, exc)
        else:
            messages.success(request, _("Your application was saved. Check the list below, then submit it."))
            return redirect("certification:my_certification")
    return render(
        request,
        "certification/application_edit.html",
        {
            "form": form,
            "agreement": agreement,
            "certification": certification,
            "assister": assister,
            "agreement_version": settings.ASSISTER_AGREEMENT_VERSION,
            "agreement_template": f"certification/agreement_{assister.kind}.html",
        },
    )


def _assister_action(request, run, success: str):
    """Run one of the assister's own certification services on them; a refusal is shown as a message."""
    assister = access_own_assister(request.user)
    try:
        run(assister)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("certification:my_certification")


def _open_certification(assister):
    certification = selectors.open_certification(assister=assister)
    if certification is None:
        raise Http404
    return certification


@login_required
@require_POST
def application_submit(request):
    return _assister_action(
        request,
        lambda assister: services.certification_submit(
            certification=_open_certification(assister), actor=request.user, request=request
        ),
        _("Your application was submitted. MNsure will email you when it decides."),
    )


@login_required
@require_POST
def application_withdraw(request):
    return _assister_action(
        request,
        lambda assister: services.certification_withdraw(
            certification=_open_certification(assister), actor=request.user, request=request
        ),
        _("Your application was withdrawn."),
    )


@login_required
@require_POST
def renewal_start(request):
    return _assister_action(
        request,
        lambda assister: services.certification_renew(assister=assister, actor=request.user, request=request),
        _("Your renewal is started. Check your answers from last year and submit them."),
    )


@login_required
@require_POST
def apply_again(request):
    return _assister_action(
        request,
        lambda assister: services.certification_apply_again(assister=assister, actor=request.user, request=request),
        _("A new application is started."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def assister_profile_edit(request):
    assister = access_own_assister(request.user)
    form = DirectoryProfileForm(request.POST or None, instance=assister)
    if request.method == "POST" and form.is_valid():
        services.assister_update_profile(
            assister=assister, actor=request.user, fields=form.cleaned_data, request=request
        )
        messages.success(request, _("Your directory listing was saved."))
        return redirect("certification:my_certification")
    return render(request, "certification/profile_edit.html", {"form": form, "heading": _("Your directory listing")})
