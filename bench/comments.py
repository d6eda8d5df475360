"""Comment cost against the size of the comments table, side by side.

Two throwaway SQLite databases with the same small newsroom: one with BENCH_COMMENTS_SMALL
(default 10,000) comments, one with BENCH_COMMENTS_LARGE (default 10,000,000). In each:
posting through the real endpoint (median ms and queries per post), and an article page with
5,000 comments rendered uncached (ms, queries, bytes). Prints JSON; bench/run.py writes it
into docs/benchmarks.md.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

POSTS = 200


def build(var: str, comments: int) -> None:
    from photos import setup

    setup(var)
    from samizdat.newsroom import demo

    demo.generate(60, seed=2, stream=open(os.devnull, "w"))  # noqa: SIM115
    fill(comments)


def fill(total: int) -> None:
    """Comments spread over every article, 5,000 of them on the newest; raw inserts."""
    from django.db import connection, transaction

    from samizdat.newsroom.models import Article

    hot = Article.objects.published().order_by("-published_at").values_list("id", flat=True)[0]
    ids = list(Article.objects.published().exclude(pk=hot).values_list("id", flat=True))
    sql = ("INSERT INTO comments_comment (article_id, parent_id, thread_id, depth, name, body,"
           " email, email_confirmed, status, held_for, client, reports, created_at)"
           " VALUES (%s, NULL, NULL, 0, 'Reader', %s, '', 0, %s, '', %s, 0,"
           " '2026-01-01 00:00:00')")
    batch, made = 20000, 0
    started = time.monotonic()
    while made < total:
        count = min(batch, total - made)
        rows = [(hot if made + i < 5000 else ids[(made + i) % len(ids)],
                 f"Comment number {made + i} about the news of the day.",
                 "approved" if (made + i) % 10 else "pending", f"{(made + i) % 65536:032x}")
                for i in range(count)]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        made += count
        if made % 1_000_000 == 0 or made == total:
            print(f"  {made:,} comments ({made / (time.monotonic() - started):,.0f}/s)",
                  file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure() -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from samizdat.comments.models import Comment
    from samizdat.newsroom.models import Article

    settings.ALLOWED_HOSTS = ["*"]
    settings.COMMENTS_ARTICLE_LIMIT = 10**9
    client = Client()
    hot = (Article.objects.published().select_related("edition")
           .order_by("-published_at").first())
    target = (Article.objects.published().select_related("edition")
              .order_by("-published_at")[1])
    url = f"/{target.edition.language}/comments/{target.pk}/post/"
    timings, queries = [], []
    for n in range(POSTS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post(url, {"name": "Bench", "body": f"Posting test {n}"},
                                   HTTP_SEC_FETCH_SITE="same-origin",
                                   REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1")
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
        queries.append(len(captured))
    page = hot.get_absolute_url()
    render = []
    with override_settings(CACHES={"default": {
            "BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        client.get(page)
        for _ in range(20):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(page)
                render.append((time.perf_counter() - start) * 1000)
    return {
        "comments": Comment.objects.count(),
        "on_page_article": Comment.objects.filter(article=hot).count(),
        "post_ms": statistics.median(timings), "post_p90_ms": sorted(timings)[POSTS * 9 // 10],
        "post_queries": max(queries),
        "page_ms": statistics.median(render), "page_queries": len(captured),
        "page_bytes": len(response.content),
    }


def one(size: int) -> dict:
    with tempfile.TemporaryDirectory() as var:
        # Progress goes to the terminal; the figures come back on stdout.
        out = subprocess.run([sys.executable, __file__, "--size", str(size), "--var", var],
                             check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout)


def main() -> None:
    if "--size" in sys.argv:
        size = int(sys.argv[sys.argv.index("--size") + 1])
        build(sys.argv[sys.argv.index("--var") + 1], size)
        print(json.dumps(measure()))
        return
    small = int(os.environ.get("BENCH_COMMENTS_SMALL", 10_000))
    large = int(os.environ.get("BENCH_COMMENTS_LARGE", 10_000_000))
    print(json.dumps({"small": one(small), "large": one(large)}))


if __name__ == "__main__":
    main()
