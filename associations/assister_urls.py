"""The assister's side of clients, under the `clients` namespace its URLs have always had (`clients:detail`, …;
`clients:dashboard` is applications' view, put in the namespace by the project's URL conf).

One URL module per namespace: claiming an account is clients' own view (`clients.views.claim`), routed here so
that `clients:claim` resolves from the same namespace.
"""

from django.urls import path

from clients import views as client_views

from . import assister_views as views

app_name = "clients"
urlpatterns = [
    path("clients/requests/", views.request_list, name="requests"),
    path("clients/requests/<uuid:public_id>/consent/", views.record_consent, name="record_consent"),
    path("clients/find/", views.find, name="find"),
    path("clients/new/", views.create_on_behalf, name="create_on_behalf"),
    path("clients/associations/<uuid:public_id>/release/", views.release, name="release"),
    path("clients/<uuid:public_id>/", views.detail, name="detail"),
    path("clients/<uuid:public_id>/notices/", views.notices, name="notices"),
    path("clients/<uuid:public_id>/notices/<uuid:notice_id>/", views.notice_detail, name="notice"),
    path("clients/<uuid:public_id>/notices/<uuid:notice_id>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("claim/<str:token>/", client_views.claim, name="claim"),
]
