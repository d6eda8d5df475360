"""The photo report inside the article's admin screen (imported by the newsroom's admin)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import GalleryItem


class GalleryFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if "_publish" not in self.data:
            return
        # Publishing in the same submit: the report's photos need their alternative text
        # now, before the article is saved (the article form cannot see this formset).
        missing = [f.cleaned_data["photo"] for f in self.forms
                   if f.cleaned_data.get("photo") and not f.cleaned_data.get("DELETE")
                   and not f.cleaned_data["photo"].alt_text.strip()]
        if missing:
            raise ValidationError(
                _("Write the alternative text of every photo before publishing; missing on: "
                  "%(photos)s.") % {"photos": ", ".join(f"#{p.pk} {p}" for p in missing)})


class GalleryInline(admin.TabularInline):
    model = GalleryItem
    formset = GalleryFormSet
    extra = 0
    autocomplete_fields = ["photo"]
    fields = ["photo", "position", "caption"]
    ordering = ["position", "id"]
