"""Newsletter: one mailing to BENCH_NEWSLETTER_SUBSCRIBERS (100,000) subscribers through a
local SMTP server, and the time from an editor's publish to the alert email accepted by the
SMTP server with a real `samizdat worker` process running (issue 20's targets: at least 300
messages a second on two cores with constant memory, and under 5 s).

A throwaway SQLite site under a temporary folder. The send rate: aiosmtpd's sink as its own
process (the other core), the mailing sent by services.deliver in this process as the
worker's task would, with no rate limit; its resident memory sampled every 0.2 s. With
BENCH_NEWSLETTER_DKIM_SUBSCRIBERS (10,000) more, signed with a 2048-bit DKIM key. The
latency: BENCH_NEWSLETTER_ROUNDS (10) articles marked "send as alert" and published through
the real action to 100 alert subscribers of another edition, an aiosmtpd server in this
process noting when the first message arrives. Prints one JSON line; bench/run.py writes it
into docs/benchmarks.md.
"""

import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.net import free_port  # noqa: E402

from photos import setup, start_worker  # noqa: E402 - bench/ is on the path only now

KEY = "bench-only-subscriber-key-0123456789abcdef"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()
        self.start_at = time.monotonic()

    def run(self):
        while not self.stop.wait(0.2):
            self.samples.append((time.monotonic() - self.start_at, rss_mb()))


def add_subscribers(edition, count: int, prefix: str, digest=True, alerts=True) -> float:
    from django.utils import timezone

    from samizdat.newsletter import crypto
    from samizdat.newsletter.models import Subscriber

    start = time.perf_counter()
    now = timezone.now()
    for first in range(0, count, 5000):
        Subscriber.objects.bulk_create([
            Subscriber(edition=edition, address_hash=crypto.lookup_hash(address),
                       address_encrypted=crypto.encrypt(address), digest=digest, alerts=alerts,
                       confirmed_at=now)
            for address in (f"{prefix}{n}@bench.example.org"
                            for n in range(first, min(count, first + 5000)))])
    return time.perf_counter() - start


def mailing(article) -> dict:
    """Send one alert to every alert subscriber of the article's edition, timed."""
    from django_tasks_db.models import DBTaskResult

    from samizdat.newsletter import services

    send = services.request_alert(article)
    DBTaskResult.objects.all().delete()  # sent here, not by a worker
    sampler = Sampler()
    sampler.start()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = services.deliver(send.pk, "bench")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    sampler.stop.set()
    sampler.join()
    samples = sampler.samples or [(wall, rss_mb())]
    early = next((rss for at, rss in samples if at >= wall * 0.1), samples[0][1])
    return {"sent": result["sent"], "wall_s": wall, "load": os.getloadavg()[0],
            "cpu_s": (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime),
            "rate": result["sent"] / wall, "rss_at_10pct_mb": early,
            "rss_end_mb": samples[-1][1], "rss_peak_mb": max(r for _at, r in samples)}


def main() -> None:
    count = int(os.environ.get("BENCH_NEWSLETTER_SUBSCRIBERS", 100_000))
    signed = int(os.environ.get("BENCH_NEWSLETTER_DKIM_SUBSCRIBERS", 10_000))
    rounds = int(os.environ.get("BENCH_NEWSLETTER_ROUNDS", 10))
    sink_port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c",
                             "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{sink_port}"],
                            start_new_session=True)
    result: dict = {"subscribers": count, "dkim_subscribers": signed, "rounds": rounds}
    try:
        with tempfile.TemporaryDirectory() as var:
            os.environ.update({
                "SAMIZDAT_SUBSCRIBER_KEY": KEY, "SAMIZDAT_NEWSLETTER_RATE": "0",
                "SAMIZDAT_EMAIL_URL": f"smtp://127.0.0.1:{sink_port}",
                "SAMIZDAT_NEWSLETTER_FROM": "Bench <letters@bench.example.org>",
                "SAMIZDAT_SITE_URL": "https://bench.example.org"})
            setup(var)
            from samizdat.newsroom import demo, services

            scaffold = demo.create_scaffolding(random.Random(1))
            editor = demo.create_staff("bench-only-password")["editor"]
            en, ru = scaffold["editions"]["en"], scaffold["editions"]["ru"]

            def article(edition, n, status="published"):
                made = services.create_article(
                    editor, edition=edition, section=scaffold["sections"][edition.language][0],
                    headline=f"Bench story {n}: a headline of some length",
                    slug=f"bench-{edition.language}-{n}",
                    lead="A lead of two sentences, as editors write them. " * 2,
                    body="<p>Text.</p>", author_ids=[scaffold["authors"][0].pk])
                if status == "published":
                    services.publish(made, editor)
                return made

            result["insert_s"] = add_subscribers(en, count, "reader")
            time.sleep(1)  # the sink is listening by now whatever the machine
            result["plain"] = mailing(article(en, 0))
            if signed:
                key = Path(var) / "dkim.pem"
                subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True,
                               capture_output=True)
                from django.conf import settings

                settings.NEWSLETTER_DKIM_KEY_FILE = str(key)
                add_subscribers(ru, signed, "signed")
                result["dkim"] = mailing(article(ru, 0))
                settings.NEWSLETTER_DKIM_KEY_FILE = ""
            result["latency"] = latency(scaffold["editions"]["be"], article, rounds)
    finally:
        os.killpg(sink.pid, signal.SIGTERM)
        sink.wait(30)
    print(json.dumps(result))


def latency(edition, article, rounds: int) -> dict:
    """Publish to the first alert email accepted, with `samizdat worker` running."""
    from aiosmtpd.controller import Controller

    from samizdat.newsletter.models import ArticleAlert
    from samizdat.newsroom import services

    arrivals: list[float] = []
    arrived = threading.Condition()

    class Inbox:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
            with arrived:
                arrivals.append(time.monotonic())
                arrived.notify_all()
            return "250 OK"

    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    add_subscribers(edition, 100, "alert", digest=False)
    env = {**os.environ, "SAMIZDAT_EMAIL_URL": f"smtp://127.0.0.1:{controller.port}"}
    worker = start_worker(env)
    delays, whole = [], []
    try:
        for n in range(rounds):
            draft = article(edition, n, status="draft")
            ArticleAlert.objects.create(article=draft, send_alert=True)
            with arrived:
                before = len(arrivals)
            start = time.monotonic()
            services.publish(draft, editor_of(draft))
            with arrived:
                arrived.wait_for(lambda before=before: len(arrivals) >= before + 100,
                                 timeout=60)
                if len(arrivals) < before + 1:
                    raise SystemExit(f"round {n}: no alert email within 60 s")
                delays.append(arrivals[before] - start)
                whole.append(arrivals[min(len(arrivals), before + 100) - 1] - start)
            time.sleep(random.uniform(0, 1))  # publications do not keep step with polling
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        controller.stop()
    ordered = sorted(delays)
    return {"median_s": statistics.median(ordered),
            "p90_s": ordered[max(0, round(0.9 * len(ordered)) - 1)],
            "max_s": ordered[-1], "min_s": ordered[0],
            "all_100_median_s": statistics.median(whole)}


def editor_of(article):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="editor")


if __name__ == "__main__":
    main()
