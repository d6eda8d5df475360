"""The photo library in the admin: upload several at once, describe, find, place."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from samizdat.newsroom.admin import AuditedAdmin
from samizdat.newsroom.services import audit

from . import services
from .models import Photo
from .tasks import make_renditions


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,image/avif"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(label=gettext_lazy("Photos"), help_text=gettext_lazy(
        "JPEG, PNG, WebP or HEIC; select several at once. Location, camera and owner "
        "details are removed from every file."))
    caption = forms.CharField(label=gettext_lazy("caption"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    credit = forms.CharField(label=gettext_lazy("credit"), required=False, max_length=200)
    alt_text = forms.CharField(label=gettext_lazy("alternative text"), required=False,
                               max_length=400)


# The article editor's photo dialog: a page of the library at a time, newest first.
PICK_PAGE = 24
PICK_IDS = 50  # photos the editor's preview asks for at once


def pick_row(photo: Photo) -> dict:
    """What the article editor's photo dialog and its preview need to know of a photo."""
    return {"id": photo.pk, "code": f"[photo {photo.pk}]", "name": photo.name,
            "caption": photo.caption, "credit": photo.credit, "alt": photo.alt_text,
            "thumb": photo.preview_url(), "width": photo.width, "height": photo.height,
            "change_url": reverse("admin:photos_photo_change", args=[photo.pk])}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class MissingAltFilter(admin.SimpleListFilter):
    title = gettext_lazy("alternative text")
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing")), ("written", _("Written"))]

    def queryset(self, request, queryset):
        missing = Q(alt_text="")
        if self.value() == "missing":
            return queryset.filter(missing)
        if self.value() == "written":
            return queryset.exclude(missing)
        return queryset


