"""`samizdat serve` and `samizdat dev` keep their task worker running: a worker killed (as by
the OOM killer) is started again, and stopping the command stops it too."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from samizdat.newsroom.supervise import Supervised
from tests.net import free_port

pytestmark = pytest.mark.serving


def children(pid: int) -> dict[int, str]:
    """The child processes of `pid`, with their command lines."""
    found = {}
    for line in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                               text=True).stdout.split():
        try:
            found[int(line)] = Path(f"/proc/{line}/cmdline").read_bytes().replace(
                b"\0", b" ").decode()
        except FileNotFoundError:
            pass  # ended meanwhile
    return found


def wait_until(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise TimeoutError(condition)


def workers_of(pid: int) -> list[int]:
    return [child for child, argv in children(pid).items() if " samizdat worker" in argv]


def test_a_supervised_process_is_started_again_when_killed():
    sleeper = Supervised([sys.executable, "-c", "import time; time.sleep(60)"]).start()
    try:
        first = sleeper.pid
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: sleeper.pid != first and sleeper.process.poll() is None, 5)
    finally:
        sleeper.stop(timeout=5)
    assert sleeper.process.poll() is not None
    time.sleep(1.2)  # past the pause before a restart: none comes after stop()
    assert sleeper.process.poll() is not None


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_"))}
    env.update({"SAMIZDAT_VAR_DIR": str(tmp_path_factory.mktemp("var")),
                "SAMIZDAT_LOG_LEVEL": "ERROR"})
    subprocess.run([sys.executable, "-m", "samizdat", "migrate", "-v0"], env=env, check=True)
    return env


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def replaced_after_kill(command: subprocess.Popen) -> None:
    """Kill the command's task worker; a new one takes its place."""
    first = wait_until(lambda: workers_of(command.pid))
    assert len(first) == 1
    os.kill(first[0], signal.SIGKILL)
    second = wait_until(lambda: [w for w in workers_of(command.pid) if w != first[0]])
    assert len(second) == 1 and command.poll() is None


def stop(command: subprocess.Popen, signum: int) -> list[int]:
    """Stop the command as systemd or a terminal would; returns its children left behind."""
    kids = list(children(command.pid))
    os.killpg(command.pid, signum)
    command.wait(timeout=30)
    return [pid for pid in kids if Path(f"/proc/{pid}").exists()
            and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]]


def test_serve_starts_its_task_worker_again_when_it_dies(environment):
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "samizdat", "serve", "--no-collectstatic", "--workers", "1",
         "--port", str(port)],
        env=environment, stdout=subprocess.DEVNULL, start_new_session=True)
    granian = []
    try:
        wait_until(lambda: listening(port))
        replaced_after_kill(serve)
        # granian runs beside it, with its own worker process.
        granian = [pid for pid, argv in children(serve.pid).items() if "granian" in argv]
        assert len(granian) == 1
        wait_until(lambda: children(granian[0]))
        # In a session of its own: a stop sent to serve's process group reaches granian
        # once, from serve (twice could deadlock granian's signal handler).
        assert os.getsid(granian[0]) != os.getsid(serve.pid)
        assert stop(serve, signal.SIGTERM) == []
    finally:
        for pid in granian:
            if Path(f"/proc/{pid}").exists():
                os.killpg(pid, signal.SIGKILL)
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()


def test_serve_no_worker_is_granian_alone(environment):
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "samizdat", "serve", "--no-collectstatic", "--workers", "1",
         "--port", str(port), "--no-worker"],
        env=environment, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: listening(port))
        kids = children(serve.pid)
        assert len(kids) == 1 and not workers_of(serve.pid)  # granian's own worker
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=30)


def test_dev_starts_its_task_worker_again_when_it_dies(environment):
    dev = subprocess.Popen(
        [sys.executable, "-m", "samizdat", "dev", f"127.0.0.1:{free_port()}"],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        replaced_after_kill(dev)
        assert stop(dev, signal.SIGINT) == []  # Ctrl+C in its terminal
    finally:
        if dev.poll() is None:
            os.killpg(dev.pid, signal.SIGKILL)
            dev.wait()
