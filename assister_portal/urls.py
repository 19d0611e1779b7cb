from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import include, path
from django.views.generic import RedirectView

from applications import urls as application_urls
from associations import assister_urls
from core.views import favicon, healthz

# Error pages that never read the request body again (see core.views).
handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

admin.site.site_header = "MNsure Assister Portal — exchange staff"
admin.site.site_title = "Assister Portal admin"
admin.site.index_title = "Administration"


class AdminLoginRedirect(RedirectView):
    """Staff sign in through the portal's login (same lockout, same MFA), never the admin's own form."""

    pattern_name = "account_login"
    query_string = True

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_staff:
            raise PermissionDenied  # signed in, but not staff: no redirect loop through the login page
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("", include("core.urls")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("certification.urls")),
    # The `clients` namespace: the assister's side of clients works on associations (DESIGN §2); the dashboard,
    # which shows each client's application too, is applications' view.
    path("", include((assister_urls.urlpatterns + application_urls.client_patterns, "clients"))),
    path("", include("applications.urls")),
    path("", include("changes.urls")),
    path("", include("verifications.urls")),
    path("", include("worklist.urls")),
    path("", include("associations.urls")),
    path("", include("notices.urls")),
    path("directory/", include("directory.urls")),
    path("admin/login/", AdminLoginRedirect.as_view(), name="admin_login_redirect"),
    path("admin/", admin.site.urls),
]
