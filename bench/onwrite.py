"""Render on write against one archive: print figures as JSON.

Run by bench/run.py once per archive size (SAMIZDAT_VAR_DIR names the archive), in-process
through Django's whole request handling with the local-memory cache and page files:

1. readers ask for a set of pages that existed before (the editions' home pages, their
   lists' first pages, the newest articles and a random draw of older ones, full and
   text-only), so all are cached and written as page files;
2. then, PUBLICATIONS times: an article is written and published through the newsroom's
   actions, and READS random pages of that set are asked for; every answer that was a
   render (X-Page-Cache: MISS) counts.

Both ways side by side, in one process: render on write (bake/onwrite.py), and every page
made stale by each publication (what every publication did before: pagecache.bump). Also
the time from the publication's commit to the switch (the new home page in nginx's folder
and the cache), the pages rendered for it and the page files linked forward. The
articles are deleted afterwards.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samizdat.settings")
os.environ.pop("CACHE_URL", None)  # the default: local memory
os.environ["SAMIZDAT_PAGE_FILES_DIR"] = tempfile.mkdtemp(prefix="samizdat-bench-pages-")

import django  # noqa: E402

django.setup()

from urllib.parse import urlsplit  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from samizdat.bake import onwrite  # noqa: E402
from samizdat.newsroom import services  # noqa: E402
from samizdat.newsroom.models import Article, Edition, Section  # noqa: E402
from samizdat.site import pagecache  # noqa: E402
from samizdat.site.helpers import lite  # noqa: E402

PUBLICATIONS = int(os.environ.get("BENCH_ONWRITE_PUBLICATIONS", 10))
READS = int(os.environ.get("BENCH_ONWRITE_READS", 200))
ARTICLES = int(os.environ.get("BENCH_ONWRITE_ARTICLES", 200))


def pages(rng: random.Random) -> list[str]:
    found = []
    for edition in Edition.objects.all():
        language = edition.language
        found += [f"/{language}/", f"/{language}/news/"]
        found += [section.get_absolute_url() for section in Section.objects.filter(
            edition=edition)]
    newest = list(Article.objects.published().select_related("edition")
                  .order_by("-published_at")[:ARTICLES // 2])
    top = Article.objects.published().order_by("-id").values_list("id", flat=True).first() or 0
    draw = rng.sample(range(1, top + 1), min(top, ARTICLES))
    older = list(Article.objects.published().filter(pk__in=draw).select_related("edition")
                 [:ARTICLES // 2])
    found += [a.get_absolute_url() for a in (*newest, *older)]
    return sorted({each for path in found for each in (path, lite(path))})


def run(mode: str, client: Client, paths: list[str], rng: random.Random, editor) -> dict:
    pagecache.on_write = onwrite.on_write if mode == "on write" else None
    for path in paths:
        client.get(path)
    edition = Edition.objects.order_by("pk").first()
    section = Section.objects.filter(edition=edition).first()
    made, misses, asked, seconds, rendered, linked, missed = [], 0, 0, [], [], [], []
    publish = onwrite.publish

    def timed(change):
        result = publish(change)
        rendered.append(result.get("rendered", 0))
        linked.append(result.get("linked", 0))
        return result

    onwrite.publish = timed
    try:
        for n in range(PUBLICATIONS):
            article = services.create_article(
                editor, edition=edition, section=section, headline=f"Bench story {n} ({mode})",
                slug=f"bench-onwrite-{mode.replace(' ', '-')}-{n}-{time.time_ns()}",
                lead="A lead.", body="<p>Text.</p>")
            started = time.perf_counter()
            services.publish(article, editor)  # autocommit: its commit runs the change
            seconds.append(time.perf_counter() - started)
            made.append(article.pk)
            home = client.get(f"/{edition.language}/")
            assert article.headline.encode() in home.content, "the home page is behind"
            for path in rng.choices(paths, k=READS):
                asked += 1
                if client.get(path).get("X-Page-Cache") == "MISS":
                    misses += 1
                    missed.append(path)
    finally:
        onwrite.publish = publish
        Article.objects.filter(pk__in=made).delete()
        pagecache.bump()
    return {"requests": asked, "misses": misses, "miss_share": misses / asked,
            "publish_ms_median": statistics.median(seconds) * 1000,
            "publish_ms_max": max(seconds) * 1000,
            "rendered": statistics.median(rendered) if rendered else 0,
            "linked": statistics.median(linked) if linked else 0,
            "missed": sorted(set(missed))[:10]}


def main() -> None:
    rng = random.Random(7)
    editor = get_user_model().objects.filter(is_superuser=True).first()
    host = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
    client = Client(HTTP_HOST=host)
    paths = pages(rng)
    results = {"pages": len(paths), "publications": PUBLICATIONS, "reads": READS}
    for mode in ("every page stale", "on write"):
        results[mode] = run(mode, client, paths, random.Random(11), editor)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
