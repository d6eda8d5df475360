"""Feeds, sitemaps, robots.txt and structured data."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from samizdat.newsroom import services
from samizdat.newsroom.models import Article
from samizdat.site import pagecache

NS = {"atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/",
      "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9"}


@pytest.fixture
def stories(make_article, editor, scaffold):
    tag = scaffold["tags"]["en"][0]
    published = make_article(headline="Published story", body="<p>Full body text.</p>",
                             tag_ids=[tag.pk])
    draft = make_article(headline="Draft story", status="draft")
    gone = make_article(headline="Gone story")
    services.unpublish(gone, editor)
    later = make_article(headline="Later story", status="draft")
    services.schedule(later, editor, timezone.now() + datetime.timedelta(days=1))
    return {"published": published, "draft": draft, "tag": tag}


@pytest.mark.parametrize("url", ["/en/rss.xml", "/rss.xml", "/en/section/belarus/rss.xml"])
def test_rss_has_published_items_with_full_text(client, stories, url):
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    titles = [t.text for t in root.iter("title")]
    assert "Published story" in titles
    assert not {"Draft story", "Gone story", "Later story"} & set(titles)
    bodies = [e.text for e in root.iter(f"{{{NS['content']}}}encoded")]
    assert "<p>Full body text.</p>" in bodies


def test_atom_tag_and_author_feeds(client, stories, scaffold):
    tag = stories["tag"]
    root = ET.fromstring(client.get(f"/en/tag/{tag.slug}/atom.xml").content)
    entries = root.findall("atom:entry", NS)
    assert [e.find("atom:title", NS).text for e in entries] == ["Published story"]
    assert entries[0].find("atom:content", NS).attrib["type"] == "html"
    author = scaffold["authors"][0]
    root = ET.fromstring(client.get(f"/en/author/{author.slug}/rss.xml").content)
    assert "Published story" in [t.text for t in root.iter("title")]


@pytest.mark.parametrize("url", ["/xx/rss.xml", "/en/section/nope/rss.xml",
                                 "/en/tag/nope/atom.xml", "/en/author/nobody/rss.xml"])
def test_unknown_feed_targets_404(client, stories, url):
    assert client.get(url).status_code == 404


def test_feed_query_count_is_fixed(client, make_article, django_assert_max_num_queries):
    for _ in range(5):
        make_article()
    with django_assert_max_num_queries(5) as first:
        client.get("/en/rss.xml")
    for _ in range(10):
        make_article()
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/en/rss.xml")


def test_sitemap_index_chunks_and_news(client, stories):
    article = stories["published"]
    index = ET.fromstring(client.get("/sitemap.xml").content)
    locations = [e.text for e in index.iter(f"{{{NS['sm']}}}loc")]
    local = timezone.localtime(article.published_at)
    chunk = f"/sitemap-en-{local:%Y-%m}.xml"
    assert any(loc.endswith(chunk) for loc in locations)
    assert any(loc.endswith("/sitemap-sections.xml") for loc in locations)
    urls = [e.text for e in ET.fromstring(client.get(chunk).content).iter(f"{{{NS['sm']}}}loc")]
    assert urls == [f"http://127.0.0.1:8000{article.get_absolute_url()}"]
    news = ET.fromstring(client.get("/news-sitemap.xml").content)
    titles = [e.text for e in news.iter(f"{{{NS['news']}}}title")]
    assert titles == ["Published story"]
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=3))
    pagecache.bump()  # a raw update goes round the actions that would do this
    assert b"Published story" not in client.get("/news-sitemap.xml").content
    assert client.get("/sitemap-en-2024-13.xml").status_code == 404


def test_robots_names_the_sitemaps(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_json_ld_and_hreflang(client, make_article):
    en = make_article(language="en", headline='Evil </script><script>alert(1)</script> & "x"')
    ru = make_article(language="ru", headline="Перевод")
    Article.objects.filter(pk=ru.pk).update(translation_key=en.translation_key)
    html = client.get(en.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    news, crumbs = json.loads(block)
    assert news["@type"] == "NewsArticle" and news["headline"].startswith("Evil </script>")
    assert news["author"][0]["name"] and news["datePublished"]
    assert [i["position"] for i in crumbs["itemListElement"]] == [1, 2, 3]
    assert 'hreflang="ru"' in html and 'hreflang="x-default"' in html
    assert '<link rel="canonical" href="http://127.0.0.1:8000/en/news/' in html
    assert 'property="og:title"' in html


@pytest.mark.parametrize("url", ["/en/rss.xml", "/rss.xml", "/en/atom.xml", "/sitemap.xml",
                                 "/news-sitemap.xml", "/sitemap-sections.xml", "/robots.txt"])
def test_feeds_and_sitemaps_come_from_the_page_cache(client, stories, url, editor,
                                                     django_assert_num_queries,
                                                     django_capture_on_commit_callbacks):
    """Feed readers poll all day, and a flood aimed at a feed must not reach the database."""
    first = client.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "MISS"
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second["X-Page-Cache"] == "HIT" and second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(stories["draft"], editor)
    after = client.get(url)
    if url in ("/sitemap-sections.xml", "/robots.txt"):
        # Render on write: a publication does not change them, and they are kept.
        assert after["X-Page-Cache"] == "HIT" and after.content == first.content
    else:
        # Changed: the entry kept for this host is not served (the publication rendered
        # the new one for the site's own address, SITE_URL).
        assert after["X-Page-Cache"] == "MISS"


@pytest.mark.parametrize("url", ["/rss.xml", "/atom.xml", "/en/rss.xml", "/en/atom.xml"])
def test_feeds_are_the_same_for_every_language_and_host(client, make_article, settings, url):
    """The site-wide feed was cached in the language of its first reader, and every feed
    named the host it was asked on (issue 22, finding 14)."""
    settings.SITE_URL = "https://news.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example.net"]
    make_article()
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="ru", HTTP_HOST="mirror.example.net")
    assert first["X-Page-Cache"] == "MISS"
    from django.core.cache import cache

    cache.clear()  # a fresh render to compare with
    second = client.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="localhost")
    assert second["X-Page-Cache"] == "MISS"
    assert first.content == second.content
    assert b"mirror.example.net" not in first.content and b"localhost" not in first.content
    assert b"https://news.example.org" in first.content
