from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from samizdat.newsroom.admin import AuditedAdmin

from .models import Mirror


@admin.register(Mirror)
class MirrorAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "public_url", "is_active", "last_success", "files_sent",
                    "files_deleted", "short_error")
    list_filter = ("kind", "is_active")
    readonly_fields = ("last_attempt", "last_success", "last_error", "files_sent",
                       "files_deleted", "files_kept", "seconds")
    actions = ["sync_now"]

    @admin.display(description=_("last error"))
    def short_error(self, mirror):
        return mirror.last_error[:80]

    @admin.action(description=_("Send the baked copy to the selected mirrors now"))
    def sync_now(self, request, queryset):
        from django.conf import settings

        from .sync import manifest, sync

        source = settings.BAKE_DIR.resolve()  # one version, even if a bake switches meanwhile
        files = manifest(source)
        failed = [m.name for m in queryset if sync(m, source, files) is None]
        done = queryset.count() - len(failed)
        self.message_user(request, ngettext("%(n)d mirror is up to date.",
                                            "%(n)d mirrors are up to date.", done) % {"n": done})
        if failed:
            self.message_user(request, _("Failed: %(names)s (see their last error).")
                              % {"names": ", ".join(failed)}, messages.ERROR)
