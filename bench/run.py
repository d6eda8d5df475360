"""`make bench`: reader page cost at a small and a large archive, side by side.

Figures go into docs/benchmarks.md.

Archives are generated once with `samizdat demo` under bench/out/<size>/ and reused.
Sizes come from BENCH_SMALL (default 1000) and BENCH_LARGE (default 1000000); BENCH_ROUNDS
sets how many alternating rounds run (default 5). A smoke run for CI:
BENCH_LARGE=5000 BENCH_ROUNDS=1 python bench/run.py --no-write
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


def env_for(size: int) -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["SAMIZDAT_VAR_DIR"] = str(OUT / str(size))
    env["SAMIZDAT_LOG_LEVEL"] = "ERROR"
    return env


def ensure_archive(size: int) -> float | None:
    """Generate the archive if missing; return the generation rate in articles/s if generated."""
    marker = OUT / str(size) / "complete"
    if marker.exists():
        return None
    target = OUT / str(size)
    target.mkdir(parents=True, exist_ok=True)
    for leftover in target.glob("samizdat.sqlite3*"):
        leftover.unlink()
    env = env_for(size)
    samizdat = [sys.executable, "-m", "samizdat"]
    subprocess.run([*samizdat, "migrate", "-v0"], env=env, check=True)
    start = datetime.now(UTC)
    subprocess.run([*samizdat, "demo", "--articles", str(size), "--password", "bench-only"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = (datetime.now(UTC) - start).total_seconds()
    marker.write_text(f"{size} articles in {seconds:.0f} s\n")
    return size / seconds


def render_round(size: int, repeats: int) -> dict:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "render.py"), str(repeats)],
        env=env_for(size), check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)


def css_gzip_bytes() -> int:
    css = (ROOT / "src/samizdat/site/static/site/site.css").read_bytes()
    return len(gzip.compress(css, 6))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs alone.")
    args = parser.parse_args()
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
    if args.no_write:
        return
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
    write_section(section)


def write_section(section: list[str]) -> None:
    marker_start = "<!-- bench:reader-pages -->"
    marker_end = "<!-- /bench:reader-pages -->"
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
