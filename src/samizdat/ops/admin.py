"""The admin's view of backups: every run, and above them the last one and the next."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy

from samizdat.newsroom.admin import ReadOnlyAdmin

from . import schedule
from .models import BackupRun


def backup_summary() -> dict:
    """The last finished backup (good or failed), one under way, the last good one's time,
    and when the schedule starts the next (None: no schedule)."""
    runs = BackupRun.objects.order_by("-created_at", "-id")
    return {
        "last": runs.filter(finished_at__isnull=False).order_by("-finished_at").first(),
        "under_way": runs.filter(result__in=[BackupRun.Result.WAITING,
                                             BackupRun.Result.RUNNING]).first(),
        "last_ok": (runs.filter(result=BackupRun.Result.OK).order_by("-finished_at")
                    .values_list("finished_at", flat=True).first()),
        "scheduled": schedule.scheduled(),
        "next_run": schedule.next_run(),
    }


@admin.register(BackupRun)
class BackupRunAdmin(ReadOnlyAdmin):
    """Read only: runs are recorded by `samizdat backup` and the worker, never edited."""

    list_display = ["created_at", "result", "finished_at", "size_shown", "target", "archive",
                    "message", "how", "host"]
    list_filter = ["result"]
    show_full_result_count = False
    change_list_template = "admin/ops/backuprun/change_list.html"

    @admin.display(description=gettext_lazy("size"), ordering="size")
    def size_shown(self, obj):
        return filesizeformat(obj.size) if obj.size is not None else "-"

    @admin.display(description=gettext_lazy("made"))
    def how(self, obj):
        return gettext_lazy("by the schedule") if obj.slot else gettext_lazy("by hand")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "backups": backup_summary()}
        return super().changelist_view(request, extra_context)
