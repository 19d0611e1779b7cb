"""The project's URLs plus a download view as an app would write one (the access check is the app's; this has none)."""

from django.shortcuts import get_object_or_404
from django.urls import path

from assister_portal.lib.uploads import quarantined_file_response
from assister_portal.urls import urlpatterns as project_urlpatterns

from .models import Specimen


def specimen_download(request, pk: int):
    return quarantined_file_response(get_object_or_404(Specimen, pk=pk))


urlpatterns = [path("specimens/<int:pk>/download/", specimen_download, name="specimen-download"), *project_urlpatterns]