@admin.register(Photo)
class PhotoAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["preview", "name", "caption_start", "credit", "has_alt", "dimensions",
                    "placement", "uploaded_at"]
    list_display_links = ["preview", "name"]
    list_filter = [MissingAltFilter, "uploaded_at", "source_format"]
    search_fields = ["name", "caption", "credit", "alt_text"]
    date_hierarchy = "uploaded_at"
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ["large_preview", "placement", "dimensions", "source_format", "size",
                       "made", "uploaded_by", "uploaded_at"]
    fields = ["large_preview", "name", "caption", "credit", "alt_text", "focal_x", "focal_y",
              "placement", "dimensions", "source_format", "size", "made", "uploaded_by",
              "uploaded_at"]
    actions = ["renditions_again"]

    class Media:
        js = ["photos/focal.js"]

    @admin.display(description=gettext_lazy("photo"))
    def preview(self, obj):
        return format_html('<img src="{}" alt="" width="120" loading="lazy">',
                           obj.preview_url())

    @admin.display(description=gettext_lazy("photo"))
    def large_preview(self, obj):
        return format_html('<span><img src="{}" alt="" width="480" data-focal-picker="{}">'
                           "</span>", obj.preview_url(),
                           _("Click the picture where list thumbnails should centre."))

    @admin.display(description=gettext_lazy("caption"))
    def caption_start(self, obj):
        return obj.caption[:80]

    @admin.display(description=gettext_lazy("alt text"), boolean=True)
    def has_alt(self, obj):
        return bool(obj.alt_text.strip())

    @admin.display(description=gettext_lazy("size"))
    def dimensions(self, obj):
        return f"{obj.width}×{obj.height}"

    @admin.display(description=gettext_lazy("to place in a text"))
    def placement(self, obj):
        return format_html("<code>[photo {}]</code>", obj.pk)

    @admin.display(description=gettext_lazy("renditions"))
    def made(self, obj):
        widths = obj.renditions.get("widths", [])
        return ", ".join([*map(str, widths), *obj.renditions.get("formats", [])])

    def add_view(self, request, form_url="", extra_context=None):
        """Uploading replaces the empty add form: several files, each checked on its own."""
        if not self.has_add_permission(request):
            return self.changeform_view(request, None, form_url, extra_context)
        form = UploadForm(request.POST or None, request.FILES or None)
        failures = []
        if request.method == "POST" and form.is_valid():
            made = []
            for upload in form.cleaned_data["files"]:
                try:
                    photo = services.ingest(
                        services.read_upload(upload), name=upload.name, user=request.user,
                        caption=form.cleaned_data["caption"],
                        credit=form.cleaned_data["credit"],
                        alt_text=form.cleaned_data["alt_text"])
                except ValidationError as error:
                    failures.append((upload.name, " ".join(error.messages)))
                    continue
                audit(request.user, "create", photo)
                made.append(photo)
            if made:
                self.message_user(request, ngettext(
                    "%(n)d photo added.", "%(n)d photos added.", len(made)) % {"n": len(made)},
                    messages.SUCCESS)
            if not failures:
                return HttpResponseRedirect(reverse("admin:photos_photo_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upload photos"), "form": form, "failures": failures,
            "opts": self.model._meta, "has_view_permission": True,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/photos/photo/upload.html", context)

    def get_urls(self):
        return [path("pick/", self.admin_site.admin_view(self.pick_view),
                     name="photos_photo_pick"),
                path("pick/upload/", self.admin_site.admin_view(self.pick_upload_view),
                     name="photos_photo_pick_upload"),
                *super().get_urls()]

    def pick_view(self, request):
        """The article editor's photo dialog: the library newest first, `q` searched in
        name, caption, credit and alternative text, in pages of PICK_PAGE with a keyset
        cursor (`before`), so a library of 100,000 photos costs one bounded query a page.
        `ids` asks for given photos instead (the editor's preview of placed photos)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if "ids" in request.GET:
            ids = {i for i in map(_int, request.GET["ids"].split(",")[:PICK_IDS]) if i}
            found = Photo.objects.filter(pk__in=ids).order_by("-pk")
            return JsonResponse({"results": [pick_row(p) for p in found], "next": None})
        found = Photo.objects.order_by("-pk")
        term = request.GET.get("q", "").strip()[:100]
        if term:
            found = found.filter(Q(name__icontains=term) | Q(caption__icontains=term)
                                 | Q(credit__icontains=term) | Q(alt_text__icontains=term))
        if before := _int(request.GET.get("before")):
            found = found.filter(pk__lt=before)
        rows = list(found[:PICK_PAGE + 1])
        more = len(rows) > PICK_PAGE
        rows = rows[:PICK_PAGE]
        return JsonResponse({"results": [pick_row(p) for p in rows],
                             "next": rows[-1].pk if more else None})

    @method_decorator(require_POST)
    def pick_upload_view(self, request):
        """An upload from the article editor's photo dialog: one file, checked and stripped
        like every upload (services.ingest); answers the new photo as the dialog lists it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return JsonResponse({"errors": [m for messages_ in form.errors.values()
                                            for m in messages_]}, status=400)
        upload = form.cleaned_data["files"][0]
        try:
            photo = services.ingest(
                services.read_upload(upload), name=upload.name, user=request.user,
                caption=form.cleaned_data["caption"], credit=form.cleaned_data["credit"],
                alt_text=form.cleaned_data["alt_text"])
        except ValidationError as error:
            return JsonResponse({"errors": [f"{upload.name}: {' '.join(error.messages)}"]},
                                status=400)
        audit(request.user, "create", photo)
        return JsonResponse(pick_row(photo), status=201)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"focal_x", "focal_y"} & set(form.changed_data):
            make_renditions.enqueue(obj.pk)  # the list thumbnails follow the focal point

    @admin.action(description=gettext_lazy("Make the renditions again"))
    def renditions_again(self, request, queryset):
        count = 0
        for photo in queryset.only("pk"):
            make_renditions.enqueue(photo.pk)
            count += 1
        self.message_user(request, ngettext("%(n)d photo queued.", "%(n)d photos queued.",
                                            count) % {"n": count})
