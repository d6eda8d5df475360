"""Requests per second over HTTP, side by side, with wrk on loopback.

For one archive: nginx serving a saved copy of the article page (the machine's limit), the
framework's floor (bench/floor.py under granian), Samizdat under `samizdat serve` with the
page cache (hits), without it (misses: every request renders its page from the fragments
kept, as after a publication), without any cache (full renders), and nginx with the
documented configuration in front of Samizdat (answering from the page files Samizdat wrote).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers: dict | None = None) -> tuple[bytes, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), response.headers


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, seconds: int) -> dict:
    get(url)  # warm: the first answer of each worker fills its cache
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses under load")
    return {"rps": rps, "p50": p50, "p99": p99}


def worker_rss_mb(process: subprocess.Popen) -> list[float]:
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True,
                              text=True).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
    return sizes


class Servers:
    def __init__(self):
        self.processes: list[subprocess.Popen] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="samizdat-bench-"))

    def start(self, argv, env=None, cwd=None, probe="/") -> tuple[str, subprocess.Popen]:
        port = free_port()
        argv = [a.replace("{port}", str(port)) for a in argv]
        process = subprocess.Popen(argv, env=env, cwd=cwd, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_for(url + probe, process)
        return url, process

    def samizdat(self, env: dict, mode: str):
        """mode: "hit" (page cache on), "miss" (page cache off, fragments kept: what a
        request meets after a publication) or "render" (nothing kept: every part renders)."""
        env = {**env, "SAMIZDAT_WORKERS": str(WORKERS)}
        if mode == "hit":
            env["SAMIZDAT_PAGE_FILES_DIR"] = str(self.tmp / "www" / "pages")
        else:
            env["SAMIZDAT_PAGE_CACHE_SECONDS"] = "0"  # no page is kept: every request renders
        if mode == "render":
            env["SAMIZDAT_FRAGMENT_CACHE_SECONDS"] = "0"
        # Without the task worker: it would spend the cores the measurement shares on the
        # demo's photo renditions, and finish its task before it stops (past the wait below).
        return self.start([sys.executable, "-m", "samizdat", "serve", "--port", "{port}",
                           "--no-collectstatic", "--no-worker"], env=env, probe="/robots.txt")

    def floor(self, body: Path):
        env = {**os.environ, "BENCH_FLOOR_FILE": str(body), "PYTHONPATH": str(ROOT / "bench")}
        return self.start([sys.executable, "-m", "granian", "--interface", "wsgi",
                           "--host", "127.0.0.1", "--port", "{port}",
                           "--workers", str(WORKERS), "--blocking-threads", "1", "--no-ws",
                           "--no-access-log", "--log-level", "warning", "floor:application"],
                          env=env, cwd=ROOT / "bench", probe="/article.html")

    def nginx(self, static_root: Path, app_url: str, var: Path) -> tuple[str, str]:
        """One nginx: a plain static server, and the documented site config before the app."""
        static_port, site_port = free_port(), free_port()
        site = (ROOT / "docs/nginx/samizdat.conf").read_text()
        for old, new in {
            "listen 80;": f"listen 127.0.0.1:{site_port};",
            # The catch-all server beside it; no TLS, no onion listener.
            "listen 80 default_server;": f"listen 127.0.0.1:{site_port} default_server;",
            "listen 443 ssl default_server;": "",
            "listen 127.0.0.1:8080 proxy_protocol;": "",
            "server_name news.example.org": "server_name 127.0.0.1",
            "server 127.0.0.1:8000;": f"server {app_url.removeprefix('http://')};",
            "/srv/samizdat/var": str(var),
            "/srv/samizdat/www": str(self.tmp / "www"),
            "/var/log/nginx/": f"{self.tmp}/",
        }.items():
            site = site.replace(old, new)
        (self.tmp / "site.conf").write_text(site)
        conf = self.tmp / "nginx.conf"
        conf.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes {WORKERS};\npid {self.tmp}/nginx.pid;\n"
            f"error_log {self.tmp}/error.log;\nevents {{ worker_connections 1024; }}\n"
            "http {\n  include /etc/nginx/mime.types;\n  access_log off;\n  sendfile on;\n"
            + "".join(f"  {kind}_temp_path {self.tmp}/{kind};\n"
                      for kind in ("proxy", "fastcgi", "uwsgi", "scgi"))
            + f"  client_body_temp_path {self.tmp}/body;\n"
            # The machine's limit: nginx tuned for static files as the site config is.
            f"  server {{ listen 127.0.0.1:{static_port}; root {static_root}; "
            "open_file_cache max=20000 inactive=60s; open_file_cache_valid 1s; }\n"
            f"  include {self.tmp}/site.conf;\n}}\n"
        )
        process = subprocess.Popen([NGINX, "-p", str(self.tmp), "-c", str(conf),
                                    "-g", "daemon off;"], start_new_session=True)
        self.processes.append(process)
        wait_for(f"http://127.0.0.1:{static_port}/article.html", process)
        return f"http://127.0.0.1:{static_port}", f"http://127.0.0.1:{site_port}"

    def stop(self):
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in self.processes:
            process.wait(timeout=30)
        shutil.rmtree(self.tmp, ignore_errors=True)


def measure(env: dict, urls: dict, seconds: int) -> dict:
    """All measurements for one archive; `urls` holds the article and home paths."""
    servers = Servers()
    try:
        cached_url, cached = servers.samizdat(env, "hit")
        uncached_url, uncached = servers.samizdat(env, "miss")
        render_url, rendering = servers.samizdat(env, "render")
        body, _ = get(cached_url + urls["article"])
        packed, headers = get(cached_url + urls["article"], {"Accept-Encoding": "gzip"})
        static = servers.tmp / "static"
        static.mkdir()
        (static / "article.html").write_bytes(body)
        floor_url, _ = servers.floor(static / "article.html")
        static_url, front_url = servers.nginx(static, cached_url, Path(env["SAMIZDAT_VAR_DIR"]))
        results = {
            "nginx static file": wrk(static_url + "/article.html", seconds),
            "Django floor (same bytes)": wrk(floor_url + "/article.html", seconds),
            "article, cache hit": wrk(cached_url + urls["article"], seconds),
            "home, cache hit": wrk(cached_url + urls["home"], seconds),
            "article, cache miss": wrk(uncached_url + urls["article"], seconds),
            "home, cache miss": wrk(uncached_url + urls["home"], seconds),
            "article, full render": wrk(render_url + urls["article"], seconds),
            "article via nginx (page file)": wrk(front_url + urls["article"], seconds),
        }
        return {
            "results": results,
            "bytes": len(body),
            "gzip_bytes": len(packed) if headers.get("Content-Encoding") == "gzip" else None,
            "rss_mb": worker_rss_mb(uncached) + worker_rss_mb(cached) + worker_rss_mb(rendering),
        }
    finally:
        servers.stop()
