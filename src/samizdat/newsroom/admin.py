"""The editorial admin: articles with their workflow, revisions and preview; the site's settings."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_info, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import ProseEditorWidget

from samizdat.photos.inlines import GalleryInline
from samizdat.telegram.admin import TelegramInline

from . import autosave, logo, presence, redirects, services
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


# The article editor's own tools (newsroom/static/newsroom/editor-tools.js): photos from the
# library and videos placed on lines of their own, in the stored format the reader pages
# already render ("[photo N]", a YouTube or Vimeo link), shown as what they are in the text.
DESK_EXTENSIONS = {"SamizdatPhoto": True, "SamizdatVideo": True}


class DeskEditorWidget(ProseEditorWidget):
    """The rich-text editor with the desk's tools, its module loaded like the editor's own
    extensions (an ES module from our static files, found through the editor's import map)."""

    def get_config(self):
        config = super().get_config()
        return {**config, "js_modules": [*config.get("js_modules", []),
                                         static("newsroom/editor-tools.js")]}


def rich_text_field(desk: bool = False, **kwargs):
    if desk:
        return ProseEditorFormField(extensions={**EDITOR_EXTENSIONS, **DESK_EXTENSIONS},
                                    widget=DeskEditorWidget, required=False, **kwargs)
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


def article_label(article: Article) -> str:
    """How an article is named where one is picked: headline, edition, status."""
    return f"{article.headline} ({article.edition.language}, {article.get_status_display()})"


class TranslationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return article_label(obj)


class TranslationSearch(AutocompleteSelect):
    """Django's select2 search box, answered by the article admin's translation search
    (articles of other editions only) instead of the generic autocomplete view."""

    def __init__(self, admin_site, edition_id=None):
        # Any foreign key to Article gives the widget its model; Byline.article will do.
        super().__init__(Byline._meta.get_field("article"), admin_site)
        self.edition_id = edition_id

    def get_url(self):
        url = reverse("admin:newsroom_article_translation_search")
        return f"{url}?other_than={self.edition_id}" if self.edition_id else url


class ArticleForm(forms.ModelForm):
    body = rich_text_field(desk=True, label=gettext_lazy("body"))
    translation_of = TranslationChoiceField(
        queryset=Article.objects.none(),
        required=False,
        label=gettext_lazy("link a translation"),
        help_text=gettext_lazy("Search by headline for this story's version in another "
                               "edition; saving links the two."),
    )
    # The version the form was opened at (services.opened_version): a save refuses to
    # overwrite anyone's save made since.
    opened_revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput,
                                         label=gettext_lazy("version opened"))

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
        field = self.fields["translation_of"]
        edition_id = self.initial.get("edition") or self.instance.edition_id
        field.widget = TranslationSearch(admin.site, getattr(edition_id, "pk", edition_id))
        # The choices are what this staff member may see: a contributor cannot name another's
        # draft here and read its headline back from an error or the panel.
        field.queryset = (services.visible_articles(request.user) if request is not None
                          else Article.objects.all()).select_related("edition")
        self.action = next((a for key, a in WORKFLOW_BUTTONS.items() if key in self.data), None)
        self.conflict = None
        if (self.instance.pk and not self.is_bound and request is not None
                and services.can_edit(request.user, self.instance)):  # not for a reader of it
            self.initial["opened_revision"] = services.opened_version(self.instance)

    def clean(self):
        cleaned = super().clean()
        self._refuse_conflict(cleaned.get("opened_revision"))
        if self.errors or self.request is None:
            return cleaned
        article = self.instance
        if cleaned.get("translation_of") and cleaned.get("edition"):
            probe = Article(pk=article.pk, edition=cleaned["edition"])
            try:
                services.check_translation(probe, cleaned["translation_of"])
            except ValidationError as exc:
                self.add_error("translation_of", exc)
                return cleaned
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

    def _refuse_conflict(self, opened):
        # A form posted without a version was not opened from this screen: nothing to compare.
        if not self.instance.pk or opened is None:
            return
        self.conflict = services.find_conflict(self.instance, opened)
        if self.conflict is None:
            return
        # The form comes back with the editor's input as typed and the newest version, so
        # that saving it again, having seen the other changes, is a deliberate choice.
        self.data = self.data.copy()
        self.data[self.add_prefix("opened_revision")] = self.conflict.latest.pk
        raise ValidationError(
            _("Someone else saved this article after you opened it, so your changes have "
              "not been saved. Their changes are shown below; everything you typed is still "
              "in the form. Check it and save again to keep your version."),
            code="conflict")


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    verbose_name = gettext_lazy("byline")
    verbose_name_plural = gettext_lazy("bylines")  # else Django adds an English "s"


