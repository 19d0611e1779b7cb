from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.admin import ForgivingChangeListMixin

from .models import User
from .services import user_deactivate


@admin.register(User)
class UserAdmin(ForgivingChangeListMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "role", "is_active", "is_staff", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "is_active"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "role"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})]
    actions = ["deactivate"]

    @admin.action(description=_("Deactivate the selected accounts (ends their sessions)"))
    def deactivate(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True):
            user_deactivate(user=user, actor=request.user, request=request)
            count += 1
        self.message_user(request, _("%(count)d account(s) deactivated.") % {"count": count}, messages.SUCCESS)
