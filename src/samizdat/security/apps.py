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
        checks.register(production_settings_check, checks.Tags.security, deploy=True)


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


def production_settings_check(app_configs, **kwargs):
    """What Django's deploy checks would say if they recognised our SecurityMiddleware (they
    skip HSTS and the HTTPS redirect when it appears only as a subclass), and what they never
    check: a wildcard host, and mail written to the log (commenters' addresses and their
    confirmation links, in a file anyone with the server can read)."""
    from django.conf import settings
    from django.core import checks

    warnings = []
    if not settings.SECURE_HSTS_SECONDS:
        warnings.append(checks.Warning(
            "SAMIZDAT_HSTS_SECONDS is 0: browsers are not told to use HTTPS only, so a "
            "reader's first request can be intercepted.", id="samizdat.W002",
            hint="Leave SAMIZDAT_HSTS_SECONDS unset (a year) in production."))
    if not settings.SECURE_SSL_REDIRECT:
        warnings.append(checks.Warning(
            "SAMIZDAT_SSL_REDIRECT is off: plain HTTP requests are answered, not sent to HTTPS.",
            id="samizdat.W003",
            hint="Leave it on; nginx redirecting too does no harm."))
    if "*" in settings.ALLOWED_HOSTS:
        warnings.append(checks.Warning(
            "SAMIZDAT_ALLOWED_HOSTS contains '*': the site answers for any host name, and "
            "links built from the Host header can point anywhere.", id="samizdat.W004",
            hint="List the site's host names (the onion address is added by itself)."))
    if settings.EMAIL_BACKEND in ("django.core.mail.backends.console.EmailBackend",
                                  "django.core.mail.backends.filebased.EmailBackend"):
        warnings.append(checks.Warning(
            "Email is written to the log or a file, not sent: commenters' addresses and "
            "their confirmation links end up there.", id="samizdat.W005",
            hint="Set SAMIZDAT_EMAIL_URL to the mail server (smtp+tls://…)."))
    return warnings


class SamizdatAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with a site that lets in only staff who passed a second factor."""

    default = False  # named explicitly in INSTALLED_APPS, in place of django.contrib.admin
    default_site = "samizdat.security.admin_site.SamizdatAdminSite"
