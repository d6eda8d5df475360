"""`make bench`: reader page cost at a small and a large archive, side by side.

Figures go into docs/benchmarks.md.

Archives are generated once with `samizdat demo` under bench/out/<size>/ and reused.
Sizes come from BENCH_SMALL (default 1000) and BENCH_LARGE (default 1000000); BENCH_ROUNDS
sets how many alternating rounds run (default 5). A smoke run for CI:
BENCH_LARGE=5000 BENCH_ROUNDS=1 python bench/run.py --no-write

Then the HTTP benchmark (bench/loadtest.py) runs wrk against nginx, the framework's floor and
`samizdat serve` for both sizes; BENCH_WRK_SECONDS (default 10) and BENCH_HTTP_ROUNDS
(default 2) set its length.
"""

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DOC = ROOT / "docs" / "benchmarks.md"
# Archives made by an older demo (before photos) are made again.
DEMO_VERSION = "demo with photos"


# PostgreSQL archives (the engines section) live in databases named after their size on
# this server; their photo files and keys under bench/out/postgresql-<size>/.
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def folder_for(size: int, engine: str = "sqlite") -> Path:
    return OUT / (str(size) if engine == "sqlite" else f"{engine}-{size}")


def env_for(size: int, engine: str = "sqlite") -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["SAMIZDAT_VAR_DIR"] = str(folder_for(size, engine))
    env["SAMIZDAT_LOG_LEVEL"] = "ERROR"
    if engine == "postgresql":
        env["DATABASE_URL"] = POSTGRES.rstrip("/") + f"/samizdat_bench_{size}"
    return env


def fresh_database(size: int, engine: str) -> None:
    """An empty database for a new archive: SQLite's files removed, PostgreSQL's made anew."""
    if engine == "sqlite":
        for leftover in folder_for(size).glob("samizdat.sqlite3*"):
            leftover.unlink()
        return
    import psycopg

    with psycopg.connect(POSTGRES.rstrip("/") + "/postgres", autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS samizdat_bench_{int(size)}")
        server.execute(f"CREATE DATABASE samizdat_bench_{int(size)}")


def ensure_archive(size: int, engine: str = "sqlite") -> float | None:
    """Generate the archive if missing; return the generation rate in articles/s if generated."""
    target = folder_for(size, engine)
    marker = target / "complete"
    env = env_for(size, engine)
    samizdat = [sys.executable, "-m", "samizdat"]
    if marker.exists() and DEMO_VERSION in marker.read_text():
        # Kept archives follow the code's later migrations (new tables, the search index).
        subprocess.run([*samizdat, "migrate", "-v0"], env=env, check=True)
        return None
    target.mkdir(parents=True, exist_ok=True)
    fresh_database(size, engine)
    subprocess.run([*samizdat, "migrate", "-v0"], env=env, check=True)
    start = datetime.now(UTC)
    subprocess.run([*samizdat, "demo", "--articles", str(size), "--password", "bench-only"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = (datetime.now(UTC) - start).total_seconds()
    marker.write_text(f"{size} articles in {seconds:.0f} s, {DEMO_VERSION}\n")
    return size / seconds


def render_round(size: int, repeats: int, engine: str = "sqlite") -> dict:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "render.py"), str(repeats)],
        env=env_for(size, engine), check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)


def search_round(size: int, repeats: int, engine: str = "sqlite") -> dict:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "search.py"), str(repeats)],
                         env=env_for(size, engine), check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def urls_for(size: int) -> dict:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "render.py"), "--urls"],
                         env=env_for(size), check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def css_gzip_bytes() -> int:
    css = (ROOT / "src/samizdat/site/static/site/site.css").read_bytes()
    return len(gzip.compress(css, 6))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs alone.")
    parser.add_argument("--only", nargs="*",
                        choices=["reader", "engines", "photos", "comments", "search", "bake",
                                 "onwrite", "migration", "backup", "telegram", "newsletter"],
                        help="Run only these sections (each writes its own part of the doc); "
                             "reader: render cost and HTTP.")
    args = parser.parse_args()
    if args.only:
        for name in args.only:
            if name == "reader":
                reader_sections(args.no_write)
                continue
            section = {"engines": engines_section,
                       "photos": photo_section, "comments": comment_section,
                       "search": search_section, "bake": bake_section,
                       "onwrite": onwrite_section, "migration": migration_section,
                       "backup": backup_section,
                       "telegram": telegram_section,
                       "newsletter": newsletter_section}[name]()
            if not args.no_write:
                write_section(section, f"bench:{name}")
        return
    reader_sections(args.no_write)
    photos = photo_section()
    comments = comment_section()
    search = search_section()
    engines = engines_section()
    baking = bake_section()
    on_write = onwrite_section()
    migration = migration_section()
    backing_up = backup_section()
    telegram = telegram_section()
    newsletter = newsletter_section()
    if args.no_write:
        return
    write_section(photos, "bench:photos")
    write_section(comments, "bench:comments")
    write_section(search, "bench:search")
    write_section(engines, "bench:engines")
    write_section(baking, "bench:bake")
    write_section(on_write, "bench:onwrite")
    write_section(migration, "bench:migration")
    write_section(backing_up, "bench:backup")
    write_section(telegram, "bench:telegram")
    write_section(newsletter, "bench:newsletter")


