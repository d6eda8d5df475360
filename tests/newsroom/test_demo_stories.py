"""The hand-written demo stories: a newsroom's last three weeks, in every edition."""

import datetime
import io
import re
import zoneinfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from markupsafe import escape

from samizdat.newsroom import demo, stories
from samizdat.newsroom.html import sanitize_html
from samizdat.newsroom.models import Article
from samizdat.newsroom.workflow import Status

LANGUAGES = ("be", "ru", "en")
KEYS = [stories.translation_key(story["key"]) for story in stories.STORIES]


def _local(moment):
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))


class TestLoadedStories:
    """What a fresh `samizdat up` shows: the stories of every edition, once loaded."""

    @pytest.fixture(scope="class")
    @classmethod
    def loaded(cls, django_db_setup, django_db_blocker, tmp_path_factory):
        """The stories loaded once for the class (with a fixed `now`), rolled back after it."""
        tmp = tmp_path_factory.mktemp("stories")
        now = timezone.now().replace(microsecond=0)
        with (django_db_blocker.unblock(), transaction.atomic(),
              override_settings(VAR_DIR=tmp, MEDIA_ROOT=tmp / "media")):
            made = demo.load_stories(now=now, stream=io.StringIO())
            yield now, made
            transaction.set_rollback(True)

    @pytest.fixture
    def articles(self, loaded, db):
        return Article.objects.filter(translation_key__in=KEYS).select_related("edition", "section")

    def test_every_edition_gets_two_dozen_published_stories(self, loaded, articles):
        _now, made = loaded
        assert made == articles.count()
        for language in LANGUAGES:
            edition = articles.filter(edition__language=language)
            assert edition.count() >= 24
            assert set(edition.values_list("status", flat=True)) == {Status.PUBLISHED}
            assert not edition.filter(tags=None).exists()
            assert not edition.filter(bylines=None).exists()
            for article in edition:
                # The section and the tags are the edition's own.
                assert article.section.edition_id == article.edition_id
                assert {t.edition_id for t in article.tags.all()} == {article.edition_id}

    def test_bodies_are_stored_as_the_sanitiser_keeps_them_and_vary_in_form(self, articles):
        paragraphs = []
        for article in articles:
            assert article.body == sanitize_html(article.body), article.headline
            assert "[[" not in article.body
            assert article.lead and article.headline
            paragraphs.append(article.body.count("<p>"))
        bodies = [a.body for a in articles]
        assert min(paragraphs) <= 3 and max(paragraphs) >= 8
        for mark in ("<blockquote>", "<h2>", "<ul>", "<ol>", "<em>"):
            assert any(mark in body for body in bodies), mark

    def test_the_featured_lead_is_from_today_and_the_newest_story(self, loaded, articles):
        now, _made = loaded
        for language in LANGUAGES:
            edition = articles.filter(edition__language=language)
            lead = edition.get(is_featured=True)
            assert lead.pub_date == _local(now).date()
            assert lead.published_at <= now
            assert edition.order_by("-published_at").first() == lead
            oldest = edition.order_by("published_at").first().published_at
            assert now - oldest > datetime.timedelta(days=14)

    def test_home_page_leads_with_the_featured_story(self, loaded, articles, client):
        for language in LANGUAGES:
            lead = articles.get(edition__language=language, is_featured=True)
            page = client.get(f"/{language}/")
            assert page.status_code == 200
            assert str(escape(lead.headline)) in page.content.decode()

    def test_a_correction_says_so_to_readers(self, articles, client):
        corrected = [a for a in articles if a.body.endswith("</em></p>")]
        assert {a.edition.language for a in corrected} == set(LANGUAGES)
        assert len({a.translation_key for a in corrected}) == 1
        for article in corrected:
            note = article.body.rsplit("<p><em>", 1)[-1]
            # The note at the end and the one readers see by the date say the same thing.
            assert article.update_note.split(":")[0] == note.split(":")[0]
            assert article.updated_at > article.published_at
            page = client.get(article.get_absolute_url()).content.decode()
            assert str(escape(article.update_note)) in page
            assert note.removesuffix("</em></p>") in page

    def test_the_live_story_has_stamped_entries_newest_first(self, loaded, articles):
        live_key = next(s for s in stories.STORIES if s.get("live"))
        live = articles.filter(translation_key=stories.translation_key(live_key["key"]))
        assert {a.edition.language for a in live} == set(LANGUAGES)
        for article in live:
            assert article.updated_at > article.published_at
            assert article.update_note
            stamps = re.findall(r"<h2>(\d\d:\d\d)</h2>", article.body)
            assert len(stamps) >= 4
            moments = [article.published_at + datetime.timedelta(minutes=m)
                       for m in sorted({int(m) for m in re.findall(
                           r"\[\[\+(\d+)\]\]", stories.TEXTS["en"][live_key["key"]]["body"])},
                           reverse=True)]
            assert stamps == [_local(m).strftime("%H:%M") for m in moments]
            assert moments[0] == article.updated_at

    def test_stories_link_as_translations_across_editions(self, articles):
        groups = {}
        for article in articles:
            groups.setdefault(article.translation_key, set()).add(article.edition.language)
        assert len(groups) == len(stories.STORIES)
        assert sum(1 for languages in groups.values() if len(languages) >= 2) >= 10
        lead = articles.get(edition__language="en", is_featured=True)
        assert {a.edition.language for a in lead.translations()} == {"be", "ru"}

    def test_the_photo_report_has_a_gallery(self, articles):
        reports = articles.filter(is_photo_report=True)
        assert {a.edition.language for a in reports} == set(LANGUAGES)
        for report in reports:
            assert report.hero_photo_id
            assert report.gallery.count() >= 3

    def test_loading_again_adds_nothing(self, loaded, articles):
        before = articles.count()
        assert demo.load_stories(now=loaded[0], stream=io.StringIO()) == 0
        assert articles.count() == before


def test_a_featured_lead_loaded_just_after_midnight_is_still_dated_today(db):
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    now = datetime.datetime.combine(timezone.localdate(), datetime.time(0, 10), tz)
    demo.load_stories(now=now, stream=io.StringIO())
    for lead in Article.objects.filter(is_featured=True, translation_key__in=KEYS):
        assert lead.pub_date == now.date()
        assert lead.published_at <= now


def test_up_puts_the_stories_over_the_generated_archive(db):
    call_command("up", "--articles", "30", stdout=io.StringIO(), stderr=io.StringIO())
    ours = Article.objects.filter(translation_key__in=KEYS)
    generated = Article.objects.exclude(translation_key__in=KEYS)
    assert generated.count() == 30
    assert ours.filter(edition__language="en").count() >= 24
    newest_generated = generated.published().order_by("-published_at").first().published_at
    assert newest_generated < ours.order_by("published_at").first().published_at
    for language in LANGUAGES:
        newest = Article.objects.published().filter(edition__language=language).first()
        assert newest.is_featured and newest.translation_key in KEYS


def test_every_text_belongs_to_a_story_and_is_complete():
    """A text under a mistyped key would never be loaded; one without a lead shows a gap."""
    keys = {story["key"] for story in stories.STORIES}
    for language, texts in stories.TEXTS.items():
        assert set(texts) <= keys, language
        for key, text in texts.items():
            assert text["headline"] and text["lead"] and text["body"], (language, key)
            assert len(demo._story_slug(text["headline"])) <= 70
