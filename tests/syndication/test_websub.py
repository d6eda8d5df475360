"""WebSub, JSON Feed and link previews: feeds name their hubs and a publication pings them
(a hub on loopback speaking the publish side of WebSub); JSON Feed 1.1 beside RSS and Atom;
og:image, twitter:image and NewsArticle image from the main photo."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import jsonschema
import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samizdat.newsroom import services
from samizdat.photos import samples
from samizdat.photos.services import ingest
from samizdat.syndication import tasks, websub

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(__file__).parent / "data" / "jsonfeed-1.1.schema.json").read_text())


class Hub:
    """A WebSub hub's publish endpoint: records each ping, answers 204 (or `status`)."""

    def __init__(self):
        self.pings: list[dict] = []
        self.status = 204
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                body = parse_qs(self.rfile.read(length).decode())
                hub.pings.append({"type": self.headers["Content-Type"], **{
                    k: v[0] for k, v in body.items()}})
                self.send_response(hub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def topics(self) -> set[str]:
        return {p["hub.url"] for p in self.pings}


@pytest.fixture
def hub(settings):
    hub = Hub()
    settings.WEBSUB_HUBS = [hub.url]
    yield hub
    hub.server.shutdown()
    hub.server.server_close()


@pytest.fixture
def story(make_article, scaffold, editor):
    photo = ingest(samples.jpeg(1600, 1000), alt_text="Riot police on the square", user=editor)
    tag = scaffold["tags"]["en"][0]
    return make_article(headline="Courts & <prisoners>", lead="Lead of the story.",
                        tag_ids=[tag.pk], hero_photo=photo)


def test_feeds_name_their_hubs_and_themselves(client, hub, story, settings):
    for path, kind in (("/en/rss.xml", "rss20"), ("/en/atom.xml", "atom10")):
        parsed = feedparser.parse(client.get(path).content)
        assert parsed.version == kind and not parsed.bozo, path
        links = {(link["rel"], link["href"]) for link in parsed.feed.links}
        assert ("hub", hub.url) in links, path
        assert ("self", settings.SITE_URL + path) in links, path
    feed = client.get("/en/feed.json").json()
    assert feed["hubs"] == [{"type": "WebSub", "url": hub.url}]
    assert feed["feed_url"] == settings.SITE_URL + "/en/feed.json"


def test_no_hub_configured_names_none(client, story, settings):
    settings.WEBSUB_HUBS = []
    assert b'rel="hub"' not in client.get("/en/rss.xml").content
    assert "hubs" not in client.get("/en/feed.json").json()


@pytest.mark.parametrize("path", ["/feed.json", "/en/feed.json", "/en/section/belarus/feed.json"])
def test_json_feed_is_valid_json_feed_1_1(client, story, path, settings):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = response.json()
    jsonschema.validate(feed, SCHEMA, format_checker=jsonschema.FormatChecker())
    (item,) = [i for i in feed["items"] if i["title"] == story.headline]
    assert item["url"] == settings.SITE_URL + story.get_absolute_url()
    assert item["content_html"] == story.body and item["summary"] == "Lead of the story."
    assert item["language"] == "en" and item["authors"][0]["name"]
    for stamp in (item["date_published"], item["date_modified"]):
        assert datetime.datetime.fromisoformat(stamp).tzinfo is not None
    for url in (feed["home_page_url"], feed["feed_url"], item["url"], item["image"]):
        assert url.startswith(settings.SITE_URL + "/"), url  # this site only
    assert item["image"].endswith(".jpg")


def test_json_feed_leaves_out_what_readers_may_not_see(client, make_article, editor):
    draft = make_article(headline="Not yet", status="draft")
    gone = make_article(headline="Taken down")
    services.unpublish(gone, editor)
    titles = [i["title"] for i in client.get("/en/feed.json").json()["items"]]
    assert draft.headline not in titles and gone.headline not in titles


@pytest.mark.django_db(transaction=True)  # the worker's own connection handling
def test_publication_pings_the_hub_for_every_feed_showing_the_article(
        hub, make_article, scaffold, settings, django_capture_on_commit_callbacks):
    tag = scaffold["tags"]["en"][1]
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(headline="Pinged", tag_ids=[tag.pk])
    assert hub.pings == []  # not while the editor waits: the task queue's worker does it
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    site = settings.SITE_URL
    author = article.bylines.get().author
    expected = {site + path for path in (
        "/rss.xml", "/atom.xml", "/feed.json", "/en/rss.xml", "/en/feed.json",
        f"/en/section/{article.section.slug}/atom.xml", f"/en/tag/{tag.slug}/rss.xml",
        f"/en/author/{author.slug}/feed.json")}
    assert expected <= hub.topics()
    assert all(p["hub.mode"] == "publish" for p in hub.pings)
    assert {p["type"] for p in hub.pings} == {"application/x-www-form-urlencoded"}
    assert not any("/ru/" in t or "/be/" in t for t in hub.topics())


@pytest.mark.django_db(transaction=True)  # the worker's own connection handling
def test_an_unpublication_pings_too_and_a_draft_does_not(
        hub, make_article, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article(headline="Quiet draft", status="draft")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert hub.pings == []
    article = make_article(headline="Soon gone")
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish(article, editor)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert any(t.endswith("/en/rss.xml") for t in hub.topics())
    assert draft.status == "draft"


def test_a_refusing_hub_is_tried_again_later_then_given_up_on(hub, settings):
    hub.status = 503
    topic = settings.SITE_URL + "/en/rss.xml"
    assert tasks.ping_hubs.call([topic]) == 0
    again = DBTaskResult.objects.get(task_path=tasks.ping_hubs.module_path)
    assert again.run_after > timezone.now() + datetime.timedelta(seconds=30)
    assert again.args_kwargs["args"] == [[topic], [hub.url], 2]
    assert tasks.ping_hubs.call([topic], [hub.url], tasks.ATTEMPTS) == 0
    assert DBTaskResult.objects.count() == 1  # the last attempt enqueues nothing more
    hub.status = 202
    assert tasks.ping_hubs.call([topic], [hub.url], 2) == 1
    assert len(hub.pings) == 3


def test_an_unreachable_hub_is_a_failure_not_a_crash(settings):
    dead = f"http://127.0.0.1:{_closed_port()}/hub"
    assert websub.ping_all(["https://news.example/en/rss.xml"], [dead]) == [
        (dead, "https://news.example/en/rss.xml")]


def _closed_port() -> int:
    from tests.net import free_port

    return free_port()


def test_link_previews_show_the_main_photo(client, story, settings):
    html = client.get(story.get_absolute_url()).content.decode()
    photo = story.hero_photo
    name, width = photo.share_rendition()
    image = settings.SITE_URL + photo.url(name)
    assert f'<meta property="og:image" content="{image}">' in html
    assert f'<meta property="og:image:width" content="{width}">' in html
    assert '<meta property="og:image:alt" content="Riot police on the square">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta name="twitter:image" content="{image}">' in html
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    news = json.loads(block)[0]
    assert news["image"][0]["url"] == image and news["image"][0]["width"] == width
    assert "<prisoners>" not in block and "\\u003Cprisoners\\u003E" in block
    assert urlsplit(image).netloc == urlsplit(settings.SITE_URL).netloc
    assert width <= 1200


def test_without_a_main_photo_the_card_is_a_summary(client, make_article):
    html = client.get(make_article(headline="Words only").get_absolute_url()).content.decode()
    assert "og:image" not in html and '<meta name="twitter:card" content="summary">' in html