def reader_sections(no_write: bool) -> None:
    """Render cost in-process and requests per second over HTTP, at two archive sizes."""
    small = int(os.environ.get("BENCH_SMALL", 1000))
    large = int(os.environ.get("BENCH_LARGE", 1_000_000))
    rounds = int(os.environ.get("BENCH_ROUNDS", 5))
    rates = {}
    for size in (small, large):
        print(f"archive of {size} articles ...", flush=True)
        rate = ensure_archive(size)
        if rate:
            rates[size] = rate
            print(f"  generated at {rate:.0f} articles/s", flush=True)
    samples: dict[int, list[dict]] = {small: [], large: []}
    for r in range(rounds):
        # Alternate sizes so drift on a shared machine hits both alike.
        for size in (small, large) if r % 2 == 0 else (large, small):
            samples[size].append(render_round(size, 20))
        print(f"round {r + 1}/{rounds} done", flush=True)
    rows = []
    for page in samples[small][0]:
        s = statistics.median(x[page]["ms"] for x in samples[small])
        big = statistics.median(x[page]["ms"] for x in samples[large])
        info_s, info_l = samples[small][0][page], samples[large][0][page]
        rows.append((page, s, big, big / s, info_s["queries"], info_l["queries"],
                     info_l["bytes"], info_l["gzip_bytes"]))
    lines = [
        f"| page | ms at {small:,} | ms at {large:,} | ratio | queries ({small:,} / {large:,}) "
        f"| HTML bytes | gzip bytes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page, s, big, ratio, qs, ql, raw, gz in rows:
        lines.append(
            f"| {page} | {s:.2f} | {big:.2f} | {ratio:.2f}x | {qs} / {ql} | {raw:,} | {gz:,} |"
        )
    table = "\n".join(lines)
    print(table)
    section = [
        "## Reader pages: render cost against archive size",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite (embedded default), page cache off. "
        f"Median of {rounds} alternating rounds of 20 renders each, through Django's test client "
        "(no HTTP server). Target: every ratio within 1.5x.",
        "",
        table,
        "",
        "The day archive holds ~40 articles a day at 1,000,000 but under one at 1,000, so "
        "its ratio measures the extra rows rendered, not the archive's size.",
        "",
        f"Article page weight: HTML above + CSS {css_gzip_bytes():,} bytes gzip; no JavaScript, "
        "no web fonts.",
    ]
    if rates:
        section += ["", "Demo generation rate: " + ", ".join(
            f"{rate:,.0f} articles/s at {size:,}" for size, rate in rates.items())]
    section += ["", "Reproduce: `make bench` (archives are kept in bench/out/; "
                "`BENCH_LARGE=100000 make bench` for a quicker run).", ""]
    queries = {size: {page: samples[size][0][page]["queries"] for page in samples[size][0]}
               for size in (small, large)}
    http_section = http_benchmark(small, large, queries, write=not no_write)
    if no_write:
        return
    write_section(section)
    write_section(http_section, "bench:http")


def search_section() -> list[str]:
    """bench/search.py at BENCH_SEARCH_SMALL (10,000) and BENCH_LARGE articles, alternating."""
    small = int(os.environ.get("BENCH_SEARCH_SMALL", 10_000))
    large = int(os.environ.get("BENCH_LARGE", 1_000_000))
    rounds = int(os.environ.get("BENCH_SEARCH_ROUNDS", 3))
    for size in (small, large):
        ensure_archive(size)
    samples: dict[int, list[dict]] = {small: [], large: []}
    for r in range(rounds):
        for size in (small, large) if r % 2 == 0 else (large, small):
            samples[size].append(search_round(size, 10))
    lines = [
        f"| query | ms at {small:,} | ms at {large:,} | ratio | whole page ms at {large:,} "
        f"| matches ranked ({small:,} / {large:,}) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    ratios = []
    for name in samples[small][0]:
        a = statistics.median(x[name]["ms"] for x in samples[small])
        b = statistics.median(x[name]["ms"] for x in samples[large])
        page = statistics.median(x[name]["page_ms"] for x in samples[large])
        ta, tb = samples[small][0][name], samples[large][0][name]
        ratio = b / a if a else 1
        ratios.append(ratio)

        def total(t):
            return f"{t['total']:,}{'+' if t['capped'] else ''}"

        lines.append(f"| {name} | {a:.2f} | {b:.2f} | {ratio:.2f}x | {page:.2f} "
                     f"| {total(ta)} / {total(tb)} |")
    table = "\n".join(lines)
    print(table)
    return [
        "## Search: latency against archive size",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, SQLite FTS5 (the "
        f"embedded default), in-process: `search()` (engine, ranking, snippets) and the whole "
        f"search page through Django's test client. Median of {rounds} alternating rounds of "
        "10. Demo text is made of a few hundred phrases, so every word below matches a large "
        "share of the archive: these are the expensive queries, not the cheap ones a rare "
        "name gives. At most 1,000 matches (the newest) are ranked; \"1,000+\" means more "
        "matched.",
        "",
        table,
        "",
        f"Target: growth under 3x from {small:,} to {large:,} articles; worst ratio here "
        f"**{max(ratios):.2f}x** {'(met)' if max(ratios) < 3 else '(not met)'}.",
        "",
        "Reproduce: `python bench/run.py --only search` (BENCH_SEARCH_SMALL, BENCH_LARGE, "
        "BENCH_SEARCH_ROUNDS).",
        "",
    ]


def engines_section() -> list[str]:
    """Both engines side by side at BENCH_SMALL and BENCH_LARGE: full renders of the reader
    pages and the search set, in alternating rounds over the four archives (issue 24)."""
    small = int(os.environ.get("BENCH_SMALL", 1000))
    large = int(os.environ.get("BENCH_LARGE", 1_000_000))
    rounds = int(os.environ.get("BENCH_ENGINE_ROUNDS", 3))
    archives = [(engine, size) for size in (small, large) for engine in ENGINES]
    rates = {}
    for engine, size in archives:
        print(f"{ENGINES[engine]} archive of {size:,} articles ...", flush=True)
        rate = ensure_archive(size, engine)
        if rate:
            rates[engine, size] = rate
            print(f"  generated at {rate:.0f} articles/s", flush=True)
    pages = {archive: [] for archive in archives}
    searches = {archive: [] for archive in archives}
    for r in range(rounds):
        for engine, size in archives if r % 2 == 0 else archives[::-1]:
            pages[engine, size].append(render_round(size, 20, engine))
            searches[engine, size].append(search_round(size, 10, engine))
        print(f"round {r + 1}/{rounds} done", flush=True)

    def median(samples, name, key="ms"):
        return statistics.median(x[name][key] for x in samples)

    head = " | ".join(f"{ENGINES[e]} {n:,}" for e, n in archives)
    lines = [f"| page (full render, ms) | {head} | PostgreSQL / SQLite at {large:,} "
             f"| PostgreSQL {large:,} / {small:,} | queries (PostgreSQL {large:,}) |",
             "|---|" + "---:|" * (len(archives) + 3)]
    worst_engine = worst_growth = 0.0
    for name in pages[archives[0]][0]:
        ms = {a: median(pages[a], name) for a in archives}
        engine_ratio = ms["postgresql", large] / ms["sqlite", large]
        growth = ms["postgresql", large] / ms["postgresql", small]
        worst_engine, worst_growth = max(worst_engine, engine_ratio), max(worst_growth, growth)
        cells = " | ".join(f"{ms[a]:.2f}" for a in archives)
        lines.append(f"| {name} | {cells} | {engine_ratio:.2f}x | {growth:.2f}x "
                     f"| {pages['postgresql', large][0][name]['queries']} |")
    lines += ["", f"| search (ms) | {head} | PostgreSQL / SQLite at {large:,} |",
              "|---|" + "---:|" * (len(archives) + 1)]
    slowest = 0.0
    for name in searches[archives[0]][0]:
        ms = {a: median(searches[a], name) for a in archives}
        slowest = max(slowest, ms["postgresql", large])
        cells = " | ".join(f"{ms[a]:.2f}" for a in archives)
        lines.append(f"| {name} | {cells} | {ms['postgresql', large] / ms['sqlite', large]:.2f}x |")
    table = "\n".join(lines)
    print(table)

    def verdict(ok: bool) -> str:
        return "met" if ok else "not met"

    section = [
        "## SQLite and PostgreSQL side by side",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, the local PostgreSQL server (its settings as "
        "installed) against the embedded SQLite, each with the same demo archive (`samizdat "
        "demo`, seed 1) at two sizes; page cache off, in-process through Django's test client "
        f"(bench/render.py, bench/search.py). Medians of {rounds} alternating rounds over the "
        "four archives (20 renders or 10 searches each).",
        "",
        table,
        "",
        f"Targets (issue 24): every PostgreSQL page within 1.5x of SQLite at the same size: "
        f"worst **{worst_engine:.2f}x** at {large:,} ({verdict(worst_engine <= 1.5)}); flat "
        f"from {small:,} to {large:,}: worst **{worst_growth:.2f}x** "
        f"({verdict(worst_growth <= 1.5)}); every search at most 50 ms at {large:,}: slowest "
        f"**{slowest:.1f} ms** ({verdict(slowest <= 50)}).",
    ]
    if rates:
        section += ["", "Demo generation in this run: " + ", ".join(
            f"{ENGINES[e]} {rate:,.0f} articles/s at {n:,}" for (e, n), rate in rates.items())]
    section += ["", "Reproduce: `python bench/run.py --only engines` (BENCH_SMALL, BENCH_LARGE, "
                "BENCH_ENGINE_ROUNDS; BENCH_POSTGRES_URL names the server, default the local "
                "one; PostgreSQL archives are databases samizdat_bench_<size>).", ""]
    return section


def telegram_section() -> list[str]:
    """bench/telegram.py: publish to the Telegram post with a real worker process running."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "telegram.py")],
                         check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    print(json.dumps(r, indent=1))
    return [
        "## Telegram: from publish to the channel post",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d}: {r['rounds']} articles with a main photo "
        "published one after another through the real action on SQLite, with `samizdat "
        "worker` running as its own process (its default 1 s poll) and the tests' Bot API "
        "stand-in on loopback; the time until the stand-in received sendPhoto with the "
        f"{r['photo_bytes'] / 1024:.0f} KB rendition uploaded:",
        "",
        "| median | 90th percentile | slowest | fastest | target |",
        "|---:|---:|---:|---:|---:|",
        f"| {r['median_s']:.2f} s | {r['p90_s']:.2f} s | {r['max_s']:.2f} s | "
        f"{r['min_s']:.2f} s | < 5 s |",
        "",
        "The wait is the worker's poll interval (a task committed just after a poll waits up "
        "to a second) plus one task: reading the article and its photo, one upload. "
        "Telegram's own network time is not in it (add a round trip to Telegram's servers, "
        "and the upload of the photo over the server's link).",
        "",
        "Reproduce: `python bench/telegram.py` (BENCH_TELEGRAM_ROUNDS).",
        "",
    ]


def newsletter_section() -> list[str]:
    """bench/newsletter.py: one mailing to BENCH_NEWSLETTER_SUBSCRIBERS (100,000) through a
    local SMTP server, and publish to the alert email with a real worker process."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "newsletter.py")],
                         check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    print(json.dumps(r, indent=1))
    plain, lat = r["plain"], r["latency"]
    rows = [("plain", plain, r["subscribers"])]
    if "dkim" in r:
        rows.append(("DKIM-signed (RSA 2048)", r["dkim"], r["dkim_subscribers"]))
    return [
        "## Newsletter: send rate and publish to alert email",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on SQLite: one alert mailing composed once and "
        "personalised per recipient (address decrypted, unsubscribe link, Message-ID), each "
        "row marked before its message, batches of 200 over one SMTP connection each, no "
        "rate limit, to aiosmtpd's sink running as its own process on the other core:",
        "",
        "| mailing | recipients | wall | messages/s | CPU of the sender | messages per CPU "
        "second of the sender | memory at 10 % | at the end | load average | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[f"| {name} | {count:,} | {m['wall_s']:.1f} s | **{m['rate']:,.0f}** | "
          f"{m['cpu_s']:.1f} s | {m['sent'] / m['cpu_s']:,.0f} | {m['rss_at_10pct_mb']:.0f} MB "
          f"| {m['rss_end_mb']:.0f} MB | {m.get('load', 0):.1f} | ≥ 300/s, constant memory |"
          for name, m, count in rows],
        "",
        "The wall rate is the slower of the sender and the SMTP server (aiosmtpd, one Python "
        "process); on a machine shared with other work (the load average column, for two "
        "cores) it is set by what is left of the cores. The sender's own cost is the column "
        "before memory: what one core sends when it has the core to itself.",
        "",
        f"Publish to alert email: {r['rounds']} articles marked \"send as alert\" published "
        "through the real action, `samizdat worker` running as its own process (its default "
        "1 s poll), 100 alert subscribers; the time until the SMTP server accepted the first "
        "message:",
        "",
        "| median | 90th percentile | slowest | fastest | all 100 accepted (median) | target |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {lat['median_s']:.2f} s | {lat['p90_s']:.2f} s | {lat['max_s']:.2f} s | "
        f"{lat['min_s']:.2f} s | {lat['all_100_median_s']:.2f} s | < 5 s |",
        "",
        "Reproduce: `python bench/newsletter.py` (BENCH_NEWSLETTER_SUBSCRIBERS, "
        "BENCH_NEWSLETTER_DKIM_SUBSCRIBERS, BENCH_NEWSLETTER_ROUNDS).",
        "",
    ]


def bake_section() -> list[str]:
    """bench/bake.py: a whole bake and publish-to-mirror at BENCH_SMALL, the sampled rate
    there and at BENCH_BAKE_MIDDLE (100,000) and BENCH_LARGE."""
    small = int(os.environ.get("BENCH_SMALL", 1000))
    sizes = list(dict.fromkeys([small, int(os.environ.get("BENCH_BAKE_MIDDLE", 100_000)),
                                int(os.environ.get("BENCH_LARGE", 1_000_000))]))
    results = {}
    for size in sizes:
        ensure_archive(size)
        command = [sys.executable, str(ROOT / "bench" / "bake.py")]
        out = subprocess.run(command + (["--full"] if size == small else []),
                             env=env_for(size), check=True, capture_output=True, text=True)
        results[size] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"bake at {size:,}: {results[size]}", flush=True)
    lines = ["| articles | pages in the copy | listing them, s | pages/s (sample) "
             "| a whole bake, min (estimate) |", "|---:|---:|---:|---:|---:|"]
    for size, r in results.items():
        whole = (r["listing_s"] + r["listed"] / r["sample_rate"]) / 60
        lines.append(f"| {size:,} | {r['listed']:,} | {r['listing_s']:.1f} "
                     f"| {r['sample_rate']:.0f} | {whole:.1f} |")
    f = results[small]
    table = "\n".join(lines)
    print(table)
    rates = [r["sample_rate"] for r in results.values()]
    return [
        "## Baking the static copy, and from publishing to a mirror",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, "
        f"{os.cpu_count()} cores, SQLite, two rendering processes (`bench/bake.py`). Pages "
        "are everything the copy holds that is rendered: HTML pages in both editions (full "
        "and text-only), feeds and sitemaps. A whole bake of a large archive takes hours, so "
        f"the rate is measured on a random sample of {f['sample']:,} of its pages, drawn "
        "uniformly from the whole listing; a whole bake's time is the listing plus the "
        "pages at that rate.",
        "",
        table,
        "",
        f"A whole bake at {small:,} articles: {f['pages']:,} pages in {f['seconds']:.1f} s, "
        f"**{f['rate']:.0f} pages/s** (target 300 on two cores); {f['files']:,} files with "
        f"static files and photos. The first sync to a folder mirror: {f['first_sync_s']:.1f} s.",
        "",
        f"**Publish to mirror: {f['publish_to_mirror_s']:.2f} s** (target under 5 s): the "
        "article written and published, the copy updated (bake/update.py: "
        f"{f['update_files']} files in {f['update_s']:.2f} s) and a folder mirror and an S3 "
        f"bucket (moto's server) synced in {f['sync_s']:.2f} s, sent "
        f"{' and '.join(str(n) for n in f['sync_sent'].values())} files from the copy's "
        "journal (mirrors/sync.py), as the task queue's worker runs them (its polling "
        "interval comes on top: `db_worker --interval`, 1 s by default). The same two "
        f"syncs compared whole, as every publication did before the journal: "
        f"{f['full_sync_s']:.2f} s, a time that grows with the copy while the journal's "
        "does not.",
        "",
        f"The sampled rate from the smallest to the largest archive: "
        f"{min(rates):.0f}–{max(rates):.0f} pages/s.",
        "",
        "Reproduce: `python bench/run.py --only bake` (BENCH_SMALL, BENCH_BAKE_MIDDLE, "
        "BENCH_LARGE, BENCH_BAKE_SAMPLE).",
        "",
    ]


def onwrite_section() -> list[str]:
    """bench/onwrite.py at BENCH_SMALL and BENCH_LARGE: readers' misses while articles are
    published, with render on write and with every page made stale, side by side."""
    sizes = list(dict.fromkeys([int(os.environ.get("BENCH_SMALL", 1000)),
                                int(os.environ.get("BENCH_LARGE", 1_000_000))]))
    results = {}
    for size in sizes:
        ensure_archive(size)
        out = subprocess.run([sys.executable, str(ROOT / "bench" / "onwrite.py")],
                             env=env_for(size), check=True, capture_output=True, text=True)
        results[size] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"render on write at {size:,}: {results[size]}", flush=True)
    lines = ["| articles | pages asked | publications × reads | misses, every page stale "
             "| misses, render on write | publish to switch, ms (median / max) "
             "| pages rendered per publication | page files linked forward |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, r in results.items():
        stale, kept = r["every page stale"], r["on write"]
        lines.append(
            f"| {size:,} | {r['pages']:,} | {r['publications']} × {r['reads']} "
            f"| {stale['misses']:,} ({stale['miss_share']:.1%}) "
            f"| **{kept['misses']:,} ({kept['miss_share']:.1%})** "
            f"| {kept['publish_ms_median']:.0f} / {kept['publish_ms_max']:.0f} "
            f"| {kept['rendered']:.0f} | {kept['linked']:.0f} |")
    table = "\n".join(lines)
    print(table)
    return [
        "## Render on write: what readers meet while articles are published",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, "
        f"{os.cpu_count()} cores, SQLite, local-memory cache and page files, in one process "
        "through Django's whole request handling (`bench/onwrite.py`). Readers first ask for "
        "a set of pages that existed before (home pages, lists, the newest articles and a "
        "random draw of older ones, full and text-only); then each publication is followed "
        "by random requests for pages of that set. A miss is an answer the application had "
        "to render. Both ways in the same run: every publication making every page stale "
        "(as before), and render on write (bake/onwrite.py). \"Publish to switch\" is the "
        "time from the publication's commit to the moment its pages are in the cache and "
        "nginx's folder; with a task worker, its polling interval (1 s by default) comes "
        "before it.",
        "",
        table,
        "",
        "Reproduce: `python bench/run.py --only onwrite` (BENCH_SMALL, BENCH_LARGE, "
        "BENCH_ONWRITE_PUBLICATIONS, BENCH_ONWRITE_READS, BENCH_ONWRITE_ARTICLES).",
        "",
    ]


def backup_section() -> list[str]:
    """bench/backup.py at BENCH_BACKUP_SMALL (10,000) and BENCH_LARGE articles."""
    sizes = list(dict.fromkeys([int(os.environ.get("BENCH_BACKUP_SMALL", 10_000)),
                                int(os.environ.get("BENCH_LARGE", 1_000_000))]))
    rows = []
    for size in sizes:
        ensure_archive(size)
        out = subprocess.run([sys.executable, str(ROOT / "bench" / "backup.py"),
                              str(OUT / str(size))], check=True, stdout=subprocess.PIPE,
                             text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        during = (f"{r['rps_during']:,.0f} ({r['rps_during'] / r['rps_alone'] - 1:+.0%})"
                  if r["rps_during"] else "backup shorter than one slice")
        rows.append(f"| {size:,} | {r['backup_s']:.1f} | {r['archive_mb']:,.1f} "
                    f"| {r['photo_files_mb']:,.1f} | {r['rps_alone']:,.0f} | {during} "
                    f"| {r['restore_s'] / 60:.1f} |")
    lines = [
        "## Backup while serving, and restore",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} "
        "cores, SQLite. `samizdat backup --to DIR` (a passphrase; at its default `--nice 10`) "
        "of the demo archive while wrk asks `samizdat serve` (2 workers, no page cache: every "
        "request reads the database) for an article page, in 3 s slices; the reader rate "
        "alone is the median of the slices before and after the backup, the rate during it "
        "that of the slices wholly inside it. Then `samizdat restore` of the archive into a "
        "new SQLite site (migrations, checks, load, search index).",
        "",
        "| articles | backup s | archive MB | photo files MB | readers/s alone "
        "| readers/s during the backup | restore min |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "Targets: readers lose under 20% of their throughput during a backup; a "
        "1,000,000-article site restores in under 30 minutes on two cores.",
        "",
        "Reproduce: `python bench/run.py --only backup` (BENCH_BACKUP_SMALL, BENCH_LARGE, "
        "BENCH_BACKUP_SLICE).",
        "",
    ]
    print("\n".join(lines))
    return lines


def migration_section() -> list[str]:
    """bench/migration.py: a WordPress import of BENCH_IMPORT_POSTS (100,000) posts, the same
    import again, and an export of the BENCH_LARGE archive."""
    posts = int(os.environ.get("BENCH_IMPORT_POSTS", 100_000))
    large = int(os.environ.get("BENCH_LARGE", 1_000_000))
    ensure_archive(large)
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "migration.py"), str(posts),
                          "--export-archive", str(OUT / str(large))],
                         check=True, stdout=subprocess.PIPE, text=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    first, again, export = r["import"], r["again"], r["export"]
    rate = posts / first["wall_s"]
    lines = [
        "## Moving in and out: WordPress import and export",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} "
        "cores, SQLite. `samizdat import_wordpress` of a generated export (bench/wxr.py: "
        "published posts with Cyrillic slugs, two categories, three tags and three comments "
        "each, one a reply; no images, whose cost is the photo pipeline's) into an empty "
        "site, then the same file again; `samizdat export` of the demo archive of "
        f"{large:,} articles. Each a process of its own: wall and CPU time, peak RSS.",
        "",
        "| run | size | wall s | CPU s | rate | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
        f"| import | {posts:,} posts, {r['wxr_mb']:,.0f} MB of WXR | {first['wall_s']:.1f} "
        f"| {first['cpu_s']:.1f} | {rate:,.0f} posts/s | {first['peak_mb']:.0f} |",
        f"| the same import again (nothing changed) | {posts:,} posts | {again['wall_s']:.1f} "
        f"| {again['cpu_s']:.1f} | {posts / again['wall_s']:,.0f} posts/s "
        f"| {again['peak_mb']:.0f} |",
        f"| export | {export['articles']:,} articles, {export['mb']:,.0f} MB written "
        f"| {export['wall_s']:.1f} | {export['cpu_s']:.1f} "
        f"| {export['articles'] / export['wall_s']:,.0f} articles/s "
        f"| {export['peak_mb']:.0f} |",
        "",
        f"Targets: import at least 500 posts/s (**{rate:,.0f}**, "
        f"{'met' if rate >= 500 else 'not met'}) with peak RSS under 300 MB whatever the "
        f"file's size (**{first['peak_mb']:.0f} MB**, "
        f"{'met' if first['peak_mb'] < 300 else 'not met'}).",
        "",
        "Reproduce: `python bench/run.py --only migration` (BENCH_IMPORT_POSTS, BENCH_LARGE).",
        "",
    ]
    print("\n".join(lines))
    return lines


