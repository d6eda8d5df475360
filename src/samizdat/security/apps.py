"""Staff security: the admin behind a second factor, sign-in lockout, sessions, headers."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    default = True
    name = "samizdat.security"
    verbose_name = _("Security")

    def ready(self):
        from . import signals  # noqa: F401


class SamizdatAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with a site that lets in only staff who passed a second factor."""

    default = False  # named explicitly in INSTALLED_APPS, in place of django.contrib.admin
    default_site = "samizdat.security.admin_site.SamizdatAdminSite"
