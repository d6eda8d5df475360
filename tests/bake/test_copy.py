"""The baked copy of a demo newsroom: every public page and nothing else, every link
opening a file of the copy, dynamic parts pointing to the live site."""

from pathlib import Path

import pytest
from django.conf import settings

from samizdat.bake.links import file_of
from samizdat.mirrors.models import Mirror
from samizdat.newsroom.models import Article, DonationMethod, SocialAccount
from samizdat.site.helpers import lite

from .conftest import Links, resolve

pytestmark = pytest.mark.django_db

# Share buttons: plain links to each network's share page (site.helpers.SHARE_TARGETS).
SHARE = ("https://t.me/share/url?", "https://www.facebook.com/sharer/sharer.php?",
         "https://x.com/intent/post?", "https://vk.com/share.php?", "https://wa.me/?", "mailto:")
# Videos in a text are links to the video's page (photos.embeds).
VIDEO = ("https://www.youtube.com/watch?v=", "https://vimeo.com/")
# What the copy cannot answer itself, on the live site.
DYNAMIC = ("search", "comments", "popular", "lite")


def allowed_links() -> dict[str, tuple[str, ...]]:
    """The absolute addresses a page of the copy may name, by kind."""
    site = settings.SITE_URL
    languages = [code for code, _ in settings.LANGUAGES]
    newsroom = [a.url for a in SocialAccount.objects.all()]
    newsroom += [m.url for m in DonationMethod.objects.exclude(url="")]
    newsroom += [m.public_url for m in Mirror.objects.exclude(public_url="")]
    return {
        # Canonical, hreflang alternates and og:url name the main site, as on the live site.
        "main site": (f"{site}/",),
        "live site": tuple(f"{site}/{lang}/{part}/" for lang in languages for part in DYNAMIC),
        # The Mirrors page lists the main site's editions among the other addresses.
        "editions": tuple(f"{host}/{lang}/" for lang in languages
                          for host in (site, f"http://{settings.ONION_ADDRESS}")),
        "outside": (*SHARE, *VIDEO, *newsroom),
        # What only the live site does (comments, search), on the site and on its onion.
        "elsewhere": (f"{site}/", f"http://{settings.ONION_ADDRESS}/"),
    }


def check_links(root: Path) -> tuple[list[str], int]:
    """Problems with the links of every HTML file under `root`, and how many links there were."""
    allowed = allowed_links()
    problems, count = [], 0
    root = root.resolve()
    for page in root.rglob("*.html"):
        where = page.relative_to(root)
        for tag, attribute, kind, link in Links(page.read_text()).found:
            count += 1
            if link.startswith("#") or kind == "icon" and link.startswith("data:image/"):
                continue
            if link.startswith("/"):
                problems.append(f"{where}: root-relative {link}")
            elif "://" in link or link.startswith(("//", "mailto:")):
                if kind in ("canonical", "alternate", "og:url") and link.startswith(
                        allowed["main site"]):
                    continue
                if tag == "form" and not link.startswith(allowed["live site"]):
                    problems.append(f"{where}: form posts to {link}")
                elif "ugc" in kind.split():
                    continue  # a link a reader wrote in a comment
                elif link in allowed["editions"]:
                    continue
                elif kind == "" and link.startswith(allowed["elsewhere"]) and (
                        link.endswith("#write-h") or "/search/" in link):
                    continue
                elif not link.startswith((*allowed["live site"], *allowed["outside"])):
                    problems.append(f"{where}: {tag} {attribute} leads away to {link}")
            else:
                target = resolve(page, link)
                if not target.is_relative_to(root) or not target.is_file():
                    problems.append(f"{where}: {tag} {attribute}={link} opens nothing")
    return problems, count


def pager(page: Path, rel: str) -> Path | None:
    """The page a listing's "next" (older) or "prev" (newer) link opens."""
    links = [link for _, _, kind, link in Links(page.read_text()).found if kind == rel]
    assert len(links) <= 1
    return resolve(page, links[0]) if links else None


