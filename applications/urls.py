from django.urls import path

from . import dashboard
from .views import applying as views
from .views import enrolling

app_name = "applications"
urlpatterns = [
    path("applications/", views.mine, name="mine"),
    path("clients/<uuid:client_id>/applications/", views.for_client, name="for_client"),
    path("applications/start/<uuid:client_id>/", views.start, name="start"),
    path("applications/<uuid:public_id>/", views.detail, name="detail"),
    path("applications/<uuid:public_id>/step/<slug:slug>/", views.step, name="step"),
    path("applications/<uuid:public_id>/members/add/", views.member_edit, name="member_add"),
    path("applications/<uuid:public_id>/members/<slug:key>/", views.member_edit, name="member_edit"),
    path("applications/<uuid:public_id>/members/<slug:key>/remove/", views.member_remove, name="member_remove"),
    path("applications/<uuid:public_id>/income/add/", views.income_add, name="income_add"),
    path("applications/<uuid:public_id>/income/<slug:key>/remove/", views.income_remove, name="income_remove"),
    path("applications/<uuid:public_id>/review/", views.review, name="review"),
    path("applications/<uuid:public_id>/review/request/", views.request_review, name="request_review"),
    path("applications/<uuid:public_id>/review/record/", views.record_review, name="record_review"),
    path("applications/<uuid:public_id>/confirm/", views.confirm, name="confirm"),
    path("applications/<uuid:public_id>/history/", views.history, name="history"),
    path("applications/<uuid:public_id>/change/", views.change, name="change"),
    path("applications/<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
]

# The assister's dashboard keeps its `clients:dashboard` name: the project's URL conf puts these patterns in
# the `clients` namespace with the association pages (assister_portal/urls.py).
client_patterns = [path("clients/", dashboard.dashboard, name="dashboard")]

urlpatterns += [
    path("applications/<uuid:public_id>/plans/", enrolling.plans, name="plans"),
    path("applications/<uuid:public_id>/plans/compare/", enrolling.compare, name="compare"),
    path("applications/<uuid:public_id>/plans/<str:plan_id>/choose/", enrolling.choose, name="choose"),
    path("coverage/", enrolling.coverage, name="coverage"),
    path("coverage/<uuid:public_id>/end/", enrolling.terminate, name="terminate"),
    path("coverage/<uuid:public_id>/did-not-ask/", enrolling.dispute, name="dispute"),
    path("agency/enrollments/", enrolling.agency_enrollments, name="agency_enrollments"),
]
