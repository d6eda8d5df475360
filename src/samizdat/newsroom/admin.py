"""The editorial admin: articles with their workflow, revisions and preview; the site's settings."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_prose_editor.fields import ProseEditorFormField

from samizdat.photos.inlines import GalleryInline

from . import redirects, services
from .models import (
    Article,
    ArticleRedirect,
    AuditEntry,
    Author,
    Byline,
    DonationMethod,
    Edition,
    LegacyRedirect,
    Page,
    Revision,
    Section,
    SiteSettings,
    SocialAccount,
    Tag,
)
from .workflow import Status

# What the editor offers: headings, emphasis, links, lists, quotes. The server-side
# sanitiser (newsroom.html) is the real gate; this only keeps the toolbar honest.
EDITOR_EXTENSIONS = {
    "Bold": True, "Italic": True, "Underline": True, "Strike": True,
    "Subscript": True, "Superscript": True,
    "Heading": {"levels": [2, 3, 4]}, "BulletList": True, "OrderedList": True, "ListItem": True,
    "Blockquote": True, "HorizontalRule": True, "HardBreak": True,
    "Link": {"enableTarget": False},
    "Table": True, "TableRow": True, "TableHeader": True, "TableCell": True,
}

# The workflow buttons: POST key -> action name, who sees them, in which status.
WORKFLOW_BUTTONS = {
    "_submit": "submit",
    "_return": "return",
    "_schedule": "schedule",
    "_unschedule": "unschedule",
    "_publish": "publish",
    "_unpublish": "unpublish",
}


def rich_text_field(**kwargs):
    return ProseEditorFormField(extensions=EDITOR_EXTENSIONS, required=False, **kwargs)


class AuditedAdmin:
    """Every change made through this screen goes to the audit log, like the actions' own."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.audit(request.user, "edit" if change else "create", obj,
                       fields=sorted(form.changed_data) if change else [])

    def delete_model(self, request, obj):
        services.audit(request.user, "delete", obj)  # before: the entry names what it was
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.audit(request.user, "delete", obj)
        super().delete_queryset(request, queryset)


