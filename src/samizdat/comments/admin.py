"""Moderation: the queue (with each comment's context on one screen), bans and rules."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from samizdat.newsroom.admin import AuditedAdmin

from . import services
from .models import Ban, Comment, ModerationSettings, Status

QUEUE_SIZE = 25
HISTORY = 5
ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM}


def _may_moderate(request) -> bool:
    return request.user.has_perm("comments.moderate_comment")


class ReportedFilter(admin.SimpleListFilter):
    title = gettext_lazy("reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", _("Reported"))]

    def queryset(self, request, queryset):
        return queryset.filter(reports__gt=0) if self.value() == "yes" else queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "name", "article_link", "status", "held_for", "reports",
                    "created_at"]
    list_filter = ["status", "article__edition", ReportedFilter]
    search_fields = ["name", "body"]
    list_select_related = ["article__edition"]
    show_full_result_count = False
    date_hierarchy = "created_at"
    readonly_fields = ["article", "parent", "name", "body", "status", "held_for", "reports",
                       "created_at", "moderated_at", "moderated_by", "email_confirmed"]
    fields = readonly_fields
    actions = ["approve", "reject", "spam", "ban"]

    def has_add_permission(self, request):
        return False  # comments come from readers

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not _may_moderate(request):
            for name in ("approve", "reject", "spam", "ban"):
                actions.pop(name, None)
        return actions

    @admin.display(description=gettext_lazy("comment"))
    def excerpt(self, obj):
        return obj.body[:100]

    @admin.display(description=gettext_lazy("article"))
    def article_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.article.get_absolute_url(),
                           obj.article.headline[:60])

    def _moderate(self, request, comments, status):
        done = services.moderate(comments, status, request.user)
        self.message_user(request, ngettext("%(n)d comment changed.",
                                            "%(n)d comments changed.", done) % {"n": done},
                          messages.SUCCESS)

    def _ban(self, request, comments):
        count = services.ban(comments, request.user, days=7)
        self.message_user(request, ngettext("%(n)d commenter banned.",
                                            "%(n)d commenters banned.", count) % {"n": count},
                          messages.SUCCESS)

    @admin.action(description=gettext_lazy("Approve: publish"))
    def approve(self, request, queryset):
        self._moderate(request, list(queryset.select_related("article__edition")),
                       Status.APPROVED)

    @admin.action(description=gettext_lazy("Reject"))
    def reject(self, request, queryset):
        self._moderate(request, list(queryset.select_related("article__edition")),
                       Status.REJECTED)

    @admin.action(description=gettext_lazy("Mark as spam"))
    def spam(self, request, queryset):
        self._moderate(request, list(queryset.select_related("article__edition")),
                       Status.SPAM)

    @admin.action(description=gettext_lazy("Ban the writers for a week (and hide all "
                                           "their comments)"))
    def ban(self, request, queryset):
        self._ban(request, list(queryset))

    # --- The queue ----------------------------------------------------------------------

    def get_urls(self):
        return [path("queue/", self.admin_site.admin_view(self.queue_view),
                     name="comments_comment_queue"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "queue_url": reverse("admin:comments_comment_queue")}
        return super().changelist_view(request, extra_context)

    def queue_view(self, request):
        """Waiting and reported comments, each with its article, the comment it answers
        and the writer's other recent comments; keyboard: j/k to move, a/r/s to act."""
        if not _may_moderate(request):
            raise PermissionDenied
        if request.method == "POST":
            chosen = request.POST.getlist("comment")
            action = request.POST.get("action", "")
            if ":" in request.POST.get("single", ""):  # one item's own button
                action, one = request.POST["single"].split(":", 1)
                chosen = [one]
            picked = list(Comment.objects.filter(pk__in=chosen[:200])
                          .select_related("article__edition"))
            if action in ACTIONS:
                self._moderate(request, picked, ACTIONS[action])
            elif action == "ban":
                self._ban(request, picked)
            return HttpResponseRedirect(request.get_full_path())
        waiting = list(
            Comment.objects.filter(Q(status=Status.PENDING)
                                   | Q(status=Status.APPROVED, reports__gt=0))
            .select_related("article__edition", "parent")
            .order_by("-reports", "id")[:QUEUE_SIZE])
        clients = {c.client for c in waiting}
        history = {}
        if clients:
            for other in (Comment.objects.filter(client__in=clients).order_by("-id")
                          .only("id", "client", "body", "status", "created_at")[:500]):
                history.setdefault(other.client, []).append(other)
        items = [{"comment": c, "history": [h for h in history.get(c.client, [])
                                            if h.pk != c.pk][:HISTORY]} for c in waiting]
        return TemplateResponse(request, "admin/comments/queue.html", {
            **self.admin_site.each_context(request), "title": _("Moderation queue"),
            "items": items, "opts": self.model._meta,
            "total": Comment.objects.filter(status=Status.PENDING).count(),
        })


@admin.register(Ban)
class BanAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["__str__", "reason", "until", "created_by", "created_at"]
    readonly_fields = ["client", "name", "created_by", "created_at"]
    fields = ["client", "name", "reason", "until", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False  # bans are made from comments, where the client is known


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(AuditedAdmin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ModerationSettings.objects.exists()

    def changelist_view(self, request, extra_context=None):
        existing = ModerationSettings.objects.first()
        if existing is None:
            existing = ModerationSettings.objects.create()
        return HttpResponseRedirect(
            reverse("admin:comments_moderationsettings_change", args=[existing.pk]))