def test_every_link_in_the_copy_opens_a_file_of_the_copy(demo_copy):
    out = demo_copy["out"]
    problems, count = check_links(out)
    assert count > 10_000
    assert not problems, "\n".join(problems[:20])
    en = out / "en"
    # The listings' "older" chains were walked, and "newer" links lead back along them.
    chain = [(en / "news" / "index.html").resolve()]
    while following := pager(chain[-1], "next"):
        chain.append(following)
    assert len(chain) >= 3 and chain[1].match("news/older/*/index.html")
    assert [pager(page, "prev") for page in chain] == [None, *chain[:-1]]
    for listing in ("section/*", "tag/*", "author/*", "news/2*"):  # 2*: year archives
        assert list(out.glob(f"*/{listing}/older/*/index.html")), listing
    assert list(en.glob("news/2*/[01]*/[0-3]*/index.html"))  # day archives
    # Feeds, sitemaps, robots.txt, the favicon, static files and the photos pages show.
    for name in ("rss.xml", "atom.xml", "sitemap.xml", "news-sitemap.xml", "robots.txt",
                 "favicon.ico", "en/rss.xml", "static/site/site.css"):
        assert (out / name).is_file(), name
    assert b"<rss" in (out / "en" / "rss.xml").read_bytes()
    assert settings.SITE_URL.encode() in (out / "sitemap.xml").read_bytes()
    assert list(out.glob("media/photos/*/*/*.jpg"))
    assert demo_copy["summary"].missing == []


def test_dynamic_parts_point_to_the_live_site_and_the_reading_beacon_is_gone(demo_copy):
    article = Article.objects.published().filter(edition__language="en").select_related(
        "edition").order_by("-published_at").first()
    html = (demo_copy["out"] / file_of(article.get_absolute_url()).lstrip("/")).read_text()
    site = settings.SITE_URL
    path = article.get_absolute_url()
    onion = f"http://{settings.ONION_ADDRESS}"
    assert f'action="{site}/en/search/"' in html
    assert f'href="{onion}/en/search/"' in html
    # A comment posted from a copy's origin would be refused as cross-site: the copy sends
    # readers to write it on the site itself, or through Tor.
    assert "<form class=\"comment-form\"" not in html and "comments.js" not in html
    assert f'href="{site}{path}#write-h"' in html and f'href="{onion}{path}#write-h"' in html
    assert f'<link rel="canonical" href="{site}{path}">' in html
    assert "read.js" not in html and "/read/" not in html
    assert "<script src" not in html  # a copy's article runs no script at all


def test_published_articles_have_pages_and_nothing_else_does(demo_copy):
    out, articles = demo_copy["out"], demo_copy["articles"]
    published = Article.objects.published().select_related("edition")
    assert published.count() > 20
    for article in published:
        assert (out / file_of(article.get_absolute_url()).lstrip("/")).is_file(), article
        # Its text-only version too, with no script and no picture.
        lite_page = out / file_of(lite(article.get_absolute_url())).lstrip("/")
        assert "<script" not in lite_page.read_text() and "<img" not in lite_page.read_text()
    hidden = [articles["draft"], articles["scheduled"], articles["unpublished"]]
    for article in hidden:
        assert not (out / file_of(article.get_absolute_url()).lstrip("/")).exists()
        assert not (out / file_of(lite(article.get_absolute_url())).lstrip("/")).exists()
    assert not (out / file_of(articles["unpublished-address"]).lstrip("/")).exists()
    text = "".join(p.read_text() for p in out.rglob("*.html"))
    for article in hidden:
        assert article.headline not in text
    assert articles["moved"].headline in text


def test_an_old_address_gets_a_page_sending_readers_on(demo_copy):
    out, articles = demo_copy["out"], demo_copy["articles"]
    old = out / file_of(articles["old-address"]).lstrip("/")
    new = out / file_of(articles["moved"].get_absolute_url()).lstrip("/")
    links = [found for found in Links(old.read_text()).found if found[2] != "icon"]
    assert {kind or attribute for _, attribute, kind, _ in links} == {
        "refresh", "canonical", "href"}
    assert {resolve(old, link) for *_, link in links} == {new.resolve()}
    assert demo_copy["summary"].redirects == 2  # that one, and the copy's front door
    front = [found for found in Links((out / "index.html").read_text()).found
             if found[2] != "icon"]
    assert {resolve(out / "index.html", link) for *_, link in front} == {
        (out / settings.LANGUAGE_CODE / "index.html").resolve()}


def test_redirect_pages_speak_the_edition_language(demo_copy):
    old = demo_copy["out"] / file_of(demo_copy["articles"]["old-address"]).lstrip("/")
    assert '<html lang="en">' in old.read_text()
    assert "Гэтая старонка пераехала." in (demo_copy["out"] / "index.html").read_text()


