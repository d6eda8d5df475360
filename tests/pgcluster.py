"""A private, throwaway PostgreSQL cluster (initdb + pg_ctl in a temporary folder, as the
postgres user when we are root, on a free port), so the shared server is never touched.
Used by tests/newsroom/test_worker_restart.py and bench/soak.py."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.net import free_port

# Debian's server binaries, of the newest PostgreSQL installed (the one .ci/run starts).
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"),
             key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
             default=Path("/usr/lib/postgresql/15/bin"))


def available() -> bool:
    return (PG_BIN / "initdb").exists() and (os.geteuid() != 0 or bool(shutil.which("runuser")))


class Cluster:
    """initdb + pg_ctl in a temporary folder, as the postgres user when we are root."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="samizdat-pg-"))
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *argv):
        subprocess.run([*self.as_user, *argv], check=True, capture_output=True, timeout=60)

    def pg_ctl(self, *args):
        self.run(str(PG_BIN / "pg_ctl"), *args, "-D", str(self.dir / "data"))

    def start(self):
        if not (self.dir / "data").exists():
            self.run(str(PG_BIN / "initdb"), "-D", str(self.dir / "data"), "-A", "trust",
                     "-U", "postgres", "--no-sync")
        # A log file, or the server would hold our pipe open.
        self.pg_ctl("start", "-w", "-l", str(self.dir / "log"), "-o",
                    f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off")

    def restart(self, down_for: float):
        self.pg_ctl("stop", "-w", "-m", "fast")
        time.sleep(down_for)
        self.start()

    def stop(self):
        try:
            self.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
