"""Render reader pages in-process against one database and print timings, queries and bytes as JSON.

Run by bench/run.py once per archive size and round; the page cache is off (dummy cache)
so every request renders the page for real.
"""

import gzip
import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samizdat.settings")
os.environ["CACHE_URL"] = "dummycache://"

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from samizdat.newsroom.models import Article, Author, Section, Tag  # noqa: E402


def pick_urls(language: str = "en") -> dict[str, str]:
    """The same kinds of page at the same relative place in any archive size."""
    published = Article.objects.published().filter(edition__language=language)
    total = published.count()
    middle = published.order_by("published_at", "id")[total // 2]
    section = Section.objects.filter(edition__language=language).order_by("position").first()
    tag = Tag.objects.filter(edition__language=language).order_by("id").first()
    author = Author.objects.order_by("id").first()
    year = middle.published_at.year
    client = Client()
    # A deep "older" page: follow the cursor of the middle article in its section.
    from samizdat.site.pagination import encode

    return {
        "home": f"/{language}/",
        "article": middle.get_absolute_url(),
        "article (text-only)": middle.get_absolute_url().replace(
            f"/{language}/", f"/{language}/lite/", 1),
        "section": section.get_absolute_url(),
        "section-deep": f"/{language}/section/{section.slug}/older/{encode(middle)}/",
        "tag": tag.get_absolute_url(),
        "author": author.get_absolute_url(language),
        "archive-year": f"/{language}/news/{year}/",
        "archive-day": f"/{language}/news/{middle.pub_date:%Y/%m/%d}/",
        "latest-deep": f"/{language}/news/older/{encode(middle)}/",
        "_client": client,
    }


def measure(rounds: int) -> dict:
    urls = pick_urls()
    client = urls.pop("_client")
    results = {}
    for name, url in urls.items():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{name} {url}: HTTP {response.status_code}")
        reset_queries()  # each request resets the log; start from empty so nothing is lost
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        query_count = len(queries)  # read now: the next request empties the log it slices
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
        results[name] = {
            "url": url,
            "ms": statistics.median(times) * 1000,
            "queries": query_count,
            "bytes": len(response.content),
            "gzip_bytes": len(gzip.compress(response.content, 6)),
        }
    return results


if __name__ == "__main__":
    if sys.argv[1:] == ["--urls"]:
        urls = pick_urls()
        urls.pop("_client")
        json.dump(urls, sys.stdout)
    else:
        json.dump(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 30), sys.stdout)
