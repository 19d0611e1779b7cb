from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("my/notices/", views.inbox, name="inbox"),
    path("my/notices/<uuid:public_id>/", views.detail, name="detail"),
    path("my/notices/<uuid:public_id>/pdf/", views.pdf, name="pdf"),
]
