import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from associations import services
from associations.permissions_sync import permission_ids
from associations.tests.factories import ask_to_help, associate
from certification import services as certification_services
from certification.models import AgencyMembership, AssisterKind, MembershipRole
from certification.tests.factories import invite_and_accept, make_agency, make_assister, staff_user
from clients.models import ClientGroupObjectPermission, ClientUserObjectPermission
from clients.tests.factories import make_client


def no_drift():
    call_command("check_permissions")  # raises CommandError on drift
    return True


@pytest.mark.django_db
def test_no_drift_after_every_service(django_capture_on_commit_callbacks):
    agency = make_agency()
    support = invite_and_accept(agency, role=MembershipRole.SUPPORT)
    broker = make_assister(AssisterKind.BROKER, agency=agency)
    navigator = make_assister(AssisterKind.NAVIGATOR)
    client = make_client()
    association = associate(client, broker)
    assert no_drift()
    services.association_change_powers(
        association=association, powers=["view_client", "upload_for_client"], actor=client.user
    )
    assert no_drift()
    associate(client, navigator)
    assert no_drift()
    requested = ask_to_help(client, make_assister(AssisterKind.BROKER), actor=broker.user)
    services.association_confirm(association=requested, powers=["view_client"], actor=client.user)  # replaces broker
    assert no_drift()
    nav_cert = navigator.certifications.get()
    for action in ("suspend", "reinstate", "decertify"):
        certification_services.certification_decide(
            certification=nav_cert, action=action, actor=staff_user(), reason="x"
        )
        assert no_drift()
    certification_services.membership_end(
        membership=AgencyMembership.objects.get(user=support), actor=agency.admin_user
    )
    assert no_drift()
    services.association_end(association=requested, actor=client.user, reason="rescinded")
    assert no_drift()


@pytest.mark.django_db
@pytest.mark.parametrize("plant", ["extra_user_row", "missing_user_row", "extra_group_row", "extra_group_member"])
def test_a_planted_drift_is_found(plant, capsys):
    agency = make_agency()
    broker = make_assister(AssisterKind.BROKER, agency=agency)
    client = make_client()
    associate(client, broker, powers=["view_client"])
    outsider = make_assister(AssisterKind.BROKER)
    ids = permission_ids()
    if plant == "extra_user_row":
        ClientUserObjectPermission.objects.create(
            user=outsider.user, content_object=client, permission_id=ids["select_plan_for_client"]
        )
    elif plant == "missing_user_row":
        ClientUserObjectPermission.objects.filter(user=broker.user).delete()
    elif plant == "extra_group_row":
        group = Group.objects.get(name=f"agency:{agency.pk}:admin")
        ClientGroupObjectPermission.objects.create(
            group=group, content_object=client, permission_id=ids["apply_for_client"]
        )
    else:
        Group.objects.get(name=f"agency:{agency.pk}:admin").user_set.add(outsider.user)
    with pytest.raises(CommandError, match="difference"):
        call_command("check_permissions")
    output = capsys.readouterr().out
    assert ("extra" if plant != "missing_user_row" else "missing") in output
