"""Fixtures for the baked copy: a demo newsroom baked into a temporary folder, and a reader
of the copy's links."""

import datetime
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from samizdat.bake.baker import bake
from samizdat.newsroom import demo, services
from samizdat.newsroom.models import Article, Edition, Section, Tag
from samizdat.site import views as site_views

# The browser tests here drive the same Chromium as tests/browser/.
ONION = "samizdatexampleonionaddressforthetestsuiteonlyaaaaaaaaa.onion"


class Links(HTMLParser):
    """Every address a page names: (tag, attribute, rel or property, value)."""

    def __init__(self, text: str):
        super().__init__()
        self.found: list[tuple[str, str, str, str]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        kind = a.get("rel") or a.get("property") or ""
        for name in ("href", "src", "action", "poster"):
            if a.get(name) is not None:
                self.found.append((tag, name, kind, a[name]))
        for candidate in (a.get("srcset") or "").split(","):
            if candidate.strip():
                self.found.append((tag, "srcset", kind, candidate.split()[0]))
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.found.append((tag, "refresh", kind, a["content"].split("url=", 1)[1]))
        if tag == "meta" and kind == "og:url":
            self.found.append((tag, "content", kind, a["content"]))


def resolve(page: Path, link: str) -> Path:
    """The file a relative link of `page` opens (what a browser does from file://)."""
    path = link.split("#")[0].split("?")[0]
    return Path(posixpath.normpath(str(page.parent / unquote(path)))).resolve()


def newsroom() -> dict:
    """A small demo, plus a draft, a scheduled, an unpublished and a moved article."""
    demo.generate(40)
    editor = demo.create_staff("correct horse battery staple")["editor"]
    edition = Edition.objects.get(language="en")
    section = Section.objects.filter(edition=edition).first()
    tag = Tag.objects.filter(edition=edition).first()
    articles = {}
    for status in ("draft", "scheduled", "unpublished", "moved"):
        article = services.create_article(
            editor, edition=edition, section=section, headline=f"The {status} article",
            slug=f"the-{status}-one", lead="Lead.", body="<p>Body.</p>", author_ids=[],
            tag_ids=[tag.pk])
        if status == "scheduled":
            services.schedule(article, editor, timezone.now() + datetime.timedelta(days=2))
        elif status in ("unpublished", "moved"):
            services.publish(article, editor)
        articles[status] = Article.objects.select_related("edition").get(pk=article.pk)
    # Published pages are public until unpublished; a moved article leaves its old address.
    articles["unpublished-address"] = articles["unpublished"].get_absolute_url()
    services.unpublish(articles["unpublished"], editor)
    moved = articles["moved"]
    articles["old-address"] = moved.get_absolute_url()
    moved.slug = "the-moved-one-renamed"
    moved.save()
    services.save_article(moved, editor)
    articles["moved"] = Article.objects.select_related("edition").get(pk=moved.pk)
    return articles


@pytest.fixture(scope="module")
def demo_copy(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo newsroom baked into <tmp>/www/baked, once for a module's tests.

    The data lives in a transaction rolled back after the module, as Django's
    setUpTestData does; each test's own transaction nests inside it.
    """
    tmp = tmp_path_factory.mktemp("bake")
    with (django_db_blocker.unblock(), transaction.atomic(),
          override_settings(SITE_URL="https://news.example.org", VAR_DIR=tmp / "var",
                            MEDIA_ROOT=tmp / "var" / "media", ONION_ADDRESS=ONION),
          pytest.MonkeyPatch.context() as patch):
        # Two articles a page: even a small demo has "older" and "newer" pages to walk.
        patch.setattr(site_views, "PAGE_SIZE", 2)
        cache.clear()
        articles = newsroom()
        out = tmp / "www" / "baked"
        summary = bake(out)
        yield {"out": out, "summary": summary, "articles": articles}
        transaction.set_rollback(True)


@pytest.fixture
def small_newsroom(make_article, scaffold):
    """A few articles in each edition: quick to bake."""
    tags = [scaffold["tags"]["en"][0].pk]
    return [make_article(language, tag_ids=tags if language == "en" else [])
            for language in ("be", "ru", "en") for _ in range(3)]
