"""The admin site: a password opens the door to the second factor, and only that opens the admin."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy


def _verified(user) -> bool:
    return bool(getattr(user, "is_verified", None) and user.is_verified())


class SamizdatAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Samizdat newsroom")
    site_title = gettext_lazy("Samizdat")
    index_title = gettext_lazy("Newsroom")
    index_template = "admin/security/dashboard.html"

    def has_permission(self, request):
        return super().has_permission(request) and _verified(request.user)

    def index(self, request, extra_context=None):
        from . import dashboard

        return super().index(request, {"dashboard": dashboard.context(request.user),
                                       **(extra_context or {})})

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not _verified(user):
            return self._to_second_factor(request)
        response = super().login(request, extra_context)
        if (request.method == "POST" and response.status_code == 302
                and request.user.is_authenticated and request.user.is_staff):
            # Signed in by password just now: never verified yet.
            return self._to_second_factor(request)
        return response

    def next_url(self, request) -> str:
        target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return reverse("admin:index", current_app=self.name)

    def _to_second_factor(self, request):
        query = urlencode({REDIRECT_FIELD_NAME: self.next_url(request)})
        return HttpResponseRedirect(
            f"{reverse('admin:second_factor', current_app=self.name)}?{query}"
        )

    def get_urls(self):
        from . import views

        return [
            path("second-factor/", views.second_factor, {"site": self}, name="second_factor"),
            path("second-factor/enrol/", views.enrol, {"site": self},
                 name="second_factor_enrol"),
            path("second-factor/recovery-codes/", self.admin_view(views.recovery_codes),
                 {"site": self}, name="recovery_codes"),
            *super().get_urls(),
        ]
