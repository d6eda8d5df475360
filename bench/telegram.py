"""Publish to Telegram post: the time from an editor's publish to the photo post arriving at
the Bot API, with a real `samizdat worker` process running (issue 20's target: under 5 s).

A throwaway SQLite site under a temporary folder, the Bot API stand-in of the tests
(tests/telegram/botapi.py) on a loopback port, and `samizdat worker` started as operators
run it. Each round publishes an article with a main photo through the real action and
waits for the sendPhoto request (with its uploaded file) to reach the stand-in. Prints a
JSON summary; bench/run.py writes it into docs/benchmarks.md. BENCH_TELEGRAM_ROUNDS
(default 20) sets the number of articles.
"""

import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.telegram.botapi import TOKEN, BotAPI  # noqa: E402

from photos import setup, start_worker  # noqa: E402 - bench/ is on the path only now

CHANNEL = "@samizdat_bench"


def main() -> None:
    rounds = int(os.environ.get("BENCH_TELEGRAM_ROUNDS", 20))
    with tempfile.TemporaryDirectory() as var, BotAPI() as bot:
        os.environ.update({
            "SAMIZDAT_TELEGRAM_API_URL": bot.url, "SAMIZDAT_TELEGRAM_BOT_TOKEN": TOKEN,
            "SAMIZDAT_TELEGRAM_CHANNEL_EN": CHANNEL, "SAMIZDAT_TELEGRAM_CHANNEL_BE": "",
            "SAMIZDAT_TELEGRAM_CHANNEL_RU": ""})
        setup(var)
        from samizdat.newsroom import demo, services
        from samizdat.photos import samples
        from samizdat.photos import services as photos

        scaffold = demo.create_scaffolding(random.Random(1))
        editor = demo.create_staff("bench-only-password")["editor"]
        photo = photos.ingest(samples.jpeg(1600, 1067), alt_text="bench", make_renditions=False)
        photos.make_renditions(photo)

        worker = start_worker(os.environ.copy())
        try:
            delays = []
            for n in range(rounds):
                article = services.create_article(
                    editor, edition=scaffold["editions"]["en"],
                    section=scaffold["sections"]["en"][0], headline=f"Bench story {n}",
                    slug=f"bench-story-{n}", lead="A lead of two sentences. " * 3,
                    body="<p>Text.</p>", hero_photo=photo,
                    author_ids=[scaffold["authors"][0].pk])
                before = len(bot.calls)
                start = time.monotonic()
                services.publish(article, editor)
                calls = bot.wait_for(before + 1, timeout=60)
                if len(calls) <= before:
                    raise SystemExit(f"round {n}: no post within 60 s")
                call = calls[before]
                assert call.method == "sendPhoto" and call.files["photo"][2][:2] == b"\xff\xd8"
                delays.append(call.at - start)
                time.sleep(random.uniform(0, 1))  # publications do not keep step with polling
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(30)
        posted = len(bot.calls_of("sendPhoto"))
    ordered = sorted(delays)
    print(json.dumps({
        "rounds": rounds, "posts": posted,
        "median_s": statistics.median(ordered),
        "p90_s": ordered[max(0, round(0.9 * len(ordered)) - 1)],
        "max_s": ordered[-1], "min_s": ordered[0],
        "photo_bytes": len(bot.calls[0].files["photo"][2]),
    }))


if __name__ == "__main__":
    main()
