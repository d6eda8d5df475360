"""The photo report inside the article's admin screen (imported by the newsroom's admin)."""

from django import forms
from django.contrib import admin

from .models import GalleryItem
from .services import require_alt_text


class GalleryFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if "_publish" not in self.data:
            return
        # Publishing in the same submit: the report's photos need their alternative text
        # now, before the article is saved (the article form cannot see this formset).
        require_alt_text([form.cleaned_data["photo"] for form in self.forms
                          if form.cleaned_data.get("photo")
                          and not form.cleaned_data.get("DELETE")])


class GalleryInline(admin.TabularInline):
    model = GalleryItem
    formset = GalleryFormSet
    extra = 0
    autocomplete_fields = ["photo"]
    fields = ["photo", "position", "caption"]
    ordering = ["position", "id"]
