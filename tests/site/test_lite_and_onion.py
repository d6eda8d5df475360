"""The text-only edition (/{lang}/lite/…) and the onion address: the same views and data,
lighter pages, and a site that answers on its onion host."""

import gzip
import re
from pathlib import Path

import pytest

from samizdat.photos import samples
from samizdat.photos.models import GalleryItem
from samizdat.photos.services import ingest

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parents[2] / "src/samizdat/site/static/site/lite.css"
ONION = "samizdatexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"


def test_lite_article_is_text_with_links_to_photos_under_10_kb(client, make_article, settings,
                                                               editor):
    paragraph = "<p>" + " ".join(["The committee heard evidence from witnesses"] * 30) + "</p>"
    photo = ingest(samples.jpeg(1000, 700), alt_text="A crowd in the square", user=editor)
    article = make_article(headline="Long read", body=paragraph * 8 + f"<p>[photo {photo.pk}]</p>",
                           hero_photo=photo)
    GalleryItem.objects.create(article=article, photo=photo, position=0, caption="The square")
    path = article.get_absolute_url()
    lite_path = path.replace("/en/", "/en/lite/", 1)
    response = client.get(lite_path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Long read" in html and "committee heard evidence" in html
    assert not re.search(r"<(img|picture|script|iframe|video|svg)\b", html)
    assert html.count(f'href="{photo.get_absolute_url()}"') == 3  # main, in text, report
    assert f'href="{path}"' in html  # the full version
    assert 'href="/en/lite/section/' in html
    for href in re.findall(r'href="(/en/[^"]*)"', html):
        assert (href.startswith("/en/lite/") or href.split("#")[0] == path
                or href in ("/en/rss.xml", "/en/mirrors/")), href
    weight = len(gzip.compress(response.content)) + len(gzip.compress(CSS.read_bytes()))
    assert weight <= 10 * 1024, weight
    assert not response.cookies


def test_every_lite_page_answers_and_others_do_not(client, make_article, scaffold):
    article = make_article(tag_ids=[scaffold["tags"]["en"][0].pk])
    section = scaffold["sections"]["en"][0]
    tag = scaffold["tags"]["en"][0]
    author = scaffold["authors"][0]
    day = article.pub_date
    for path in ("/en/lite/", "/en/lite/news/", f"/en/lite/section/{section.slug}/",
                 f"/en/lite/tag/{tag.slug}/", f"/en/lite/author/{author.slug}/",
                 f"/en/lite/news/{day:%Y}/", f"/en/lite/news/{day:%Y/%m/%d}/",
                 "/en/lite/about/", "/ru/lite/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"Text-only edition" in response.content or path == "/ru/lite/", path
        assert b"<script" not in response.content, path
    assert article.headline.encode() in client.get("/en/lite/").content
    assert client.get("/en/lite/search/", {"q": "x"}).status_code == 404
    assert client.get("/en/lite/no-such-page/").status_code == 404
    # The full site links to it, and caches the two apart.
    assert 'href="/en/lite/"' in client.get("/en/").content.decode()
    assert client.get("/en/lite/")["X-Page-Cache"] == "HIT"
    assert b"Text-only" not in client.get("/en/").content.split(b"<footer")[0]


def test_onion_location_and_the_onion_host(client, make_article, settings):
    settings.ONION_ADDRESS = ONION
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ONION]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    article = make_article()
    path = article.get_absolute_url()
    clearnet = client.get(path, secure=True)
    assert clearnet["Onion-Location"] == f"http://{ONION}{path}"
    assert "Strict-Transport-Security" in clearnet
    assert client.get(path).status_code == 301  # plain HTTP on the clearnet name: to HTTPS
    onion = client.get(path, HTTP_HOST=ONION)
    assert onion.status_code == 200  # no redirect to an HTTPS that has no certificate
    assert "Onion-Location" not in onion and "Strict-Transport-Security" not in onion
    # Links stay on the onion: only canonical links (and the structured data that repeats
    # them) name the main domain; every link a reader follows is a path.
    html = re.sub(r'<link rel="(canonical|alternate)"[^>]*>|<script type="application/ld'
                  r'\+json">.*?</script>', "", onion.content.decode(), flags=re.S)
    internal = [u for u in re.findall(r'(?:href|src|action)="([^"]+)"', html)
                if not u.startswith(("https://", "mailto:"))]
    assert internal and all(u.startswith(("/", "#")) for u in internal), internal


def test_no_onion_location_for_an_overlong_address(client, settings):
    """A path of kilobytes copied into Onion-Location outgrew nginx's buffer for response
    headers (a 502; issue 22, finding 10): such an address gets its 404 without one."""
    settings.ONION_ADDRESS = ONION
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ONION]
    response = client.get("/en/" + "x" * 4000 + "/")
    assert response.status_code == 404 and "Onion-Location" not in response
    assert client.get("/en/no-such-page/")["Onion-Location"].endswith("/en/no-such-page/")
