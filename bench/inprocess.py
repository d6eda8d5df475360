"""One request's cost through the whole WSGI stack, in-process: every middleware, the page
cache, the view and its templates, without an HTTP server or a load generator.

    SAMIZDAT_VAR_DIR=bench/out/1000 python bench/inprocess.py article /robots.txt

Each argument is a page name of bench/render.py (article, home, section, ...) or a path.
For each it prints milliseconds per request and SQL queries for a page-cache hit, a miss
whose fragments are kept (as after a publication) and a full render (nothing kept), each
measured in a process of its own. Used to see where a miss's time goes
(docs/benchmarks.md, "What a miss costs").
"""

import json
import os
import subprocess
import sys
from pathlib import Path

MODES = {
    "hit": {"SAMIZDAT_PAGE_CACHE_SECONDS": "300"},
    "miss": {"SAMIZDAT_PAGE_CACHE_SECONDS": "0"},
    "full render": {"SAMIZDAT_PAGE_CACHE_SECONDS": "0", "SAMIZDAT_FRAGMENT_CACHE_SECONDS": "0"},
}
REPEATS = 300


def measure(targets: list[str]) -> dict:
    import io
    import time

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samizdat.settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import render

    named = render.pick_urls()
    named.pop("_client")
    app = WSGIHandler()

    def call(path: str) -> None:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
                   "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr}
        status = []
        body = app(environ, lambda s, h: status.append(s))
        b"".join(body)
        body.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}: {status[0]}")

    results = {}
    for target in targets:
        path = named.get(target, target)
        for _ in range(20):  # warm: the worker's memory and caches as under load
            call(path)
        with CaptureQueriesContext(connection) as queries:
            call(path)
        count = len(queries)
        start = time.perf_counter()
        for _ in range(REPEATS):
            call(path)
        results[target] = {"ms": (time.perf_counter() - start) / REPEATS * 1000,
                           "queries": count}
    return results


def main() -> None:
    targets = sys.argv[1:] or ["article", "/robots.txt"]
    print("| page | " + " | ".join(f"{mode} ms (queries)" for mode in MODES) + " |")
    print("|---|" + "---:|" * len(MODES))
    rows = {t: [] for t in targets}
    for env in MODES.values():
        out = subprocess.run([sys.executable, __file__, "--measure", *targets],
                             env={**os.environ, **env, "SAMIZDAT_LOG_LEVEL": "ERROR"},
                             check=True, capture_output=True, text=True).stdout
        for target, figures in json.loads(out).items():
            rows[target].append(f"{figures['ms']:.2f} ({figures['queries']})")
    for target, cells in rows.items():
        print(f"| {target} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        json.dump(measure(sys.argv[2:]), sys.stdout)
    else:
        main()
