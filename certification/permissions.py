"""Access functions for the certification app: one per protected object, "not yours" is a 404."""

from functools import wraps

from django.http import Http404

from .models import AgencyMembership, Assister, Invitation, MembershipRole
from .selectors import active_membership


def admin_membership_or_404(user) -> AgencyMembership:
    """The signed-in user's active admin membership."""
    membership = active_membership(user)
    if membership is None:
        raise Http404
    if membership.role != MembershipRole.ADMIN:
        raise Http404
    return membership


def access_invitation(user, public_id) -> Invitation:
    membership = admin_membership_or_404(user)
    invitation = Invitation.objects.select_related("agency").filter(public_id=public_id).first()
    if invitation is None:
        raise Http404
    if invitation.agency_id != membership.agency_id:
        raise Http404
    return invitation


def access_membership(user, public_id) -> AgencyMembership:
    admin = admin_membership_or_404(user)
    membership = AgencyMembership.objects.select_related("user", "agency").filter(public_id=public_id).first()
    if membership is None:
        raise Http404
    if membership.agency_id != admin.agency_id:
        raise Http404
    if membership.ended_at is not None:
        raise Http404
    return membership


def access_own_assister(user) -> Assister:
    assister = Assister.objects.select_related("agency", "user").filter(user=user).first()
    if assister is None:
        raise Http404
    return assister


def agency_admin_required(view):
    """The view receives the admin's membership as `membership`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, membership=admin_membership_or_404(request.user), **kwargs)

    return wrapper