def comment_section() -> list[str]:
    """bench/comments.py: posting and an article page with 5,000 comments, at two table
    sizes side by side."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "comments.py")],
                         check=True, stdout=subprocess.PIPE, text=True)
    return comment_lines(json.loads(out.stdout))


def comment_lines(r: dict) -> list[str]:
    small, large = r["small"], r["large"]
    rows = [
        ("post a comment (median ms)", "post_ms", ".2f"),
        ("post a comment (90th percentile ms)", "post_p90_ms", ".2f"),
        ("queries per post", "post_queries", "d"),
        ("article page with 5,000 comments, uncached (median ms)", "page_ms", ".2f"),
        ("queries on that page", "page_queries", "d"),
        ("bytes of that page", "page_bytes", ",d"),
    ]
    lines = [
        "## Comments: posting and reading against the size of the table",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d}, SQLite, through Django's test client (no "
        f"HTTP server), {POSTS_NOTE}. The same newsroom with {small['comments']:,} and with "
        f"{large['comments']:,} comments; the article shown has "
        f"{small['on_page_article']:,} in both.",
        "",
        f"| | {small['comments']:,} comments | {large['comments']:,} comments | ratio |",
        "|---|---:|---:|---:|",
    ]
    for label, key, fmt in rows:
        ratio = large[key] / small[key] if small[key] else 1
        lines.append(f"| {label} | {small[key]:{fmt}} | {large[key]:{fmt}} | {ratio:.2f}x |")
    lines += ["", "A post is committed before the answer; its queries (article, ban, duplicate "
              "check, insert, the answer page) all read through indexes. Reproduce: "
              "`python bench/comments.py` (BENCH_COMMENTS_SMALL, BENCH_COMMENTS_LARGE).", ""]
    return lines


POSTS_NOTE = "200 posts from as many addresses"


def photo_section() -> list[str]:
    """bench/photos.py: a phone photo through upload and renditions, and a phone's bytes."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "photos.py")],
                         check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    print(json.dumps(r, indent=1))
    mb = 2**20
    return [
        "## Photos: upload, renditions, and what a phone downloads",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on one core (the process pinned to it), "
        f"Pillow {pillow_version()}. A generated {r['megapixels']} MP JPEG "
        f"({r['width']}×{r['height']}, {r['upload_bytes'] / mb:.1f} MB, with EXIF, GPS, XMP "
        "and IPTC, textured at every scale so it compresses like a camera's photo), best of "
        f"{r['rounds']}:",
        "",
        "| step | seconds | |",
        "|---|---:|---|",
        f"| upload: check, decode, turn upright, strip, re-encode the original | "
        f"{r['ingest_s']:.2f} | original {r['original_bytes'] / mb:.1f} MB |",
        f"| renditions (task queue): {r['renditions_per_photo']} files, widths "
        f"{', '.join(map(str, r['widths']))} and two thumbnails in "
        f"{' and '.join(r['formats'])} | {r['renditions_s']:.2f} | "
        f"**{r['renditions_per_s']:.1f} renditions/s** |",
        f"| both | {r['ingest_s'] + r['renditions_s']:.2f} | "
        f"{r['photos_per_minute']:.0f} photos a minute per core |",
        "",
        f"A phone (390 CSS pixels, 2 device pixels each) reading an article with a hero and a "
        f"20-photo report takes the {r['phone_width']} px rendition of each: "
        f"{r['phone_bytes_modern'] / 1024:.0f} KB in {r['formats'][0]} "
        f"({r['phone_bytes_fallback'] / 1024:.0f} KB in the JPEG fallback). All 21 photos: "
        f"**{r['article_bytes_modern'] / mb:.2f} MB against "
        f"{r['article_bytes_originals'] / mb:.0f} MB of originals** "
        f"({r['article_bytes_originals'] / r['article_bytes_modern']:.0f}x less), "
        "and the report's photos load only as the reader scrolls to them. Generated photos "
        "are smoother than real ones at small sizes, so a real photo's renditions weigh "
        "more (expect 2–3x); the originals' size is realistic.",
        "",
        "Reproduce: `python bench/photos.py` (BENCH_PHOTO_MP, BENCH_PHOTO_ROUNDS).",
        "",
    ]


