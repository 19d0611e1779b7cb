from django.urls import path

from . import views

app_name = "certification"
urlpatterns = [
    path("agencies/register/", views.agency_register, name="agency_register"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("agency/", views.agency_home, name="agency_home"),
    path("agency/registration/", views.agency_registration_edit, name="agency_registration_edit"),
    path("agency/listing/", views.agency_profile_edit, name="agency_profile_edit"),
    path("agency/renew/", views.agency_renew, name="agency_renew"),
    path("agency/invitations/", views.invitation_create, name="invitation_create"),
    path("agency/invitations/<uuid:public_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path("agency/invitations/<uuid:public_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("agency/members/<uuid:public_id>/remove/", views.member_remove, name="member_remove"),
    path("certification/", views.my_certification, name="my_certification"),
    path("certification/application/", views.application_edit, name="application_edit"),
    path("certification/application/submit/", views.application_submit, name="application_submit"),
    path("certification/application/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("certification/renew/", views.renewal_start, name="renewal_start"),
    path("certification/apply-again/", views.apply_again, name="apply_again"),
    path("certification/listing/", views.assister_profile_edit, name="assister_profile_edit"),
]
