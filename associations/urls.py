from django.urls import path

from . import views

app_name = "associations"
urlpatterns = [
    path("my/profile/", views.profile, name="profile"),
    path("my/assisters/", views.my_assisters, name="my_assisters"),
    path("my/assisters/choose/", views.choose, name="choose"),
    path("my/assisters/<uuid:public_id>/confirm/", views.confirm, name="confirm"),
    path("my/assisters/<uuid:public_id>/powers/", views.change_powers, name="change_powers"),
    path("my/assisters/<uuid:public_id>/end/", views.end, name="end"),
    path("my/activity/", views.who_viewed, name="who_viewed"),
    path("associations/end/<str:token>/", views.end_by_link, name="end_by_link"),
]
