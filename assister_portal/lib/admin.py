"""Shared admin pieces: the read-only mixin, and changelists whose URL filters can never be a server error.

Django turns most bad filter values into its "?e=1" page (IncorrectLookupParameters), but not all:
the date hierarchy builds `datetime(year, …)` and adds a day, a month or a year to it outside its
own `try`, so `?at__year=99999999999999999999` (OverflowError) or `?at__year=9999` (year 10000 is
out of range, ValueError) was a 500; and a list filter of ours that lets an odd value through
(`"²".isdigit()` is True) raises ValueError from its queryset. Every such error means the URL asked
for something that cannot exist, so it gets Django's own answer for a bad filter: a redirect to the
list with "?e=1". (A NUL byte never gets this far: RequestGuardMiddleware answers 400.)
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class ReadOnlyMixin:
    """Staff browse; nobody adds, changes or deletes a row from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ForgivingChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_queryset(self, request, exclude_parameters=None):
        try:
            return super().get_queryset(request, exclude_parameters)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class ForgivingChangeListMixin:
    """For every ModelAdmin of ours: bad filter values in the URL give Django's "?e=1" page, not a 500."""

    def get_changelist(self, request, **kwargs):
        return ForgivingChangeList
