"""Moving in and out at scale: `samizdat import_wordpress` of a generated WordPress export
(bench/wxr.py) into an empty site, the same import again (nothing changed), and
`samizdat export` of a demo archive.

    python bench/migration.py POSTS [--export-archive VAR_DIR]

Each command runs as a process of its own; its wall time, CPU time and peak RSS are its own
(os.wait4). Prints one JSON line; bench/run.py writes it into docs/benchmarks.md.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(command: list[str], env: dict) -> dict:
    """Run `command`; its wall seconds, CPU seconds and peak resident memory in MB."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise SystemExit(f"{' '.join(command)} failed ({code})")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024}


def site_env(var: Path) -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(SAMIZDAT_VAR_DIR=str(var), SAMIZDAT_LOG_LEVEL="ERROR")
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("posts", type=int)
    parser.add_argument("--export-archive", type=Path,
                        help="A var folder holding a demo archive to export.")
    args = parser.parse_args()
    samizdat = [sys.executable, "-m", "samizdat"]
    result: dict = {"posts": args.posts}
    with tempfile.TemporaryDirectory(prefix="samizdat-bench-") as tmp:
        tmp = Path(tmp)
        wxr = tmp / "export.xml"
        subprocess.run([sys.executable, str(ROOT / "bench" / "wxr.py"), str(args.posts),
                        str(wxr)], check=True)
        result["wxr_mb"] = wxr.stat().st_size / 1e6
        env = site_env(tmp / "site")
        subprocess.run([*samizdat, "migrate", "-v0"], env=env, check=True)
        command = [*samizdat, "import_wordpress", str(wxr), "--edition", "be"]
        result["import"] = measure(command, env)
        result["again"] = measure(command, env)
        wxr.unlink()
        if args.export_archive:
            out = tmp / "out"
            env = site_env(args.export_archive)
            result["export"] = measure([*samizdat, "export", str(out)], env)
            articles = out / "articles.jsonl"
            with open(articles, "rb") as lines:
                result["export"]["articles"] = sum(1 for _line in lines)
            result["export"]["mb"] = sum(
                f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6
            shutil.rmtree(out)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
