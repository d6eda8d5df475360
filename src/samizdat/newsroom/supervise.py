"""Keeping a child process running: how `samizdat serve` and `samizdat dev` keep their task
worker alive when it dies (an OOM kill, a crash), without systemd's help."""

import logging
import signal
import subprocess
import sys
import threading
import time

logger = logging.getLogger("samizdat.worker")

WORKER = [sys.executable, "-m", "samizdat", "worker"]


class Supervised:
    """`argv` as a child process, started again whenever it ends until `stop()`; after a
    pause that grows (up to `max_pause`) while it keeps dying within `min_uptime` seconds."""

    def __init__(self, argv: list[str], *, min_uptime: float = 10.0, max_pause: float = 30.0):
        self.argv = argv
        self.min_uptime = min_uptime
        self.max_pause = max_pause
        self.process: subprocess.Popen | None = None
        self._started = 0.0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> "Supervised":
        self._spawn()
        self._watcher.start()
        return self

    def _spawn(self) -> None:
        with self._lock:
            if not self._stopping.is_set():
                self.process = subprocess.Popen(self.argv)  # noqa: S603 - our own command
                self._started = time.monotonic()

    def _watch(self) -> None:
        pause = 0.0
        while not self._stopping.is_set():
            code = self.process.wait()
            if self._stopping.is_set():
                return
            lived = time.monotonic() - self._started
            pause = min(self.max_pause, max(1.0, pause * 2)) if lived < self.min_uptime else 0.5
            logger.warning("%s exited with %s; starting it again in %.1fs",
                           " ".join(self.argv[2:]) or self.argv[0], code, pause)
            if self._stopping.wait(pause):
                return
            self._spawn()

    def restart(self) -> None:
        """End the child gently; the watcher starts a new one (new code after a deploy)."""
        with self._lock:
            if self.process and self.process.poll() is None:
                self.process.terminate()

    def stop_soon(self) -> None:
        """Stop restarting and send the child SIGTERM, without waiting (for signal handlers)."""
        self._stopping.set()
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop restarting; ask the child to finish (SIGTERM), and kill it after `timeout`."""
        self._stopping.set()
        with self._lock:
            process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._watcher.is_alive():
            self._watcher.join(timeout=5)
