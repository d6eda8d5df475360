"""`make soak`: the production stack on loopback, broken on purpose under load.

A private PostgreSQL cluster and Redis, `samizdat serve --workers 2` (granian and the task
worker it supervises) and nginx with docs/nginx/samizdat.conf in front. For SOAK_SECONDS
(default 120) readers GET pages through nginx (homes, sections, articles), two
commenters POST comments through nginx, each with a unique marker, and a publisher (in this
process, through the real editorial actions) schedules an article every few seconds a few
seconds ahead. Meanwhile, at fixed shares of the run: kill -9 of one granian web worker, kill
-9 of the task worker (serve starts it again), a fast restart of PostgreSQL, kill -9 of Redis
and a new one on its port.

Then, after a recovery wait: comments answered 2xx/3xx whose marker is not in the database
(lost writes), each scheduled article's lateness (its "publish-scheduled" audit entry against
its time), a bake of the whole site checked with the test suite's link checker
(tests/bake/test_copy.py), and per fault the time until reads, comments and tasks worked
again. Prints a table; writes the "Soak: faults under load" section of docs/benchmarks.md
unless --no-write.
"""

import argparse
import http.client
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from tests.pgcluster import Cluster, free_port  # noqa: E402

import loadtest  # noqa: E402
from run import write_section  # noqa: E402

SECONDS = int(os.environ.get("SOAK_SECONDS", 120))
FAULTS = [(0.15, "kill -9 a web worker"), (0.35, "kill -9 the task worker"),
          (0.55, "PostgreSQL restart (fast)"), (0.75, "kill -9 Redis, start a new one")]
LATE_LIMIT = 5.0  # seconds either side of an article's time
WINDOW = 15.0  # seconds after a fault in which lateness is the fault's, not a defect
events: list[tuple[str, float, float, str]] = []  # (kind, start, seconds, outcome)
comments_ok: list[str] = []  # markers of comments the site accepted
scheduled: list[tuple[int, float]] = []  # (article id, due time)
failures: list[tuple[float, str, str]] = []  # (start, path, outcome) of failed reads
stop = threading.Event()


def record(kind: str, start: float, outcome: str) -> None:
    events.append((kind, start, time.time() - start, outcome))


