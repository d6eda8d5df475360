"""The search form: what readers may ask for, checked before the engine sees it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samizdat.newsroom.models import Author, Section

from .query import date_error
from .text import MAX_QUERY_CHARS

ALL_EDITIONS = "all"
MAX_PAGE = 50


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), max_length=MAX_QUERY_CHARS, required=False,
                        strip=True, widget=forms.TextInput(attrs={"autofocus": True}))
    section = forms.ChoiceField(label=_("Section"), required=False)
    author = forms.ChoiceField(label=_("Author"), required=False)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    edition = forms.ChoiceField(label=_("Editions"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE,
                              widget=forms.HiddenInput)

    def __init__(self, data, *, edition, editions, sections, authors):
        super().__init__(data)
        self.current = edition
        self.editions = editions
        self.fields["section"].choices = [("", _("All sections"))] + [
            (s.slug, s.name) for s in sections]
        self.fields["author"].choices = [("", _("All authors")), *authors]
        self.fields["edition"].choices = [
            ("", _("This edition")), (ALL_EDITIONS, _("All editions")),
            *((e.language, e.site_name) for e in editions if e != edition)]
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].error_messages["max_length"] = _(
            "The query is too long: at most %(limit_value)d characters.")

    def clean_date_from(self):
        return self._in_range(self.cleaned_data["date_from"])

    def clean_date_to(self):
        return self._in_range(self.cleaned_data["date_to"])

    @staticmethod
    def _in_range(day):
        if error := date_error(day):
            raise forms.ValidationError(error)
        return day

    def clean_author(self):
        slug = self.cleaned_data["author"]
        return Author.objects.filter(slug=slug).first() if slug else None

    def clean(self):
        data = super().clean()
        chosen = data.get("edition")
        if chosen == ALL_EDITIONS:
            data["editions"] = list(self.editions)
        elif chosen:
            data["editions"] = [e for e in self.editions if e.language == chosen]
        else:
            data["editions"] = [self.current]
        data["section"] = (Section.objects.filter(edition=self.current, slug=data["section"])
                           .first() if data.get("section") else None)
        if data["section"] is not None:
            # A section belongs to this edition: searching it means searching here.
            data["editions"] = [self.current]
        return data