def pillow_version() -> str:
    from importlib.metadata import version

    return version("pillow")


def http_benchmark(small: int, large: int, queries: dict, write: bool) -> list[str]:
    import loadtest

    seconds = int(os.environ.get("BENCH_WRK_SECONDS", 10))
    rounds = int(os.environ.get("BENCH_HTTP_ROUNDS", 2))
    runs: dict[int, list[dict]] = {small: [], large: []}
    for r in range(rounds):
        for size in (small, large) if r % 2 == 0 else (large, small):
            print(f"HTTP round {r + 1}/{rounds}, {size:,} articles ...", flush=True)
            runs[size].append(loadtest.measure(env_for(size), urls_for(size), seconds))
    merged = {}
    for size, samples in runs.items():
        merged[size] = {
            name: {k: statistics.median(s["results"][name][k] for s in samples)
                   for k in ("rps", "p50", "p99")}
            for name in samples[0]["results"]
        }
    first = runs[large][0]
    lines = [
        f"| measured | req/s at {small:,} | p50 / p99 ms | req/s at {large:,} | p50 / p99 ms "
        "| share of floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in merged[small]:
        a, b = merged[small][name], merged[large][name]
        floor = merged[large]["Django floor (same bytes)"]["rps"]
        lines.append(f"| {name} | {a['rps']:,.0f} | {a['p50']:.2f} / {a['p99']:.2f} "
                     f"| {b['rps']:,.0f} | {b['p50']:.2f} / {b['p99']:.2f} "
                     f"| {b['rps'] / floor:.0%} |")
    table = "\n".join(lines)
    print(table)
    big, little = merged[large], merged[small]
    floor = big["Django floor (same bytes)"]["rps"]
    rss = max(first["rss_mb"])
    checks = [
        ("cache hit (article) at least 60% of the floor",
         big["article, cache hit"]["rps"] / floor, 0.60),
        ("cache miss (article) at least 25% of the floor",
         big["article, cache miss"]["rps"] / floor, 0.25),
        ("the same for a full render (no fragment kept either)",
         big["article, full render"]["rps"] / floor, 0.25),
        ("through nginx at least 90% of nginx serving the file",
         big["article via nginx (page file)"]["rps"] / big["nginx static file"]["rps"], 0.90),
    ]
    growth = little["article, full render"]["rps"] / big["article, full render"]["rps"]
    target_lines = [
        f"- {label}: **{value:.0%}** {'(met)' if value >= goal else '(not met)'}"
        for label, value, goal in checks
    ]
    target_lines += [
        f"- cost of a full article render at {large:,} against {small:,}: **{growth:.2f}x** "
        f"{'(met)' if growth <= 1.5 else '(not met)'} (target 1.5x)",
        f"- memory per worker after the load: **{rss:.0f} MB** at most "
        f"{'(met)' if rss < 120 else '(not met)'} (target under 120 MB); all workers: "
        + ", ".join(f"{m:.0f}" for m in first["rss_mb"]) + " MB",
    ]
    plot = write_plot(merged, small, large) if write else DOC.parent / "benchmarks-http.svg"
    return [
        "## HTTP: requests per second, side by side",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} cores, "
        f"loopback, `wrk -t2 -c16 -d{seconds}s`, median of {rounds} alternating rounds; the "
        f"load generator shares the {os.cpu_count()} cores with the servers. {loadtest.WORKERS} "
        "granian workers for Samizdat and the floor, 2 nginx workers. SQLite, local-memory "
        "cache (each worker its own). *Miss* = the same server with the page cache off, so "
        "every request renders the page, from the fragments it keeps (site/fragments.py): "
        "what a request meets after a publication, which makes every cached page stale. "
        "*Full render* = nothing kept, neither pages nor fragments.",
        "",
        table,
        "",
        f"Article page: {first['bytes']:,} bytes of HTML, {first['gzip_bytes']:,} gzipped as "
        f"served; SQL queries per page on a cold render (nothing kept in the worker): article "
        f"{queries[large]['article']}, home {queries[large]['home']} (the same at both sizes: "
        f"{queries[small]['article']} and {queries[small]['home']}); a warm worker needs 5 "
        "fewer (menus, footer and editions stay in memory until they change); a miss whose "
        "fragments are kept makes 1 (the article's row); a hit makes none.",
        "",
        "Targets (issue 7), at the large archive:",
        "",
        *target_lines,
        "",
        f"![requests per second]({plot.name})",
        "",
        "Reproduce: `make bench` (needs Debian's `nginx-light` and `wrk`).",
        "",
    ]


