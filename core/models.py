"""Reference data shared by every app: Minnesota's counties and the languages assisters offer."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class County(models.Model):
    fips = models.CharField(max_length=5, unique=True)
    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    code = models.CharField(max_length=8, unique=True, help_text="ISO 639 code")
    english_name = models.CharField(max_length=60)
    autonym = models.CharField(max_length=60, help_text="The language's name in itself")

    class Meta:
        ordering = ["english_name"]

    def __str__(self) -> str:
        if self.autonym == self.english_name:
            return self.english_name
        return f"{self.english_name} ({self.autonym})"
