"""Every reader-facing form and endpoint, fed the hostile corpus (tests/security/hostile.py):
never a 500, never the input reflected as live markup (issue 22, finding 8)."""

import json
from urllib.parse import quote as _quote

import pytest
from django.core.signals import got_request_exception
from django.test import Client

from .hostile import JSON_BODIES, corpus, is_markup

pytestmark = pytest.mark.django_db


def quote(value: str, safe: str = "") -> str:
    """Percent-encoded as a client sends it: lone surrogates become the bytes a careless
    encoder writes for them (invalid UTF-8)."""
    return _quote(value.encode("utf-8", "surrogatepass"), safe=safe)


def encoded(fields: dict) -> str:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in fields.items())


@pytest.fixture
def site(settings, make_article):
    """One published article with a comment thread, and limits out of the corpus's way."""
    from samizdat.comments import services

    settings.SEARCH_RATE_LIMIT = 10**9
    settings.API_RATE_LIMIT = 0
    settings.COMMENTS_CLIENT_LIMIT = settings.COMMENTS_CLIENT_HARD_LIMIT = 10**9
    settings.COMMENTS_ARTICLE_LIMIT = 10**9
    settings.PROXY_COUNT = 1
    article = make_article(headline="Minsk court hearing", slug="minsk-court-hearing")
    comment = services.post(article, services.Draft(name="Ales", body="First comment"), "c" * 32)
    return {"article": article, "comment": comment}


class Probe:
    """A client that records every answer a 5xx or a live reflection of what it sent."""

    def __init__(self):
        self.client = Client(raise_request_exception=False, HTTP_SEC_FETCH_SITE="same-origin")
        self.failures: list[str] = []
        self.sent = 0
        self.errors: list[BaseException] = []

    def __call__(self, label, value, method, path, query=None, form=None, **kwargs):
        self.sent += 1
        if query is not None:
            path += "?" + encoded(query)
        if form is not None:
            kwargs.update(data=encoded(form), content_type="application/x-www-form-urlencoded")
        response = getattr(self.client, method)(path, **kwargs)
        body = response.content.decode("utf-8", "replace")
        if response.status_code >= 500:
            cause = repr(self.errors[-1])[:200] if self.errors else ""
            self.failures.append(f"{label} {value[:60]!r}: {response.status_code} {cause}")
        elif (is_markup(value) and value in body
              and response.get("Content-Type", "").startswith("text/html")):
            self.failures.append(f"{label} {value[:60]!r}: reflected unescaped")
        self.errors.clear()
        return response


@pytest.fixture
def probe():
    probe = Probe()

    def record(sender, request=None, **kwargs):
        import sys

        probe.errors.append(sys.exc_info()[1])

    got_request_exception.connect(record)
    yield probe
    got_request_exception.disconnect(record)


def report(probe: Probe) -> None:
    assert not probe.failures, f"{len(probe.failures)} of {probe.sent}:\n" + "\n".join(
        probe.failures[:40])


def test_the_corpus_is_large_and_hostile():
    strings = corpus()
    assert len(strings) >= 1000
    assert any("\ud800" in s for s in strings) and any(len(s) > 100_000 for s in strings)
    assert sum(is_markup(s) for s in strings) >= 100


def test_search_page_and_api_search(site, probe):
    fields = ["section", "author", "date_from", "date_to", "page", "edition"]  # the form's
    api_fields = ["edition", "section", "author", "from", "to", "cursor"]
    for n, value in enumerate(corpus()):
        probe("search q", value, "get", "/en/search/", query={"q": value})
        probe("search " + fields[n % 6], value, "get", "/en/search/",
              query={"q": "court", fields[n % 6]: value})
        probe("api search q", value, "get", "/api/v1/search", query={"q": value})
        probe("api search " + api_fields[n % 6], value, "get", "/api/v1/search",
              query={"q": "court", api_fields[n % 6]: value})
    dates = [v for v in corpus() if v[:1].isdigit() or v[:1] == "-"]
    for value in dates:
        for first, last in ((value, "2024-01-01"), ("2024-01-01", value), ("0001-01-01", value)):
            probe("search dates", value, "get", "/en/search/",
                  query={"q": "court", "date_from": first, "date_to": last})
            probe("api search dates", value, "get", "/api/v1/search",
                  query={"q": "court", "from": first, "to": last})
    report(probe)


def test_api_lists(site, probe):
    lists = [("articles", "edition"), ("articles", "section"), ("articles", "tag"),
             ("articles", "author"), ("articles", "cursor"), ("articles", "limit"),
             ("tags", "edition"), ("tags", "cursor"), ("authors", "cursor"),
             ("sections", "edition")]
    for n, value in enumerate(corpus()):
        name, field = lists[n % len(lists)]
        probe(f"api {name} {field}", value, "get", f"/api/v1/{name}", query={field: value})
        probe("api article id", value, "get", f"/api/v1/articles/{quote(value, safe='')}")
    report(probe)