def write_plot(merged: dict, small: int, large: int) -> Path:
    """A plain SVG bar chart, log scale, so the static file and a miss fit one picture."""
    import math

    names = list(merged[large])
    top = max(v["rps"] for m in merged.values() for v in m.values())
    width, bar, gap, left = 720, 12, 10, 230
    height = 40 + len(names) * (2 * bar + gap)
    scale = (width - left - 70) / math.log10(top)

    def x(value):
        return left + max(0.0, math.log10(max(value, 1))) * scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="11">',
             f'<text x="{left}" y="14">requests/s, log scale: light {small:,} articles, '
             f'dark {large:,}</text>']
    y = 28
    for name in names:
        parts.append(f'<text x="{left - 6}" y="{y + bar + 4}" text-anchor="end">{name}</text>')
        for size, colour in ((small, "#d98c8c"), (large, "#a4000f")):
            value = merged[size][name]["rps"]
            parts.append(f'<rect x="{left}" y="{y}" width="{x(value) - left:.1f}" '
                         f'height="{bar - 1}" fill="{colour}"/>')
            parts.append(f'<text x="{x(value) + 4:.1f}" y="{y + bar - 2}">{value:,.0f}</text>')
            y += bar
        y += gap
    parts.append("</svg>")
    path = DOC.parent / "benchmarks-http.svg"
    path.write_text("\n".join(parts) + "\n")
    return path


def write_section(section: list[str], name: str = "bench:reader-pages") -> None:
    marker_start = f"<!-- {name} -->"
    marker_end = f"<!-- /{name} -->"
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n"
    block = f"{marker_start}\n" + "\n".join(section) + f"\n{marker_end}"
    if marker_start in text:
        before, rest = text.split(marker_start, 1)
        after = rest.split(marker_end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text)
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
