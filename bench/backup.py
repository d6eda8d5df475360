"""Backing up while serving readers, and restoring: `samizdat backup` of a demo archive while
wrk asks `samizdat serve` for an article page with no page cache (every request reads the
database, as after a publication), beside the same load without a backup; then
`samizdat restore` of that archive into a new SQLite site.

    python bench/backup.py VAR_DIR [--no-restore]

Prints one JSON line; bench/run.py writes it into docs/benchmarks.md. The load runs in
slices of BENCH_BACKUP_SLICE seconds (default 3): before the backup, during it, after it.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadtest  # noqa: E402 (bench/ is not a package)

SLICE = int(os.environ.get("BENCH_BACKUP_SLICE", 3))
PASSPHRASE = "bench only, not a secret"  # noqa: S105 (a throwaway archive)


def load_slice(url: str, label: str = "") -> float:
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{SLICE}s", url], check=True,
                         capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if label:  # each slice as it ends, so a run stopped early still tells something
        print(f"slice {label} {rate:.1f}", file=sys.stderr, flush=True)
    return rate


def main() -> None:
    var = Path(sys.argv[1]).resolve()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(SAMIZDAT_VAR_DIR=str(var), SAMIZDAT_LOG_LEVEL="ERROR",
               SAMIZDAT_BACKUP_PASSPHRASE=PASSPHRASE)
    samizdat = [sys.executable, "-m", "samizdat"]
    urls = json.loads(subprocess.run(
        [sys.executable, str(Path(__file__).parent / "render.py"), "--urls"], env=env,
        check=True, capture_output=True, text=True).stdout)
    result: dict = {}
    servers = loadtest.Servers()
    with tempfile.TemporaryDirectory(prefix="samizdat-backup-") as tmp:
        tmp = Path(tmp)
        try:
            base, _process = servers.samizdat(env, "miss")
            url = base + urls["article"]
            loadtest.get(url)
            before = [load_slice(url, "alone") for _ in range(3)]
            start = time.perf_counter()
            # In a session of its own, as systemd or cron start it (see lower_priority).
            backup = subprocess.Popen([*samizdat, "backup", "--to", str(tmp / "backups")],
                                      env=env, stdout=subprocess.PIPE, text=True,
                                      start_new_session=True)
            during = []
            while backup.poll() is None:
                rate = load_slice(url, "during")
                if backup.poll() is None:  # a slice wholly inside the backup
                    during.append(rate)
            result["backup_s"] = time.perf_counter() - start
            if backup.returncode:
                raise SystemExit("samizdat backup failed")
            archive = backup.stdout.read().strip().splitlines()[-1]
            after = [load_slice(url, "alone") for _ in range(3)]
        finally:
            servers.stop()
        alone = statistics.median(before + after)
        result.update(
            rps_alone=alone, rps_during=statistics.median(during) if during else None,
            slices_during=len(during),
            archive_mb=Path(archive).stat().st_size / 1e6,
            photo_files_mb=sum(f.stat().st_size for f in (tmp / "backups").rglob("*")
                               if f.is_file() and str(f) != archive) / 1e6)
        if "--no-restore" in sys.argv:
            print(json.dumps(result))
            return
        target = {**env, "SAMIZDAT_VAR_DIR": str(tmp / "restored")}
        start = time.perf_counter()
        subprocess.run([*samizdat, "restore", archive], env=target, check=True,
                       stdout=subprocess.DEVNULL)
        result["restore_s"] = time.perf_counter() - start
    print(json.dumps(result))


if __name__ == "__main__":
    main()
