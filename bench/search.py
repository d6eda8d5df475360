"""Search latency against one archive: print medians per query as JSON.

Run by bench/run.py for two archive sizes, alternating, so drift on a shared machine hits
both alike. Each query goes through samizdat.search.query.search (the engine, ranking and
snippets; the page itself adds the same template work at any size) and through the whole
search page in Django's test client. The index is built first if the archive predates it.
"""

import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samizdat.settings")
os.environ["CACHE_URL"] = "dummycache://"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from samizdat.newsroom.models import Article, Author, Edition, Section  # noqa: E402
from samizdat.search.engines import engine  # noqa: E402
from samizdat.search.query import search  # noqa: E402

# Demo text is built from a few hundred phrases, so every word is common: these are the
# expensive cases, not the easy ones a rare name would give.
QUERIES = {
    "ru: one word": ("ru", "журналисты", {}),
    "ru: two words": ("ru", "аресты Минск", {}),
    "ru: phrase": ("ru", '"закрытии школы"', {}),
    "be: one word": ("be", "палітвязняў", {}),
    "en: two words, one section": ("en", "prices schools", {"section": True}),
    "en: one word, one author": ("en", "teachers", {"author": True}),
    "en: one word, one year": ("en", "border", {"year": True}),
    "ru: no match": ("ru", "трамвай", {}),
}


def ensure_index() -> None:
    published = Article.objects.published().count()
    if engine().count() < published:
        call_command("search_index")


def run(repeats: int) -> dict:
    ensure_index()
    editions = {e.language: e for e in Edition.objects.all()}
    middle = Article.objects.published().order_by("published_at", "id")
    middle = middle[middle.count() // 2]
    client = Client(REMOTE_ADDR="10.0.0.1")
    out = {}
    for name, (language, text, opts) in QUERIES.items():
        kwargs = {"editions": [editions[language]]}
        params = {"q": text}
        if opts.get("section"):
            kwargs["section"] = Section.objects.filter(edition=editions[language]).first()
            params["section"] = kwargs["section"].slug
        if opts.get("author"):
            kwargs["author"] = Author.objects.order_by("id").first()
            params["author"] = kwargs["author"].slug
        if opts.get("year"):
            year = middle.published_at.year
            kwargs["date_from"] = middle.published_at.date().replace(month=1, day=1)
            kwargs["date_to"] = middle.published_at.date().replace(month=12, day=31)
            params.update(date_from=f"{year}-01-01", date_to=f"{year}-12-31")
        search(text, **kwargs)  # warm
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            results = search(text, **kwargs)
            times.append((time.perf_counter() - start) * 1000)
        page_times = []
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/{language}/search/", params)
        for _ in range(repeats):
            start = time.perf_counter()
            response = client.get(f"/{language}/search/", params)
            page_times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (name, response.status_code)
        out[name] = {"ms": statistics.median(times), "page_ms": statistics.median(page_times),
                     "total": results.total, "capped": results.capped,
                     "queries": len(ctx.captured_queries), "error": results.error}
    return out


if __name__ == "__main__":
    from django.conf import settings

    settings.SEARCH_RATE_LIMIT = 10**9
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 10)))
