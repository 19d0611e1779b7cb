from django.db import models

from assister_portal.lib.uploads import QuarantinedFile


class Specimen(QuarantinedFile):
    """What a consent's evidence or a verification document looks like: the file plus the app's own fields."""

    note = models.CharField(max_length=100, blank=True)
