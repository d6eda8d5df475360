"""Photo pipeline cost: a 24-megapixel phone JPEG through upload and renditions on one core,
and the bytes a phone downloads for an article with a hero and a 20-photo report.

Runs the real code (samizdat.photos.services) on a throwaway SQLite database and media
folder. Prints a JSON summary; bench/run.py writes it into docs/benchmarks.md.
BENCH_PHOTO_MP (default 24) sets the photo's size; BENCH_PHOTO_ROUNDS (default 3) how many
photos are timed.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(var: str) -> None:
    """Django on a throwaway SQLite database and media folder under `var`, migrated
    (bench/comments.py uses it too)."""
    os.environ["SAMIZDAT_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    os.environ["SAMIZDAT_LOG_LEVEL"] = "ERROR"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samizdat.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def start_worker(env: dict):
    """`samizdat worker` as a process of its own, once it has said it is alive (a setup()
    site's database; bench/telegram.py and bench/newsletter.py measure through it)."""
    import subprocess
    import time

    from samizdat.newsroom.models import TaskWorker

    worker = subprocess.Popen([sys.executable, "-m", "samizdat", "worker", "--no-startup-delay"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    deadline = time.monotonic() + 60
    while not TaskWorker.objects.exists():
        if time.monotonic() > deadline or worker.poll() is not None:
            raise SystemExit("the worker did not start: " + worker.stderr.read().decode()[-2000:])
        time.sleep(0.1)
    return worker


def phone_choice(photo, css_width: float, dpr: float) -> int:
    """The srcset width a browser picks: the smallest at least as wide as the pixels shown."""
    need = css_width * dpr
    widths = photo.renditions["widths"]
    return next((w for w in widths if w >= need), widths[-1])


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    megapixels = float(os.environ.get("BENCH_PHOTO_MP", 24))
    rounds = int(os.environ.get("BENCH_PHOTO_ROUNDS", 3))
    width = round((megapixels * 1_000_000 * 1.5) ** 0.5)
    height = round(width / 1.5)
    with tempfile.TemporaryDirectory() as var:
        setup(var)
        from django.conf import settings
        from django.core.files.storage import default_storage

        from samizdat.photos import samples, services

        uploads = [samples.jpeg(width, height, seed=i, quality=90, grain=40)
                   for i in range(rounds)]
        ingest_s, render_s, made = [], [], 0
        photos = []
        for data in uploads:
            start = time.perf_counter()
            photo = services.ingest(data, alt_text="bench", make_renditions=False)
            ingest_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            services.make_renditions(photo)
            render_s.append(time.perf_counter() - start)
            made += (len(photo.renditions["widths"]) + len(photo.renditions["thumbs"])) * len(
                photo.renditions["formats"])
            photos.append(photo)

        def size(name):
            return default_storage.size(name)

        # A phone: 390 CSS pixels wide at 2 device pixels per CSS pixel; the article column
        # is the screen less its margins (the hero's and the report's `sizes`).
        photo = photos[0]
        chosen = phone_choice(photo, 390 - 32, 2)
        modern = settings.PHOTO_FORMATS[0]
        per_photo = size(photo.rendition_name(chosen, modern))
        fallback = size(photo.rendition_name(chosen, photo.fallback))
        result = {
            "megapixels": round(width * height / 1e6, 1), "width": width, "height": height,
            "rounds": rounds,
            "upload_bytes": round(sum(map(len, uploads)) / rounds),
            "original_bytes": round(sum(p.size for p in photos) / rounds),
            "ingest_s": min(ingest_s), "renditions_s": min(render_s),
            "renditions_per_photo": made // rounds,
            "renditions_per_s": made / sum(render_s),
            "photos_per_minute": 60 / (min(ingest_s) + min(render_s)),
            "formats": list(photo.renditions["formats"]),
            "widths": photo.renditions["widths"],
            "phone_width": chosen, "phone_bytes_modern": per_photo,
            "phone_bytes_fallback": fallback,
            "article_photos": 21,
            "article_bytes_modern": 21 * per_photo,
            "article_bytes_originals": 21 * round(sum(map(len, uploads)) / rounds),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