class EditionFilter(admin.SimpleListFilter):
    title = gettext_lazy("edition")
    parameter_name = "edition"

    def lookups(self, request, model_admin):
        return [(e.language, str(e)) for e in Edition.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(edition__language=self.value())
        return queryset


ALL_EDITIONS = "all"


def own_edition(request) -> Edition | None:
    """The staff member's edition: the one in the language the admin speaks to them in."""
    return next((e for e in _editions(request) if e.language == get_language()), None)


def chosen_edition(request) -> Edition | None:
    """The edition the article list shows: as chosen, else the staff member's own."""
    value = request.GET.get(OwnEditionFilter.parameter_name)
    if value == ALL_EDITIONS:
        return None
    if value:
        return next((e for e in _editions(request) if e.language == value), None)
    return own_edition(request)


def _editions(request) -> list[Edition]:
    # A handful of rows, asked for once per request by the filters and the columns.
    if not hasattr(request, "_newsroom_editions"):
        request._newsroom_editions = list(Edition.objects.all())
    return request._newsroom_editions


class OwnEditionFilter(EditionFilter):
    """The article list starts with the staff member's edition; "All editions" stays a
    choice of its own."""

    def value(self):
        value = self.used_parameters.get(self.parameter_name)
        if value == ALL_EDITIONS:
            return None
        if value:
            return value
        edition = own_edition(self.request)
        return edition.language if edition else None

    def lookups(self, request, model_admin):
        return [(e.language, str(e)) for e in _editions(request)]

    def has_output(self):
        return True

    def choices(self, changelist):
        value = self.value()
        yield {
            "selected": value is None,
            "query_string": changelist.get_query_string(
                {self.parameter_name: ALL_EDITIONS}, ["section__id__exact"]),
            "display": _("All editions"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}, ["section__id__exact"]),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        edition = next((e for e in _editions(request) if e.language == value), None)
        return queryset.filter(edition=edition) if edition else queryset.none()


class SectionFilter(admin.RelatedFieldListFilter):
    """Sections of the edition the list shows; with all editions, each named with its own."""

    def field_choices(self, field, request, model_admin):
        edition = chosen_edition(request)
        sections = Section.objects.select_related("edition").order_by(
            "edition__position", "position", "name")
        if edition is not None:
            return [(s.pk, s.name) for s in sections.filter(edition=edition)]
        return [(s.pk, f"{s.name} ({s.edition.language})") for s in sections]


@admin.register(Article)
class ArticleAdmin(AuditedAdmin, admin.ModelAdmin):
    form = ArticleForm
    change_form_template = "admin/newsroom/article/change_form.html"
    inlines = [BylineInline, GalleryInline, TelegramInline]
    # Six short columns that fit 1280 px beside the navigation and the filters
    # (tests/browser/test_admin_desk.py); the query count stays fixed (test_admin_lists.py).
    list_display = ["headline", "status_badge", "edition_code", "section_name", "list_time",
                    "bylines_list"]
    list_filter = ["status", OwnEditionFilter, ("section", SectionFilter), "authors",
                   "published_at", "is_breaking", "is_photo_report"]
    list_select_related = ["edition", "section"]
    search_fields = ["headline", "slug"]
    date_hierarchy = "published_at"
    show_full_result_count = False
    autocomplete_fields = ["section", "extra_sections", "tags", "hero_photo"]
    prepopulated_fields = {"slug": ("headline",)}
    readonly_fields = ["status", "published_at", "updated_at", "short_link"]
    actions = ["publish_selected", "unpublish_selected"]
    # The text is the centre of the screen; the fieldsets marked "desk-side" go to the
    # publishing panel beside it from 1280 px (change_form.html, newsroom/admin.css).
    fieldsets = [
        (None, {"fields": ["headline", "lead", "body", "opened_revision"],
                "classes": ["desk-text"]}),
        (gettext_lazy("Publication"), {"fields": ["status", "edition", "publish_at",
                                                   "published_at", "updated_at", "slug",
                                                   "short_link", "update_note",
                                                   "comment_policy"],
                                        "classes": ["desk-side"]}),
        (gettext_lazy("Placement"), {"fields": ["section", "extra_sections", "tags",
                                                 "is_breaking", "is_featured",
                                                 "is_photo_report", "has_video"],
                                      "classes": ["desk-side"]}),
        (gettext_lazy("Main photo"), {"fields": ["hero_photo"], "classes": ["desk-side"]}),
    ]

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, obj):
        return obj.get_status_display()

    @admin.display(description=gettext_lazy("authors"))
    def bylines_list(self, obj):
        return ", ".join(b.author.name for b in obj.bylines.all())

    @admin.display(description=gettext_lazy("edition"), ordering="edition__position")
    def edition_code(self, obj):
        return obj.edition.language

    @admin.display(description=gettext_lazy("section"), ordering="section__name")
    def section_name(self, obj):
        return obj.section.name if obj.section else "—"

    @admin.display(description=gettext_lazy("time"), ordering="published_at")
    def list_time(self, obj):
        """When it appeared (or will), else when it was last changed: the date over the time,
        so that the column is as narrow as a date."""
        moment = obj.published_at or (obj.status == Status.SCHEDULED and obj.publish_at)
        moment = timezone.localtime(moment or obj.modified_at)
        return format_html('<span class="list-date">{}</span> <span class="list-hour">{}</span>',
                           formats.date_format(moment, "SHORT_DATE_FORMAT"),
                           formats.time_format(moment, "TIME_FORMAT"))

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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read only: no version to carry, and no empty "opened revision" row either.
        return [(name, {**options, "fields": [f for f in options["fields"]
                                              if f != "opened_revision"]})
                for name, options in fieldsets]

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
        other = form.cleaned_data.get("translation_of")
        if other is not None and other.translation_key != article.translation_key:
            services.link_translation(article, other, request.user)
        if form.action:
            services.transition(article, form.action, request.user,
                                form.cleaned_data.get("publish_at"))
        elif change:
            services.save_article(article, request.user)
        else:
            services.record_revision(article, request.user)
            services.audit(request.user, "create", article)
        autosave.discard(article, request.user)  # saved: nothing left to offer back

    class Media:
        css = {"all": ["newsroom/admin.css"]}
        js = ["newsroom/presence.js", "newsroom/writing.js", "newsroom/autosave.js"]

    def response_change(self, request, obj):
        if "_continue" not in request.POST:
            presence.leave(obj, request.user)  # saved and left the form
        return super().response_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        context["workflow_buttons"] = self._buttons(request, obj)
        # The text and its panel take the screen: the admin's navigation stays in the header.
        context["is_nav_sidebar_enabled"] = False
        context["photo_pick_url"] = reverse("admin:photos_photo_pick")
        context["photo_upload_url"] = reverse("admin:photos_photo_pick_upload")
        if obj is not None and self.has_change_permission(request, obj):
            presence.arrive(obj, request.user)
            context["other_editors"] = presence.describe(presence.others(obj, request.user))
            context["presence_url"] = reverse("admin:newsroom_article_presence", args=[obj.pk])
            context["presence_every"] = presence.HEARTBEAT_SECONDS
            if obj.status != Status.PUBLISHED:
                context["autosave_url"] = reverse("admin:newsroom_article_autosave",
                                                  args=[obj.pk])
                context["autosave_every"] = autosave.EVERY_SECONDS
                offer = autosave.pending(obj, request.user)
                if offer is not None:
                    context["autosave_offer"] = offer
                    context["autosave_data"] = {
                        "headline": offer.headline, "lead": offer.lead, "body": offer.body,
                        "based_on": offer.based_on}
        context["translations"] = self._translations(request, obj, context["adminform"].form)
        if obj is not None:
            context["preview_url"] = reverse("site:preview", kwargs={
                "token": services_preview_token(obj)})
            context["revisions_url"] = reverse("admin:newsroom_article_revisions", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _translations(self, request, obj, form):
        """This story in every edition, side by side, with a start for each missing one."""
        group = {}
        if obj is not None:
            group = {a.edition_id: a for a in Article.objects.filter(
                translation_key=obj.translation_key).select_related("edition")}
        can_add = obj is not None and self.has_add_permission(request)
        columns = []
        for edition in _editions(request):
            article = group.get(edition.pk)
            column = {"edition": edition, "article": article,
                      "current": obj is not None and article == obj}
            if article is not None:
                column["change_url"] = reverse("admin:newsroom_article_change",
                                               args=[article.pk])
            elif can_add:
                column["create_url"] = (reverse("admin:newsroom_article_add")
                                        + f"?translation_from={obj.pk}&edition={edition.pk}")
                column["create_label"] = create_label(edition.language)
            columns.append(column)
        can_change = obj is None or self.has_change_permission(request, obj)
        return {
            "columns": columns,
            "field": form["translation_of"] if can_change else None,
            "unlink_url": (reverse("admin:newsroom_article_unlink", args=[obj.pk])
                           if obj is not None and len(group) > 1 and can_change else None),
        }

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
            path("<int:pk>/presence/", self.admin_site.admin_view(self.presence_view),
                 name="newsroom_article_presence"),
            path("<int:pk>/autosave/", self.admin_site.admin_view(self.autosave_view),
                 name="newsroom_article_autosave"),
            path("translations/search/",
                 self.admin_site.admin_view(self.translation_search_view),
                 name="newsroom_article_translation_search"),
            path("<int:pk>/translations/unlink/",
                 self.admin_site.admin_view(self.unlink_view),
                 name="newsroom_article_unlink"),
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

    @method_decorator(require_POST)
    def presence_view(self, request, pk):
        """The open change form's heartbeat; answers who else has the article open."""
        article = self._article_for(request, pk, edit=True)
        presence.beat(article, request.user)
        return JsonResponse(
            {"editors": presence.describe(presence.others(article, request.user))})

    @method_decorator(require_POST)
    def autosave_view(self, request, pk):
        """The open form's script keeping its text (newsroom/autosave.py), or, with
        `discard`, letting go of what was kept."""
        article = self._article_for(request, pk, edit=True)
        if "discard" in request.POST:
            autosave.discard(article, request.user)
            return JsonResponse({"discarded": True})
        try:
            row = autosave.keep(
                article, request.user, headline=request.POST.get("headline", ""),
                lead=request.POST.get("lead", ""), body=request.POST.get("body", ""),
                based_on=_int(request.POST.get("opened_revision")) or 0)
        except ValidationError as exc:
            return JsonResponse({"errors": exc.messages}, status=409)
        return JsonResponse({"saved_at": row.saved_at.isoformat(),
                             "time": presence.moment(row.saved_at)})

    def translation_search_view(self, request):
        """The translation search box's answers, as select2 wants them: articles whose
        headline has the term, outside the edition named by `other_than`."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        page = max(_int(request.GET.get("page")) or 1, 1)
        found = self.get_queryset(request).select_related("edition").order_by("-modified_at")
        if term:
            found = found.filter(headline__icontains=term)
        if _int(request.GET.get("other_than")):
            found = found.exclude(edition_id=_int(request.GET["other_than"]))
        size = 20
        rows = list(found[(page - 1) * size:page * size + 1])
        return JsonResponse({
            "results": [{"id": str(a.pk), "text": article_label(a)} for a in rows[:size]],
            "pagination": {"more": len(rows) > size},
        })

    @method_decorator(require_POST)
    def unlink_view(self, request, pk):
        """The "unlink" button beside a version: takes that version out of the group."""
        article = self._article_for(request, pk, edit=True)
        target = get_object_or_404(Article, pk=_int(request.POST.get("unlink")),
                                   translation_key=article.translation_key)
        if not services.can_edit(request.user, target):
            raise PermissionDenied
        services.unlink_translation(target, request.user)
        self.message_user(request, _("“%(headline)s” is no longer linked as a translation.")
                          % {"headline": target.headline})
        return HttpResponseRedirect(reverse("admin:newsroom_article_change", args=[pk]))

    def get_changeform_initial_data(self, request):
        """A new version of another article ("Create the … version") starts as a copy of
        it, placed in the chosen edition and linked to it on saving; any other new article
        in the staff member's own edition."""
        initial = super().get_changeform_initial_data(request)
        start = self._translation_start(request)
        if start is not None:
            return {key: value for key, value in start.items() if key != "author_ids"}
        edition = own_edition(request)
        return {"edition": edition.pk, **initial} if edition and "edition" not in initial \
            else initial

    def _translation_start(self, request) -> dict | None:
        if request.method != "GET" or "translation_from" not in request.GET:
            return None
        if not hasattr(request, "_translation_start"):
            source = get_object_or_404(self.get_queryset(request).select_related("section"),
                                       pk=_int(request.GET["translation_from"]))
            edition = get_object_or_404(Edition, pk=_int(request.GET.get("edition")))
            request._translation_start = services.translation_start(source, edition)
        return request._translation_start

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        start = self._translation_start(request) if obj is None else None
        for inline in inlines:  # new instances on every call: this request's alone
            if start and isinstance(inline, BylineInline):
                inline.extra = max(len(start["author_ids"]), 1)
        return inlines

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        start = self._translation_start(request) if obj.pk is None else None
        if start and isinstance(inline, BylineInline):
            kwargs["initial"] = [{"author": author, "position": i}
                                 for i, author in enumerate(start["author_ids"])]
        return kwargs

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


# "Create the <language> version", each a phrase of its own: the adjective agrees in be/ru.
CREATE_LABELS = {
    "be": gettext_lazy("Create the Belarusian version"),
    "ru": gettext_lazy("Create the Russian version"),
    "en": gettext_lazy("Create the English version"),
    "uk": gettext_lazy("Create the Ukrainian version"),
    "pl": gettext_lazy("Create the Polish version"),
}


def create_label(language: str) -> str:
    if language in CREATE_LABELS:
        return str(CREATE_LABELS[language])
    name = get_language_info(language)["name_translated"]
    return _("Create a version: %(language)s") % {"language": name}


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


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = ["edition", "contact_email", "contacts", "support_text", "campaign_text",
                  "campaign_url", "logo"]

    def clean_logo(self):
        return logo.clean(self.cleaned_data.get("logo"), self.instance.edition.language)


@admin.register(SiteSettings)
class SiteSettingsAdmin(AuditedAdmin, admin.ModelAdmin):
    form = SiteSettingsForm
    list_display = ["edition", "contact_email"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        replaced = form.initial.get("logo")
        super().save_model(request, obj, form, change)
        if replaced and replaced != obj.logo:  # a new logo, or none: the old file goes
            storage, name = obj.logo.storage, getattr(replaced, "name", replaced)
            transaction.on_commit(lambda: storage.delete(name))


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records nobody adds, changes or deletes from the admin (the audit log, backup runs)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
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