def request(url: str, data: bytes | None = None, headers: dict | None = None) -> str:
    """The status code as text, or the kind of connection error."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}),
                                    timeout=15) as response:
            response.read()
            return str(response.status)
    except urllib.error.HTTPError as error:
        return str(error.code)
    except (OSError, http.client.HTTPException) as error:  # refused, reset, cut short
        return type(getattr(error, "reason", error)).__name__


def reader(site: str, paths: list[str]) -> None:
    rng = random.Random()
    while not stop.is_set():
        start, path = time.time(), rng.choice(paths)
        outcome = request(site + path)
        record("read", start, outcome)
        if outcome[0] not in "23":
            failures.append((start, path, outcome))


def commenter(site: str, articles: list[tuple[int, str]]) -> None:
    rng = random.Random()
    while not stop.is_set():
        pk, lang = rng.choice(articles)
        marker = f"soak-{uuid.uuid4().hex}"
        form = urllib.parse.urlencode({"name": "Soak reader", "email": "", "website": "",
                                       "body": f"A comment under load, {marker}."}).encode()
        start = time.time()
        outcome = request(f"{site}/{lang}/comments/{pk}/post/", form,
                          {"Sec-Fetch-Site": "same-origin"})
        record("comment", start, outcome)
        if outcome[0] in "23":
            comments_ok.append(marker)
        else:
            failures.append((start, f"POST {lang}/comments/{pk}/post/", outcome))
        time.sleep(0.2)


def publisher(every: float, ahead: float) -> None:
    """Schedules an article `ahead` seconds on, every `every` seconds, as the editor."""
    from django.contrib.auth import get_user_model
    from django.db import close_old_connections

    from samizdat.newsroom import services
    from samizdat.newsroom.models import Edition, Section

    n = 0
    while not stop.wait(every):
        start = time.time()
        try:
            close_old_connections()
            editor = get_user_model().objects.get(username="editor")
            edition = Edition.objects.get(language="en")
            article = services.create_article(
                editor, edition=edition, section=Section.objects.filter(edition=edition).first(),
                headline=f"Soak article {n}", slug=f"soak-{n}-{uuid.uuid4().hex[:6]}",
                lead="Scheduled under load.", body="<p>Scheduled under load.</p>",
                author_ids=[], tag_ids=[])
            when = datetime.now(UTC) + timedelta(seconds=ahead)
            services.schedule(article, editor, when)
            scheduled.append((article.pk, when.timestamp()))
            record("schedule", start, "ok")
        except Exception as error:  # noqa: BLE001 - counted, the soak goes on
            record("schedule", start, type(error).__name__)
        n += 1


def children(pid: int) -> list[tuple[int, str]]:
    out = subprocess.run(["pgrep", "-a", "-P", str(pid)], capture_output=True, text=True).stdout
    return [(int(line.split()[0]), line) for line in out.splitlines()]


def start_redis(port: int, tmp: Path) -> subprocess.Popen:
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", str(tmp)],
                               stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                         text=True).stdout.strip() != "PONG":
        if time.monotonic() > deadline:
            raise TimeoutError("redis-server")
        time.sleep(0.1)
    return process


def recovery(kind: str, fault: float, until: float) -> str:
    """Seconds from the fault until the first success of `kind` after its last failure
    that ended in [fault, until), and the failures by kind."""
    ok = sorted(s + d for k, s, d, o in events if k == kind and (o[0] in "23" or o == "ok"))
    failed = sorted((s + d, o) for k, s, d, o in events
                    if k == kind and o[0] not in "23" and o != "ok" and fault <= s + d < until)
    if not failed:
        return "no error"
    back = next((end for end in ok if end > failed[-1][0]), None)
    kinds: dict[str, int] = {}
    for _, o in failed:
        kinds[o] = kinds.get(o, 0) + 1
    what = ", ".join(f"{n} {o}" for o, n in sorted(kinds.items()))
    return f"{f'{back - fault:.1f} s' if back else 'never'} ({what})"


def main() -> None:  # noqa: PLR0915 - one scenario, read top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs alone.")
    args = parser.parse_args()
    servers = loadtest.Servers()
    cluster = Cluster()
    cluster.start()
    redis_port = free_port()
    redis = start_redis(redis_port, servers.tmp)
    var = servers.tmp / "var"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_"))}
    env.update({
        "SAMIZDAT_PRODUCTION": "1", "SAMIZDAT_SSL_REDIRECT": "0",
        "SAMIZDAT_SECRET_KEY": "soak-only-" + "k3Vw9Zr1" * 6,
        "SAMIZDAT_ALLOWED_HOSTS": "127.0.0.1,localhost", "SAMIZDAT_VAR_DIR": str(var),
        "SAMIZDAT_PROXY_COUNT": "1", "SAMIZDAT_PAGE_FILES_DIR": str(servers.tmp / "www/pages"),
        "SAMIZDAT_LOG_LEVEL": "ERROR", "DATABASE_URL": cluster.url,
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SAMIZDAT_COMMENTS_CLIENT_LIMIT": "1000000",
        "SAMIZDAT_COMMENTS_CLIENT_HARD_LIMIT": "1000000",
        "SAMIZDAT_COMMENTS_ARTICLE_LIMIT": "1000000",
    })
    samizdat = [sys.executable, "-m", "samizdat"]
    log = servers.tmp / "serve.log"
    try:
        subprocess.run([*samizdat, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*samizdat, "demo", "--articles", "100", "--password", "soak-only-pw"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "samizdat.settings"
        import django

        django.setup()
        from django_tasks_db.models import DBTaskResult

        from samizdat.comments.models import Comment
        from samizdat.newsroom.models import Article, AuditEntry, Edition, Section

        published = list(Article.objects.filter(status="published").select_related("edition"))
        paths = [f"/{e.language}/" for e in Edition.objects.all()]
        paths += [s.get_absolute_url() for s in Section.objects.all()]
        paths += [a.get_absolute_url() for a in published[:60]]
        targets = [(a.pk, a.edition.language) for a in published[:20]]

        port = free_port()
        serve = subprocess.Popen([*samizdat, "serve", "--port", str(port), "--workers", "2"],
                                 env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                 start_new_session=True)
        servers.processes.append(serve)
        loadtest.wait_for(f"http://127.0.0.1:{port}/robots.txt", serve)
        static = servers.tmp / "static"
        static.mkdir()
        (static / "article.html").write_text("ok")
        _, site = servers.nginx(static, f"http://127.0.0.1:{port}", var)

        t0 = time.time()
        threads = [threading.Thread(target=reader, args=(site, paths)) for _ in range(4)]
        threads += [threading.Thread(target=commenter, args=(site, targets)) for _ in range(2)]
        threads.append(threading.Thread(target=publisher, args=(3.0, 4.0)))
        for thread in threads:
            thread.start()
        faults = []
        for share, name in FAULTS:
            time.sleep(max(0.0, t0 + share * SECONDS - time.time()))
            granian = next(pid for pid, line in children(serve.pid) if "granian" in line)
            worker = next(pid for pid, line in children(serve.pid) if " worker" in line)
            at = time.time()
            if name.startswith("kill -9 a web"):
                os.kill(children(granian)[0][0], signal.SIGKILL)
            elif name.startswith("kill -9 the task"):
                os.kill(worker, signal.SIGKILL)
            elif name.startswith("PostgreSQL"):
                cluster.restart(down_for=0)
            else:
                redis.kill()
                redis.wait()
                time.sleep(2)
                redis = start_redis(redis_port, servers.tmp)
            faults.append((name, at, time.time() - at))
            print(f"{at - t0:6.1f} s  {name}", flush=True)
        time.sleep(max(0.0, t0 + SECONDS - time.time()))
        stop.set()
        for thread in threads:
            thread.join()
        time.sleep(20)  # recovery wait: retries, the sweep, the last scheduled articles
        end = time.time()
        survived = serve.poll() is None
        workers_now = [line for _, line in children(serve.pid)]

        from django.db import close_old_connections

        close_old_connections()
        kept = {m for body in Comment.objects.filter(body__contains="soak-")
                .values_list("body", flat=True) for m in re.findall(r"soak-[0-9a-f]{32}", body)}
        lost = [m for m in comments_ok if m not in kept]
        done = {int(e.object_id): e.created_at.timestamp() for e in
                AuditEntry.objects.filter(action="publish-scheduled")}
        late = []
        for pk, due in scheduled:
            in_window = any(at - 2 <= due <= at + WINDOW for _, at, _ in faults)
            late.append((pk, due - t0, done[pk] - due if pk in done else None, in_window))
        tasks = sorted(r.timestamp() for r in DBTaskResult.objects.filter(
            status="SUCCESSFUL", finished_at__isnull=False).values_list("finished_at", flat=True))

        copy = servers.tmp / "copy"
        baked = subprocess.run([*samizdat, "bake", "--out", str(copy), "--workers", "1"],
                               env=env, capture_output=True, text=True)
        if baked.returncode == 0:
            from tests.bake.test_copy import check_links

            problems, links = check_links(copy)
            bake_line = (f"{links:,} links in the baked copy, {len(problems)} broken"
                         + "".join(f"\n  {p}" for p in problems[:10]))
        else:
            bake_line = f"the bake failed: {baked.stderr.strip().splitlines()[-1:]}"
    finally:
        stop.set()
        if log.exists():  # kept for the errors it holds
            (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
            (ROOT / "bench" / "out" / "soak-serve.log").write_bytes(log.read_bytes())
        servers.stop()
        redis.kill()
        cluster.stop()

    reads = [e for e in events if e[0] == "read"]
    answered = sorted(d * 1000 for k, _, d, o in reads if o[0].isdigit())
    p99 = answered[int(len(answered) * 0.99)] if answered else 0
    outcomes: dict[str, int] = {}
    for kind, _, _, outcome in events:
        if kind in ("read", "comment") and outcome[0] not in "23":
            outcomes[f"{kind} {outcome}"] = outcomes.get(f"{kind} {outcome}", 0) + 1
    errors = ", ".join(f"{k}: {n}" for k, n in sorted(outcomes.items())) or "none"
    posted = [e for e in events if e[0] == "comment"]
    schedules = [e for e in events if e[0] == "schedule"]
    lateness = [x[2] for x in late if x[2] is not None]
    outside = [x[2] for x in late if x[2] is not None and not x[3]]
    never = [x[0] for x in late if x[2] is None]
    bad = [x for x in late if x[2] is not None and not x[3] and abs(x[2]) > LATE_LIMIT]
    rows = [
        ("reader requests answered (any status)", f"{len(answered):,} of {len(reads):,} "
                                     f"({len(reads) / SECONDS:.0f}/s)"),
        ("reader latency p50 / p99", f"{statistics.median(answered):.1f} / {p99:.1f} ms"),
        ("comments accepted", f"{len(comments_ok):,} of {len(posted):,} posted"),
        ("**lost writes** (accepted, not in the database)", f"**{len(lost)}**"),
        ("articles scheduled", f"{len(scheduled)} ({len(schedules) - len(scheduled)} "
                               "attempts failed)"),
        ("never published", f"{len(never)}" + (f" (ids {never})" if never else "")),
        ("worst lateness, all / outside fault windows",
         f"{max(lateness, default=0):.1f} / {max(outside, default=0):.1f} s"),
        (f"late by more than {LATE_LIMIT:.0f} s outside fault windows", f"{len(bad)}"),
        ("errors by kind", errors),
        ("server alive at the end", f"{survived}; children: {len(workers_now)}"),
        ("bake and link check", bake_line.splitlines()[0]),
    ]
    fault_rows = []
    for i, (name, at, took) in enumerate(faults):
        until = faults[i + 1][1] if i + 1 < len(faults) else end
        task = next((t for t in tasks if t > at), None)
        fault_rows.append((f"{at - t0:.0f} s", name, f"{took:.1f} s",
                           recovery("read", at, until), recovery("comment", at, until),
                           recovery("schedule", at, until),
                           f"{task - at:.1f} s" if task else "none"))
    table = ["| measured | figure |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)]
    table += ["", "| at | fault | took | reads back | comments back | scheduling back "
              "| first task done after |", "|---:|---|---:|---|---|---|---:|"]
    table += ["| " + " | ".join(r) + " |" for r in fault_rows]
    print("\n".join(table))
    print(bake_line)
    for pk, due, lag, in_window in late:
        if lag is None or abs(lag) > LATE_LIMIT:
            print(f"article {pk} due at {due:.1f} s: {'never' if lag is None else f'{lag:.1f} s'}"
                  f"{' (fault window)' if in_window else ''}")
    for start, path, outcome in failures[:: max(1, len(failures) // 25)]:
        print(f"failed at {start - t0:6.1f} s: {path} {outcome}")
    if args.no_write:
        return
    write_section([
        "## Soak: faults under load",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} "
        f"cores, a {SECONDS} s run: nginx (docs/nginx/samizdat.conf) before `samizdat serve "
        "--workers 2` (granian and the task worker), a private PostgreSQL 15 and Redis, a "
        "100-article demo newsroom. Four reader threads GET homes, sections and articles "
        "through nginx (page files answer most), two commenters POST through nginx, "
        f"and an editor schedules an article every 3 s, 4 s ahead. Faults at "
        + ", ".join(f"{share:.0%}" for share, _ in FAULTS) + " of the run; then "
        "20 s to recover. Latency is the load generator's, on the same two cores.",
        "",
        *table,
        "",
        "*Back*: from the fault until the first success after the last failure that ended "
        f"before the next fault. A fault window is the {WINDOW:.0f} s after a fault; articles "
        f"due outside one must be published within {LATE_LIMIT:.0f} s of their time. The "
        "link check is the test suite's (tests/bake/test_copy.py) on a `samizdat bake` "
        "of the newsroom after the run.",
        "",
        "Reproduce: `make soak` (SOAK_SECONDS, default 120; `python bench/soak.py --no-write` "
        "prints only). Needs PostgreSQL's server binaries, redis-server and nginx.",
        "",
    ], "bench:soak")


if __name__ == "__main__":
    main()
