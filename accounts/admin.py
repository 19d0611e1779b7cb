from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from assister_portal.lib.admin import ForgivingChangeListMixin

from .models import User
from .services import user_deactivate, user_update


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

    def save_model(self, request, obj, form, change):
        """Nothing is saved here: save_related saves the account with its groups, in one audited service call."""

    def save_related(self, request, form, formsets, change):
        """Through accounts.services.user_update, which writes who changed what, from and to, in the audit trail."""
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        stored = {field.name for field in User._meta.concrete_fields}
        user_update(
            user=form.instance,
            actor=request.user,
            fields={name: value for name, value in changed.items() if name in stored},
            groups=changed.get("groups"),
            permissions=changed.get("user_permissions"),
            request=request,
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Deactivate the selected accounts (ends their sessions)"))
    def deactivate(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True):
            user_deactivate(user=user, actor=request.user, request=request)
            count += 1
        self.message_user(request, _("%(count)d account(s) deactivated.") % {"count": count}, messages.SUCCESS)
