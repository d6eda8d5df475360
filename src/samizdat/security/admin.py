"""Administrators manage staff accounts: sign out everywhere, reset a second factor, unlock."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from samizdat.newsroom.admin import AuditedAdmin

from . import services

User = get_user_model()


class StaffUserAdmin(AuditedAdmin, UserAdmin):
    """Role (group) and permission changes are audited like every other admin change."""

    actions = ["sign_out_everywhere", "reset_second_factor", "unlock_sign_in"]
    list_display = [*UserAdmin.list_display, "last_login"]

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            # Django's own form: set, and the member's other sessions are void (their
            # session hash no longer matches); the audit log says who did it.
            services.audit(request.user, "password set by administrator",
                           User.objects.get(pk=id))
        return response

    def _apply(self, request, queryset, action, message):
        for user in queryset:
            action(user, request.user)
        count = len(queryset)
        self.message_user(request, message(count) % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Sign out everywhere"), permissions=["change"])
    def sign_out_everywhere(self, request, queryset):
        self._apply(request, queryset, services.sign_out_everywhere, lambda n: ngettext(
            "%(count)d account signed out everywhere.",
            "%(count)d accounts signed out everywhere.", n))

    @admin.action(description=_("Reset two-factor sign-in (enrol again)"),
                  permissions=["change"])
    def reset_second_factor(self, request, queryset):
        self._apply(request, queryset, services.reset_second_factor, lambda n: ngettext(
            "%(count)d account must enrol a second factor again.",
            "%(count)d accounts must enrol a second factor again.", n))

    @admin.action(description=_("Unlock sign-in"), permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        self._apply(request, queryset, services.unlock, lambda n: ngettext(
            "%(count)d account unlocked.", "%(count)d accounts unlocked.", n))


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)

# Authenticator secrets stay out of the admin: a reset is the only thing anyone needs.
for _model in ("otp_totp.TOTPDevice", "otp_static.StaticDevice"):
    from django.apps import apps

    _cls = apps.get_model(_model)
    if admin.site.is_registered(_cls):
        admin.site.unregister(_cls)
