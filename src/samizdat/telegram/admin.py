"""The Telegram admin: each edition's channel (the token write-only), each article's choice
and delivery in the article form, and the list of deliveries with their errors."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import services
from .models import Channel, Correction, Post


class ChannelForm(forms.ModelForm):
    token = forms.CharField(
        label=gettext_lazy("bot token"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("From @BotFather. Stored encrypted and never shown again; "
                               "leave empty to keep the stored one (or, with none stored, "
                               "to use SAMIZDAT_TELEGRAM_BOT_TOKEN)."))
    forget_token = forms.BooleanField(
        label=gettext_lazy("forget the stored token"), required=False)

    class Meta:
        model = Channel
        fields = ["edition", "chat_id", "token", "forget_token", "is_active"]

    def save(self, commit=True):
        channel = super().save(commit=False)
        if self.cleaned_data.get("forget_token"):
            services.set_token(channel, "")
        elif self.cleaned_data.get("token"):
            services.set_token(channel, self.cleaned_data["token"])
        if commit:
            channel.save()
        return channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ["edition", "channel_in_use", "token_in_use", "is_active", "last_error"]
    readonly_fields = ["token_in_use", "channel_in_use"]

    def save_model(self, request, obj, form, change):
        from samizdat.newsroom.services import audit

        super().save_model(request, obj, form, change)
        # The field names only: the token itself never reaches the log.
        audit(request.user, "edit" if change else "create", obj,
              fields=sorted(form.changed_data))

    def delete_model(self, request, obj):
        from samizdat.newsroom.services import audit

        audit(request.user, "delete", obj)
        super().delete_model(request, obj)

    @admin.display(description=gettext_lazy("channel in use"))
    def channel_in_use(self, obj):
        from django.conf import settings

        if obj.chat_id:
            return obj.chat_id
        env = settings.TELEGRAM_CHANNELS.get(obj.edition.language)
        return _("%(channel)s (environment)") % {"channel": env} if env else "—"

    @admin.display(description=gettext_lazy("token in use"))
    def token_in_use(self, obj):
        from django.conf import settings

        if obj.token_hint:
            return _("stored, ending in …%(last)s") % {"last": obj.token_hint}
        if settings.TELEGRAM_BOT_TOKEN:
            return _("environment, ending in …%(last)s") % {
                "last": settings.TELEGRAM_BOT_TOKEN[-4:]}
        return _("none")

    @admin.display(description=gettext_lazy("last error"))
    def last_error(self, obj):
        failed = (Post.objects.filter(article__edition_id=obj.edition_id,
                                      state=Post.State.FAILED)
                  .order_by("-error_at").values_list("error", flat=True).first())
        return failed or "—"


class TelegramInline(admin.StackedInline):
    """The article form's Telegram part: post, do not post or post silently; how the
    delivery went; a correction to send as a reply."""

    model = Post
    fk_name = "article"
    can_delete = False
    max_num = 1
    extra = 1
    verbose_name = gettext_lazy("Telegram")
    verbose_name_plural = gettext_lazy("Telegram")
    fields = ["mode", "delivery", "correction"]
    readonly_fields = ["delivery"]

    class form(forms.ModelForm):  # noqa: N801 - Django's name for the inline's form class
        correction = forms.CharField(
            label=gettext_lazy("send a correction"), required=False, max_length=4000,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=gettext_lazy("Sent as a reply to the article's message when you save."))

        user = None

        class Meta:
            model = Post
            fields = ["mode"]

        def save(self, commit=True):
            post = super().save(commit)
            text = self.cleaned_data.get("correction", "").strip()
            if text:
                services.add_correction(post, text, self.user)
            elif "mode" in self.changed_data and post.article.status == "published":
                services.mark_due(post)
            return post

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("TelegramForm", (formset.form,), {"user": request.user})
        return formset

    @admin.display(description=gettext_lazy("delivery"))
    def delivery(self, obj):
        if obj is None or obj.pk is None:
            return _("Not sent yet.")
        return describe(obj)


def describe(post: Post) -> str:
    link = post.get_absolute_url()
    parts = [str(post.get_state_display())]
    if link:
        parts.append(format_html('<a href="{}" rel="noreferrer">{}</a>', link, link))
    elif post.message_id:
        parts.append(_("message %(id)s in %(chat)s") % {"id": post.message_id,
                                                        "chat": post.chat_id})
    if post.state == Post.State.RETRYING and post.due_at:
        parts.append(_("next attempt %(when)s") % {"when": post.due_at.strftime(
            "%Y-%m-%d %H:%M:%S")})
    if post.error:
        parts.append(format_html("<strong>{}</strong>", post.error))
    if post.note:
        parts.append(post.note)
    return format_html("<br>".join("{}" for _part in parts), *parts)


class CorrectionInline(admin.TabularInline):
    model = Correction
    extra = 0
    can_delete = False
    fields = ["text", "created_at", "sent_at", "message_id", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Every article's delivery: where it stands, the last error, and "Try again"."""

    list_display = ["article", "edition", "mode", "state", "message", "attempts", "due_at",
                    "short_error", "updated_at"]
    list_filter = ["state", "mode", "article__edition"]
    list_select_related = ["article__edition"]
    search_fields = ["article__headline"]
    fields = ["article", "mode", "state", "chat_id", "message_id", "kind", "posted_at",
              "edited_at", "attempts", "due_at", "error_code", "error", "error_at", "note"]
    readonly_fields = [f for f in fields if f != "mode"]
    inlines = [CorrectionInline]
    actions = ["try_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("edition"), ordering="article__edition")
    def edition(self, obj):
        return obj.article.edition.language

    @admin.display(description=gettext_lazy("message"))
    def message(self, obj):
        link = obj.get_absolute_url()
        if link:
            return format_html('<a href="{}" rel="noreferrer">{}</a>', link, obj.message_id)
        return obj.message_id or "—"

    @admin.display(description=gettext_lazy("error"))
    def short_error(self, obj):
        return obj.error[:120] or "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "mode" in form.changed_data:
            services.mark_due(obj)

    @admin.action(description=gettext_lazy("Try again now"))
    def try_again(self, request, queryset):
        from samizdat.newsroom.services import audit

        count = 0
        for post in queryset:
            services.retry(post)
            audit(request.user, "telegram-retry", post.article)
            count += 1
        self.message_user(request, ngettext(
            "%(count)d delivery will be tried again.", "%(count)d deliveries will be tried again.",
            count) % {"count": count}, messages.SUCCESS)