class ArticleForm(forms.ModelForm):
    body = rich_text_field(label=gettext_lazy("body"))
    translation_of = forms.ModelChoiceField(
        queryset=Article.objects.none(),
        required=False,
        label=gettext_lazy("translation of"),
        help_text=gettext_lazy("Link this article to its version in another edition."),
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("article number")}),
    )

    class Meta:
        model = Article
        fields = [
            "edition", "headline", "slug", "lead", "hero_photo", "body", "section",
            "extra_sections",
            "tags", "is_breaking", "is_featured", "is_photo_report", "has_video",
            "publish_at", "update_note", "comment_policy",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["translation_of"].queryset = Article.objects.all()
        self.action = next((a for key, a in WORKFLOW_BUTTONS.items() if key in self.data), None)

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.request is None:
            return cleaned
        article = self.instance
        for name in ("section", "edition", "headline", "slug", "body", "hero_photo"):
            if name in cleaned:
                setattr(article, name, cleaned[name])
        if self.action:
            try:
                services.validate_action(
                    article, self.action, self.request.user, cleaned.get("publish_at")
                )
            except PermissionDenied as exc:
                raise ValidationError(str(exc)) from exc
        elif article.pk and not services.can_edit(self.request.user, article):
            raise ValidationError(_("You may not edit this article."))
        return cleaned


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    verbose_name = gettext_lazy("byline")


class EditionFilter(admin.SimpleListFilter):
    title = gettext_lazy("edition")
    parameter_name = "edition"

    def lookups(self, request, model_admin):
        return [(e.language, str(e)) for e in Edition.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(edition__language=self.value())
        return queryset


@admin.register(Article)
class ArticleAdmin(AuditedAdmin, admin.ModelAdmin):
    form = ArticleForm
    change_form_template = "admin/newsroom/article/change_form.html"
    inlines = [BylineInline, GalleryInline]
    list_display = ["headline", "status_badge", "edition", "section", "bylines_list",
                    "published_at", "modified_at"]
    list_filter = ["status", EditionFilter, "section", "authors", "published_at",
                   "is_breaking", "is_photo_report"]
    list_select_related = ["edition", "section"]
    search_fields = ["headline", "slug"]
    date_hierarchy = "published_at"
    show_full_result_count = False
    autocomplete_fields = ["section", "extra_sections", "tags", "hero_photo"]
    prepopulated_fields = {"slug": ("headline",)}
    readonly_fields = ["status", "published_at", "updated_at", "short_link"]
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["edition", "headline", "slug", "lead", "hero_photo", "body"]}),
        (gettext_lazy("Placement"), {"fields": ["section", "extra_sections", "tags",
                                                 "is_breaking", "is_featured",
                                                 "is_photo_report", "has_video"]}),
        (gettext_lazy("Publication"), {"fields": ["status", "publish_at", "published_at",
                                                   "updated_at", "update_note",
                                                   "comment_policy", "translation_of",
                                                   "short_link"]}),
    ]

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, obj):
        return obj.get_status_display()

    @admin.display(description=gettext_lazy("bylines"))
    def bylines_list(self, obj):
        return ", ".join(b.author.name for b in obj.bylines.all())

    @admin.display(description=gettext_lazy("short link"))
    def short_link(self, obj):
        if not obj.pk:
            return "—"
        return format_html('<a href="{0}">{0}</a>', obj.get_short_url())

    def get_queryset(self, request):
        qs = super().get_queryset(request).prefetch_related("bylines__author")
        if request.user.has_perm("newsroom.edit_any_article"):
            return qs
        return qs.filter(Q(created_by=request.user) | Q(authors__user=request.user)).distinct()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return RequestForm

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not services.can_publish(request.user):
            fields += ["is_breaking", "is_featured", "publish_at"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and not services.can_edit(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.published_at:
            return False  # unpublish instead: published news keeps its record
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not services.can_publish(request.user):
            actions.pop("publish_selected", None)
            actions.pop("unpublish_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        # Not audited here: save_related ends in an action that writes the entry.
        if not change:
            obj.created_by = request.user
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if form.cleaned_data.get("translation_of"):
            other = form.cleaned_data["translation_of"]
            Article.objects.filter(pk=article.pk).update(translation_key=other.translation_key)
            article.translation_key = other.translation_key
        if form.action:
            services.transition(article, form.action, request.user,
                                form.cleaned_data.get("publish_at"))
        elif change:
            services.save_article(article, request.user)
        else:
            services.record_revision(article, request.user)
            services.audit(request.user, "create", article)

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        context["workflow_buttons"] = self._buttons(request, obj)
        if obj is not None:
            context["preview_url"] = reverse("site:preview", kwargs={
                "token": services_preview_token(obj)})
            context["revisions_url"] = reverse("admin:newsroom_article_revisions", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _buttons(self, request, obj):
        status = obj.status if obj is not None else None
        editor = services.can_publish(request.user)
        buttons = []
        if status in (None, Status.DRAFT):
            buttons.append(("_submit", _("Submit for review")))
        if editor and status == Status.REVIEW:
            buttons.append(("_return", _("Return to draft")))
        if editor and status in (None, Status.DRAFT, Status.REVIEW):
            buttons += [("_schedule", _("Schedule")), ("_publish", _("Publish"))]
        if editor and status == Status.SCHEDULED:
            buttons += [("_unschedule", _("Unschedule")), ("_publish", _("Publish now"))]
        if editor and status == Status.PUBLISHED:
            buttons.append(("_unpublish", _("Unpublish")))
        if editor and status == Status.UNPUBLISHED:
            buttons.append(("_publish", _("Publish again")))
        return buttons

    @admin.action(description=gettext_lazy("Publish selected articles"))
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description=gettext_lazy("Unpublish selected articles"))
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, "unpublish")

    def _bulk(self, request, queryset, action):
        done = 0
        for article in queryset.select_related("section"):
            if article.status == services.ACTION_TARGETS[action]:
                continue
            try:
                services.transition(article, action, request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", [str(exc)]))
                self.message_user(request, f"{article}: {text}", messages.ERROR)
        self.message_user(request, ngettext("%(n)d article changed.", "%(n)d articles changed.",
                                            done) % {"n": done})

    # --- Revisions ---------------------------------------------------------------------------

    def get_urls(self):
        return [
            path("<int:pk>/revisions/", self.admin_site.admin_view(self.revisions_view),
                 name="newsroom_article_revisions"),
            path("<int:pk>/revisions/<int:rev>/restore/",
                 self.admin_site.admin_view(self.restore_view),
                 name="newsroom_article_restore"),
            *super().get_urls(),
        ]

    def _article_for(self, request, pk, *, edit=False):
        article = get_object_or_404(self.get_queryset(request), pk=pk)
        allowed = (self.has_change_permission(request, article) if edit
                   else self.has_view_or_change_permission(request, article))
        if not allowed:
            raise PermissionDenied
        return article

    def revisions_view(self, request, pk):
        article = self._article_for(request, pk)
        revisions = list(article.revisions.select_related("user")[:200])
        by_id = {r.pk: r for r in revisions}
        old = by_id.get(_int(request.GET.get("old")))
        new = by_id.get(_int(request.GET.get("new")))
        if old is None and new is None and len(revisions) >= 2:
            new, old = revisions[0], revisions[1]
        changes = services.compare_revisions(old, new) if old and new else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "article": article,
            "revisions": revisions,
            "old": old,
            "new": new,
            "changes": changes,
            "can_restore": self.has_change_permission(request, article),
            "title": _("Revisions of “%(headline)s”") % {"headline": article.headline},
        }
        return TemplateResponse(request, "admin/newsroom/article/revisions.html", context)

    def restore_view(self, request, pk, rev):
        article = self._article_for(request, pk, edit=True)
        revision = get_object_or_404(Revision, pk=rev, article=article)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:newsroom_article_revisions", args=[pk]))
        try:
            services.restore_revision(revision, request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, _("The article was restored to that revision."))
        return HttpResponseRedirect(reverse("admin:newsroom_article_change", args=[pk]))


def services_preview_token(article):
    from samizdat.site.preview import make_token

    return make_token(article)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@admin.register(Section)
class SectionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "edition", "slug", "position", "show_on_home"]
    list_editable = ["position", "show_on_home"]
    list_filter = [EditionFilter]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "edition", "slug"]
    list_filter = [EditionFilter]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Author)
class AuthorAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["user"]


class PageForm(forms.ModelForm):
    body = rich_text_field(label=gettext_lazy("body"))

    class Meta:
        model = Page
        fields = ["edition", "kind", "title", "slug", "body", "is_published", "in_footer",
                  "position"]


@admin.register(Page)
class PageAdmin(AuditedAdmin, admin.ModelAdmin):
    form = PageForm
    list_display = ["title", "edition", "kind", "is_published", "in_footer", "position"]
    list_filter = [EditionFilter, "kind", "is_published"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ("title",)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.content_changed.send(Page, article=None, action="page")


@admin.register(Edition)
class EditionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["language", "site_name", "tagline", "position"]

    def has_add_permission(self, request):
        return False  # editions follow SAMIZDAT_LANGUAGES

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteSettings)
class SiteSettingsAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["edition", "contact_email"]

    def has_add_permission(self, request):
        return False


@admin.register(SocialAccount)
class SocialAccountAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["label", "network", "edition", "url", "position"]
    list_editable = ["position"]


@admin.register(DonationMethod)
class DonationMethodAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["title", "kind", "edition", "position"]
    list_editable = ["position"]


@admin.register(ArticleRedirect)
class ArticleRedirectAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["old_path", "article", "created_at"]
    search_fields = ["old_path"]
    raw_id_fields = ["article"]


class LegacyRedirectForm(forms.ModelForm):
    class Meta:
        model = LegacyRedirect
        fields = ["old_path", "query", "article", "page", "section", "tag", "target", "source"]

    def clean(self):
        data = super().clean()
        old, query = data.get("old_path") or "", data.get("query") or ""
        if old:
            # Pasted from a browser or the old site: /%D0%BD…/?p=1 or https://old.example/…
            address = f"{old}?{query}" if query and "?" not in old else old
            data["old_path"], data["query"] = redirects.split(address)
        return data


class LegacyRedirectImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("Two columns: the old address, and the new address or "
                               "article:<number>. UTF-8; a first row naming the columns is "
                               "skipped."))


@admin.register(LegacyRedirect)
class LegacyRedirectAdmin(AuditedAdmin, admin.ModelAdmin):
    """Addresses of the site the newsroom moved in from (newsroom.redirects)."""

    form = LegacyRedirectForm
    list_display = ["__str__", "new_address", "source", "created_at"]
    list_filter = ["source"]
    search_fields = ["old_path", "query", "target"]
    raw_id_fields = ["article", "page", "section", "tag"]
    list_select_related = ["article__edition", "page__edition", "section__edition",
                           "tag__edition"]
    show_full_result_count = False
    change_list_template = "admin/newsroom/legacyredirect/change_list.html"
    MAX_CSV_BYTES = 20 * 1024 * 1024

    @admin.display(description=gettext_lazy("new address"))
    def new_address(self, obj):
        return obj.destination() or _("(not public)")

    def get_search_results(self, request, queryset, search_term):
        if search_term.startswith(("/", "http://", "https://", "?")):
            path, query = redirects.split(search_term)  # as stored: percent-decoded
            search_term = query if path == "/" and query else path
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        redirects.announce()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        redirects.announce()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        redirects.announce()

    def get_urls(self):
        return [path("import-csv/", self.admin_site.admin_view(self.import_view),
                     name="newsroom_legacyredirect_import"),
                *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_import": self.has_add_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = LegacyRedirectImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > self.MAX_CSV_BYTES:
                    raise ValidationError(_("The file is larger than 20 MB; split it."))
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise ValidationError(_("The file is not UTF-8 text.")) from None
                count = redirects.import_csv(text, request.user, name=upload.name)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, ngettext(
                    "%(n)d old address imported.", "%(n)d old addresses imported.", count)
                    % {"n": count})
                return HttpResponseRedirect(reverse("admin:newsroom_legacyredirect_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Import old addresses from CSV"),
        }
        return TemplateResponse(request, "admin/newsroom/legacyredirect/import_csv.html",
                                context)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for administrators: nobody can add, change or delete an entry."""

    list_display = ["created_at", "actor_name", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.has_perm("newsroom.view_audit_log")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("newsroom.view_audit_log")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