def test_comment_form_and_json(site, probe):
    article = site["article"]
    url = f"/en/comments/{article.pk}/post/"
    fields = ["name", "body", "email", "parent", "puzzle", "answer"]
    for n, value in enumerate(corpus()):
        address = f"198.51.{n // 250}.{n % 250}"
        data = {"name": "Ales", "body": f"Comment {n}", "email": "", "website": "",
                fields[n % 6]: value}
        probe("comment form " + fields[n % 6], value, "post", url, form=data,
              HTTP_X_FORWARDED_FOR=address)
        probe("comment json " + fields[(n + 3) % 6], value, "post", url,
              data=json.dumps({**data, fields[n % 6]: f"Comment {n}",
                               fields[(n + 3) % 6]: value}),
              content_type="application/json", HTTP_X_FORWARDED_FOR=address)
    for n, value in enumerate(v for v in corpus() if "@" in v):
        probe("comment email", value, "post", url, form={
            "name": "Ales", "body": f"Mail {n}", "email": value, "website": ""})
    for body in JSON_BODIES:
        probe("comment json body", body, "post", url, data=body,
              content_type="application/json")
    report(probe)


def test_paths_tokens_and_headers(site, probe, settings):
    comment = site["comment"]
    for n, value in enumerate(corpus()):
        part = quote(value, safe="")
        probe("path", value, "get", f"/en/{part}/")
        probe("path kind", value, "get", ["/en/tag/{}/", "/en/section/{}/", "/en/author/{}/",
                                          "/en/news/{}/", "/en/news/{}/01/",
                                          "/en/preview/{}/"][n % 6].format(part))
        probe("token", value, "get", f"/en/comments/email/"
              f"{'confirm' if n % 2 else 'unsubscribe'}/{part}/")
        probe("unsubscribe post", value, "post", f"/en/comments/email/unsubscribe/{part}/")
        header = value.encode("utf-8", "surrogatepass").decode("latin-1")
        probe(["Accept-Language", "X-Forwarded-For", "Origin", "If-None-Match"][n % 4], value,
              "get", "/en/", **{["HTTP_ACCEPT_LANGUAGE", "HTTP_X_FORWARDED_FOR", "HTTP_ORIGIN",
                                  "HTTP_IF_NONE_MATCH"][n % 4]: header})
        probe("report origin", value, "post", f"/en/comments/report/{comment.pk}/",
              HTTP_ORIGIN=header, HTTP_SEC_FETCH_SITE="")
    # The monitoring endpoints: a token, a query and a forwarded address from anyone.
    settings.HEALTH_TOKEN = settings.METRICS_TOKEN = "the-right-token"
    for n, value in enumerate(corpus()):
        header = value.encode("utf-8", "surrogatepass").decode("latin-1")
        probe("monitoring", value, "get", ["/healthz", "/healthz/deep", "/metrics"][n % 3],
              query={"deep": value}, HTTP_AUTHORIZATION=f"Bearer {header}",
              HTTP_X_FORWARDED_FOR=header)
    for year in ("0001", "0000", "9999", "1899", "2201"):
        for path in (f"/en/news/{year}/", f"/en/news/{year}/12/", f"/en/news/{year}/12/31/",
                     f"/en/news/{year}/01/01/minsk-court-hearing/",
                     f"/en/news/{year}/older/1-1/", f"/en/news/{year}/12/31/newer/1-1/"):
            probe("dated path", path, "get", path)
    report(probe)


def test_newsletter_form_tokens_and_feeds(site, probe, settings):
    """The subscribe form (on every page, no token), the confirm and unsubscribe links, and
    the JSON feeds' slugs."""
    from tests.newsletter.conftest import KEY

    settings.NEWSLETTER_SUBSCRIBER_KEY = KEY
    fields = ["email", "digest", "alerts", "website"]
    for n, value in enumerate(corpus()):
        address = f"198.51.{n // 250}.{n % 250}"
        data = {"email": f"reader{n}@mail.example", "digest": "1", "website": "",
                fields[n % 4]: value}
        probe("subscribe " + fields[n % 4], value, "post", "/en/newsletter/subscribe/",
              form=data, HTTP_X_FORWARDED_FOR=address)
        part = quote(value, safe="")
        for kind in ("confirm", "unsubscribe"):
            probe(kind, value, ["get", "post"][n % 2], f"/en/newsletter/{kind}/{part}/",
                  HTTP_X_FORWARDED_FOR=address)
        probe("json feed", value, "get", ["/en/tag/{}/feed.json", "/en/section/{}/feed.json",
                                          "/en/author/{}/feed.json", "/{}/feed.json"][n % 4]
              .format(part))
    report(probe)
