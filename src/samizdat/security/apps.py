"""Staff security: the admin behind a second factor, sign-in lockout, sessions, headers."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    default = True
    name = "samizdat.security"
    verbose_name = _("Security")

    def ready(self):
        from django.core import checks

        from . import signals  # noqa: F401

        checks.register(security_middleware_check, checks.Tags.security, deploy=True)


SECURITY_MIDDLEWARE = "samizdat.security.middleware.OnionAwareSecurityMiddleware"


def security_middleware_check(app_configs, **kwargs):
    """Django's own check (security.W001, silenced in settings) looks for its middleware by
    name; ours is that middleware with the onion host exempt from the HTTPS redirect."""
    from django.conf import settings
    from django.core import checks

    if SECURITY_MIDDLEWARE in settings.MIDDLEWARE:
        return []
    return [checks.Warning(f"{SECURITY_MIDDLEWARE} is not in MIDDLEWARE: no HSTS, HTTPS "
                           "redirect, nosniff or referrer policy.", id="samizdat.W001")]


class SamizdatAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with a site that lets in only staff who passed a second factor."""

    default = False  # named explicitly in INSTALLED_APPS, in place of django.contrib.admin
    default_site = "samizdat.security.admin_site.SamizdatAdminSite"
