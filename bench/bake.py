"""Baking against one archive: print figures as JSON.

Run by bench/run.py once per archive size (SAMIZDAT_VAR_DIR names the archive).

- Always: the rate of rendering a random sample of the copy's pages (every kind the
  routes list, drawn uniformly) with two processes, and the time listing them all takes.
  A whole bake of a large archive takes hours; its time is listing + pages / rate.
- With "--full": a whole bake (two processes), then the first sync of a folder mirror and
  of an S3 bucket (moto's server), then publishing one article and timing it into both
  mirrors: the copy's update (bake/update.py) and the syncs, as the task queue runs them
  (only the journal's files are sent, mirrors/sync.py). Then the same syncs compared whole,
  which is what every publication cost before the journal. The article is rolled back after.
"""

import json
import os
import socket
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samizdat.settings")
os.environ.pop("CACHE_URL", None)  # the default: local memory

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402

from samizdat.bake.baker import bake  # noqa: E402
from samizdat.bake.update import update  # noqa: E402
from samizdat.mirrors.models import Mirror  # noqa: E402
from samizdat.mirrors.sync import sync_all  # noqa: E402
from samizdat.newsroom import services  # noqa: E402
from samizdat.newsroom.models import Article, Edition, Section, Tag  # noqa: E402

SAMPLE = int(os.environ.get("BENCH_BAKE_SAMPLE", 3000))


def sampled(out: Path) -> dict:
    summary = bake(out, workers=2, sample=SAMPLE)
    return {"listed": summary.listed, "listing_s": summary.listing_seconds,
            "sample": summary.pages, "sample_rate": summary.pages_per_second}


def full(out: Path) -> dict:
    summary = bake(out, workers=2)
    result = {"pages": summary.pages, "seconds": summary.seconds,
              "rate": summary.pages_per_second,
              "files": sum(1 for p in out.resolve().rglob("*") if p.is_file())}
    with transaction.atomic(), _bucket() as endpoint:
        Mirror.objects.all().delete()
        Mirror.objects.create(name="bench", kind=Mirror.Kind.FOLDER, target=str(out.parent / "m"))
        Mirror.objects.create(name="bucket", kind=Mirror.Kind.S3, target="bench",
                              endpoint_url=endpoint)
        started = time.monotonic()
        sync_all(out)
        result["first_sync_s"] = time.monotonic() - started
        editor = get_user_model().objects.get(username="editor")
        edition = Edition.objects.get(language="en")
        # Timed from the editor's click: the article is written and published, then the
        # task's work (what the queue's worker does at once) brings it to the mirrors.
        started = time.monotonic()
        article = services.create_article(
            editor, edition=edition, section=Section.objects.filter(edition=edition).first(),
            headline="Benchmark: published to the mirror", slug="bench-publish-to-mirror",
            lead="A lead.", body="<p>A body.</p>", author_ids=[],
            tag_ids=list(Tag.objects.filter(edition=edition).values_list("pk", flat=True)[:2]))
        services.publish(article, editor)
        done = update([article.pk], out)
        synced = time.monotonic()
        outcomes = sync_all(out)
        result["publish_to_mirror_s"] = time.monotonic() - started
        result["sync_s"] = time.monotonic() - synced
        result["sync_sent"] = {name: o.sent for name, o in outcomes.items()}
        result["update_s"] = done.seconds
        result["update_files"] = len(done.written)
        path = Article.objects.get(pk=article.pk).get_absolute_url()
        assert (out.parent / "m" / path.lstrip("/") / "index.html").is_file()
        started = time.monotonic()
        sync_all(out, full=True)
        result["full_sync_s"] = time.monotonic() - started
        transaction.set_rollback(True)
    return result


@contextmanager
def _bucket():
    """An S3 bucket on moto's server, as tests/mirrors does: its address."""
    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    for name, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ[name] = value
    try:
        endpoint = f"http://127.0.0.1:{port}"
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="bench")
        yield endpoint
    finally:
        server.stop()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-bake-") as tmp:
        out = Path(tmp) / "baked"
        result = sampled(out)
        if "--full" in sys.argv:
            result.update(full(out))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
