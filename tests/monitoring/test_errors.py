"""SAMIZDAT_SENTRY_DSN: an error reaches a local server speaking Sentry's envelope protocol,
without the reader's address, headers, cookies or query string."""

import gzip
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = "203.0.113.77"
FORWARDED = "198.51.100.23"

# Through the WSGI application, as granian calls it (the SDK wraps it).
REQUEST = f"""
import io, sys, wsgiref.util
import sentry_sdk
from samizdat.wsgi import application
environ = {{"REQUEST_METHOD": "GET", "PATH_INFO": "/boom/",
           "QUERY_STRING": "email=reader%40example.org", "REMOTE_ADDR": "{ADDRESS}",
           "HTTP_X_FORWARDED_FOR": "{FORWARDED}", "HTTP_USER_AGENT": "Agent/1",
           "HTTP_COOKIE": "preference=cookie-value", "HTTP_HOST": "127.0.0.1"}}
wsgiref.util.setup_testing_defaults(environ)
status = []
b"".join(application(environ, lambda s, h, e=None: status.append(s)))
sentry_sdk.flush(10)
print(status[0])
"""


class Recorder(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self):  # noqa: N802 - the http.server protocol
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    Recorder.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], Recorder.received
    server.shutdown()
    server.server_close()


def test_an_error_arrives_without_the_reader(sentry_server, tmp_path):
    port, received = sentry_server
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "tests.monitoring.sentry_settings",
                "SAMIZDAT_SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/42",
                "SAMIZDAT_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT),
                "SAMIZDAT_LOG_LEVEL": "CRITICAL"})
    run = subprocess.run([sys.executable, "-c", REQUEST], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.stdout.strip().endswith("500 Internal Server Error"), run.stderr
    envelopes = [body for path, body in received if path == "/api/42/envelope/"]
    assert envelopes, received
    sent = b"\n".join(envelopes).decode()
    assert "RuntimeError" in sent and "failed for [client]" in sent
    assert '"url":"http://127.0.0.1/boom/"' in sent.replace(" ", "")
    for secret in (ADDRESS, FORWARDED, "reader%40example.org", "reader@example.org",
                   "cookie-value", "Agent/1", "X-Forwarded-For", "ip_address"):
        assert secret not in sent, secret
