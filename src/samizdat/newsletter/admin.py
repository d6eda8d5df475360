"""The newsletter in the admin: each edition's settings, the day's digest to arrange, the
mailings, the alert mark in the article form, and the subscribers (never their addresses:
found only by typing one whole address into the search)."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samizdat.newsroom.models import Article, Edition

from . import crypto, services
from .models import ArticleAlert, Digest, DigestItem, EditionNewsletter, Send, Subscriber


def _warn_without_key(request) -> None:
    if not crypto.configured():
        messages.warning(request, _(
            "SAMIZDAT_SUBSCRIBER_KEY is not set, so no edition shows the subscription form "
            "and nothing is sent: subscribers' addresses are stored encrypted with that key, "
            "which is kept in the environment, not on the server's disk. Make one with "
            "`samizdat newsletter_key` (docs/newsletter.md)."))


@admin.register(EditionNewsletter)
class EditionNewsletterAdmin(admin.ModelAdmin):
    list_display = ["edition", "is_active", "send_digest", "digest_hour", "confirmed"]

    @admin.display(description=gettext_lazy("confirmed subscribers"))
    def confirmed(self, obj):
        return Subscriber.objects.filter(edition_id=obj.edition_id,
                                         confirmed_at__isnull=False).count()

    def changelist_view(self, request, extra_context=None):
        _warn_without_key(request)
        for edition in Edition.objects.exclude(newsletter__isnull=False):
            EditionNewsletter.objects.get_or_create(edition=edition)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        _warn_without_key(request)
        return super().change_view(request, object_id, form_url, extra_context)


class DigestItemInline(admin.TabularInline):
    model = DigestItem
    fields = ["position", "included", "article", "published"]
    readonly_fields = ["article", "published"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("published"))
    def published(self, obj):
        return timezone.localtime(obj.article.published_at).strftime("%Y-%m-%d %H:%M") \
            if obj.article.published_at else "—"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.sent_at:
            return self.fields
        return self.readonly_fields


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """Opening the list makes today's digest of each edition, with the day's articles so far;
    the editor changes the order (position) or leaves articles out before its hour."""

    list_display = ["day", "edition", "send_at", "hold", "sent_at", "articles"]
    list_filter = ["edition"]
    fields = ["edition", "day", "send_at", "hold", "sent_at"]
    readonly_fields = ["edition", "day", "send_at", "sent_at"]
    inlines = [DigestItemInline]

    @admin.display(description=gettext_lazy("articles"))
    def articles(self, obj):
        return obj.items.filter(included=True).count()

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.sent_at:
            return [*self.readonly_fields, "hold"]
        return self.readonly_fields

    def changelist_view(self, request, extra_context=None):
        _warn_without_key(request)
        for edition_settings in EditionNewsletter.objects.filter(
                send_digest=True).select_related("edition"):
            services.digest_for(edition_settings.edition)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        digest = Digest.objects.filter(pk=object_id).select_related("edition").first()
        if digest is not None and digest.sent_at is None and request.method == "GET":
            services.digest_for(digest.edition, digest.day)  # articles published since
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from samizdat.newsroom.services import audit

        audit(request.user, "edit-digest", obj, fields=sorted(form.changed_data))


@admin.register(Send)
class SendAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "edition", "article", "recipients", "sent", "failed",
                    "finished_at", "last_error"]
    list_filter = ["kind", "edition"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "edition", "digest", "alerts", "created_at", "confirmed_at",
                    "bounces"]
    list_filter = ["edition", "digest", "alerts", ("confirmed_at", admin.EmptyFieldListFilter)]
    fields = ["edition", "digest", "alerts", "created_at", "confirmed_at", "bounces"]
    readonly_fields = ["edition", "created_at", "confirmed_at"]
    search_fields = ["address_hash"]  # searched by the whole address's keyed hash, below
    search_help_text = gettext_lazy("Type a whole email address: addresses are stored "
                                    "encrypted and found only by their exact spelling.")

    def has_add_permission(self, request):
        return False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if not crypto.configured():
            return queryset.none(), False
        return queryset.filter(address_hash=crypto.lookup_hash(term)), False

    def changelist_view(self, request, extra_context=None):
        _warn_without_key(request)
        return super().changelist_view(request, extra_context)

    def delete_model(self, request, obj):
        from samizdat.newsroom.services import audit

        audit(request.user, "delete-subscriber", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        from samizdat.newsroom.services import audit

        for obj in queryset:
            audit(request.user, "delete-subscriber", obj)
        super().delete_queryset(request, queryset)


class AlertInline(admin.StackedInline):
    """In the article form: "send as an email alert", and what became of it."""

    model = ArticleAlert
    fields = ["send_alert", "state"]
    readonly_fields = ["state"]
    can_delete = False
    max_num = 1
    verbose_name_plural = gettext_lazy("email alert")

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj):
        send = Send.objects.filter(kind=Send.Kind.ALERT, article_id=obj.article_id).first() \
            if obj and obj.pk else None
        if send is None:
            return _("not sent")
        if send.finished_at:
            return _("sent to %(sent)d of %(recipients)d subscribers") % {
                "sent": send.sent, "recipients": send.recipients}
        return _("sending: %(sent)d of %(recipients)d") % {
            "sent": send.sent, "recipients": send.recipients}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and Send.objects.filter(kind=Send.Kind.ALERT, article=obj).exists():
            return ["send_alert", "state"]
        return self.readonly_fields


# The article form is the newsroom's; the alert mark is ours, added to it here.
_article_admin = admin.site.get_model_admin(Article)
_article_admin.inlines = [*_article_admin.inlines, AlertInline]
