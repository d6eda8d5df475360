"""`samizdat serve` (granian) in production mode, and the documented nginx configuration in
front of it: a real server process, a real nginx from Debian's packages, real HTTP."""

import gzip
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import need
from tests.net import free_port

pytestmark = pytest.mark.serving

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE_CONF = ROOT / "docs" / "nginx" / "samizdat.conf"
ADMIN_CONF = ROOT / "docs" / "nginx" / "samizdat-admin.conf"
ADMIN_HOST = "desk.example.org"
# The monitoring tokens the test site accepts (SAMIZDAT_HEALTH_TOKEN, SAMIZDAT_METRICS_TOKEN).
HEALTH_TOKEN, METRICS_TOKEN = "health-" + "t0k3n" * 8, "metrics-" + "t0k3n" * 8
# A well-formed v3 address (its checksum is right) for the test site's onion service.
ONION = "eyj3b6vgijd6nssjh6fmnd2uaxhi3pnhlvtfugdhzyv4jce54udsx3id.onion"


def fetch(url, headers=None, method="GET"):
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def fetch_once(url, headers=None):
    """One request, redirects not followed."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", url.removeprefix(f"{parts.scheme}://{parts.netloc}"),
                           headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def via_tor(port: int, path: str, circuit: int = 0x1f2, headers=None):
    """One request as the tor daemon passes it on with HiddenServiceExportCircuitID: a PROXY
    protocol line naming the reader's circuit, then the reader's request for the onion."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.connect()
        connection.sock.sendall(
            f"PROXY TCP6 fc00:dead:beef:4dad::{circuit:x} ::1 {40000 + circuit % 20000} 80"
            "\r\n".encode())
        connection.request("GET", path, headers={"Host": ONION, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def wait_for(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}")
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A production-mode site with demo content, served by `samizdat serve`."""
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_"))}
    env.update({
        "SAMIZDAT_PRODUCTION": "1", "SAMIZDAT_SSL_REDIRECT": "0",
        "SAMIZDAT_SECRET_KEY": "serving-test-" + "x7Qp2Lm9" * 6,
        "SAMIZDAT_ALLOWED_HOSTS": f"127.0.0.1,localhost,{ADMIN_HOST}",
        "SAMIZDAT_ADMIN_HOST": ADMIN_HOST,
        "SAMIZDAT_VAR_DIR": str(var), "SAMIZDAT_PROXY_COUNT": "1",
        "SAMIZDAT_PAGE_FILES_DIR": str(var / "www" / "pages"),
        "SAMIZDAT_LOG_LEVEL": "ERROR", "SAMIZDAT_ONION_ADDRESS": ONION,
        "SAMIZDAT_HEALTH_TOKEN": HEALTH_TOKEN, "SAMIZDAT_METRICS_TOKEN": METRICS_TOKEN,
    })
    samizdat = [sys.executable, "-m", "samizdat"]
    subprocess.run([*samizdat, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*samizdat, "demo", "--articles", "30", "--password", "x" * 12], env=env,
                   check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*samizdat, "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/robots.txt", server)
        yield {"url": url, "var": var, "process": server, "env": env}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # seen now and then on a loaded machine
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)


def child_commands(pid: int) -> list[str]:
    return subprocess.run(["pgrep", "-a", "-P", str(pid)], capture_output=True,
                          text=True).stdout.splitlines()


def test_serve_runs_the_configured_number_of_workers(app):
    # `samizdat serve` runs granian and the task worker (newsroom/supervise.py) side by side.
    children = child_commands(app["process"].pid)
    assert len(children) == 2 and sum(" samizdat worker" in c for c in children) == 1
    granian = next(c for c in children if "granian" in c).split()[0]
    assert len(child_commands(int(granian))) == 2


def test_reader_pages_come_compressed_with_security_headers(app):
    status, headers, body = fetch(app["url"] + "/en/", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert b"</html>" in gzip.decompress(body)
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "public" in headers["Cache-Control"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS
    # Through a TLS-terminating proxy: HSTS, and the cache keeps the two apart.
    _, secure, _ = fetch(app["url"] + "/en/", {"X-Forwarded-Proto": "https"})
    assert "max-age=31536000" in secure["Strict-Transport-Security"]
    assert "Set-Cookie" not in headers
    # Each of the two workers has its own local-memory cache: at most one miss each.
    answers = [fetch(app["url"] + "/en/", {"Accept-Encoding": "gzip"})[1] for _ in range(5)]
    assert sum(a["X-Page-Cache"] == "HIT" for a in answers) >= 3
    assert not any("Strict-Transport-Security" in a for a in answers)


def test_static_files_have_hashed_names_and_far_future_caching(app):
    _, _, body = fetch(app["url"] + "/en/")
    html = body.decode()
    start = html.index("/static/site/site.")
    css = html[start:html.index('"', start)]
    assert css.count(".") == 2, f"expected a hashed name, got {css}"
    status, headers, body = fetch(app["url"] + css, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    assert "max-age=315360000" in headers["Cache-Control"]


def placed(path: Path, replacements: dict) -> str:
    """A documented configuration file with its placeholders replaced for the test."""
    text = path.read_text()
    for old, new in replacements.items():
        assert old in text, f"{path.relative_to(ROOT)} no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def nginx_conf(tmp: Path, app_url: str, var: Path, www: Path, ports: dict) -> Path:
    """nginx.conf for a test: the documented site and admin servers on loopback ports.

    `ports`: "http" and "tls" for readers (and the catch-all server), "onion" for what the
    tor daemon would connect to, "admin" for the admin host. The admin lets in 127.0.0.3.
    """
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-addext", f"subjectAltName=DNS:localhost,DNS:{ADMIN_HOST}",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    upstream = app_url.removeprefix("http://")
    site = placed(SITE_CONF, {
        "listen 80;": f"listen 127.0.0.1:{ports['http']};\n"
                      f"    listen 127.0.0.1:{ports['tls']} ssl;\n"
                      f"    ssl_certificate {cert};\n    ssl_certificate_key {key};",
        "listen 80 default_server;": f"listen 127.0.0.1:{ports['http']} default_server;",
        "listen 443 ssl default_server;": f"listen 127.0.0.1:{ports['tls']} ssl default_server;",
        "listen 127.0.0.1:8080 proxy_protocol;":
            f"listen 127.0.0.1:{ports['onion']} proxy_protocol;",
        "server_name news.example.org example.onion;": f"server_name 127.0.0.1 localhost {ONION};",
        "example.onion": ONION,
        "server 127.0.0.1:8000;": f"server {upstream};",
        "/srv/samizdat/var": str(var),
        "/srv/samizdat/www": str(www),
        "/var/log/nginx/": f"{tmp}/",
    })
    admin = placed(ADMIN_CONF, {
        "listen 10.8.0.1:443 ssl;": f"listen 127.0.0.1:{ports['admin']} ssl;",
        "allow 10.8.0.0/24;": "allow 127.0.0.3;",
        f"/etc/letsencrypt/live/{ADMIN_HOST}/fullchain.pem": str(cert),
        f"/etc/letsencrypt/live/{ADMIN_HOST}/privkey.pem": str(key),
        "proxy_pass http://127.0.0.1:8000;": f"proxy_pass {app_url};",
        "/var/log/nginx/": f"{tmp}/",
    })
    (tmp / "site.conf").write_text(site)
    (tmp / "admin.conf").write_text(admin)
    temp = {name: tmp / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    main = tmp / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
        "events { worker_connections 256; }\n"
        "http {\n  include /etc/nginx/mime.types;\n"
        f"  client_body_temp_path {temp['body']};\n  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n  uwsgi_temp_path {temp['uwsgi']};\n"
        f"  scgi_temp_path {temp['scgi']};\n  include {tmp}/site.conf;\n"
        f"  include {tmp}/admin.conf;\n}}\n"
    )
    return main


@contextmanager
def running_nginx(prefix: Path, conf: Path, ready_url: str):
    """Debian's nginx in the foreground with `conf`, until the block ends."""
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                               stderr=subprocess.PIPE)
    try:
        wait_for(ready_url, process, 20)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def nginx(app, tmp_path_factory):
    need(Path(NGINX).exists(), "Debian's nginx (apt-get install nginx-light)")
    tmp = tmp_path_factory.mktemp("nginx")
    www = app["var"] / "www"
    (www / "baked" / "en" / "baked-page").mkdir(parents=True)
    (www / "baked" / "en" / "baked-page" / "index.html").write_text("<p>from the baked copy</p>")
    ports = {name: free_port() for name in ("http", "tls", "onion", "admin")}
    conf = nginx_conf(tmp, app["url"], app["var"], www, ports)
    with running_nginx(tmp, conf, f"http://127.0.0.1:{ports['http']}/robots.txt"):
        yield Front(f"http://127.0.0.1:{ports['http']}", tmp, ports)


@pytest.fixture(scope="module")
def down(app, tmp_path_factory):
    """A second nginx over the same files, in front of an application that has crashed:
    nothing listens where it was, so every connection nginx makes to it is refused."""
    tmp = tmp_path_factory.mktemp("nginx-down")
    ports = {name: free_port() for name in ("http", "tls", "onion", "admin")}
    gone = f"http://127.0.0.1:{free_port()}"
    conf = nginx_conf(tmp, gone, app["var"], app["var"] / "www", ports)
    with running_nginx(tmp, conf, f"http://127.0.0.1:{ports['http']}/robots.txt"):
        yield Front(f"http://127.0.0.1:{ports['http']}", tmp, ports)


# The title of the page nginx shows while the application is down, in each edition.
UNAVAILABLE = {"be": "Часова недаступны", "ru": "Временно недоступен",
               "en": "Temporarily unavailable"}


class Front(str):
    """nginx's address for readers, its other ports, and the folder it runs in (its error
    logs and its TLS certificate are there)."""

    def __new__(cls, url: str, prefix: Path, ports: dict):
        front = super().__new__(cls, url)
        front.prefix = prefix
        front.ports = ports
        return front


def logged(front: Front) -> str:
    """Everything nginx has written to its error logs: the main one and the site's."""
    return "".join(log.read_text() for log in sorted(front.prefix.glob("*.log")))


def test_nginx_serves_the_page_files_the_application_wrote(nginx, app):
    first = fetch(nginx + "/be/", {"Accept-Encoding": "gzip"})
    assert first[0] == 200 and first[1]["X-Page-Cache"] in ("MISS", "HIT")
    second = fetch(nginx + "/be/", {"Accept-Encoding": "gzip"})
    # Answered from the file the first request left: the application was not asked.
    assert second[0] == 200 and "X-Page-Cache" not in second[1]
    assert second[1]["Content-Encoding"] == "gzip"
    assert gzip.decompress(second[2]) == gzip.decompress(first[2])
    plain = fetch(nginx + "/be/")
    assert "Content-Encoding" not in plain[1] and plain[2] == gzip.decompress(first[2])
    assert plain[1]["Content-Type"] == "text/html; charset=utf-8"
    assert plain[1].get_all("Vary") == second[1].get_all("Vary") == ["Accept-Encoding"]
    # The headers nginx adds to files are the application's own, to the letter.
    _, direct, _ = fetch(app["url"] + "/be/")
    def policy(value):
        return {part.strip() for part in value.split(";")}

    assert policy(plain[1]["Content-Security-Policy"]) == policy(
        direct["Content-Security-Policy"])
    for name in ("Permissions-Policy", "X-Frame-Options", "Referrer-Policy",
                 "X-Content-Type-Options", "Cross-Origin-Opener-Policy",
                 "Cross-Origin-Resource-Policy", "Cache-Control"):
        assert plain[1][name] == direct[name], name


def test_nginx_keeps_no_cache_of_its_own(nginx):
    # A 404 is a reader page too, but only 200 pages become files: the application answers
    # every time, from its own page cache (which a change makes stale at once).
    first = fetch(nginx + "/en/no-such-page/")
    second = fetch(nginx + "/en/no-such-page/")
    assert first[0] == second[0] == 404
    assert first[1]["X-Page-Cache"] == "MISS" and second[1]["X-Page-Cache"] == "HIT"
    assert "X-Cache" not in second[1]
    assert not (nginx.prefix / "cache").exists()


def run_in_app(app, code: str) -> str:
    """`code` run by `samizdat shell` on the test site's database; the last line it printed."""
    done = subprocess.run([sys.executable, "-m", "samizdat", "shell", "-c", code],
                          env=app["env"], check=True, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


# Run inside the application's own process, so that nothing (not even starting Python)
# stands between the unpublishing and the request that must no longer find the article.
UNPUBLISH = """
import json, time, urllib.error, urllib.request
from django.contrib.auth import get_user_model
from samizdat.newsroom import services
from samizdat.newsroom.models import Article

def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, "X-Page-Cache" in answer.headers
    except urllib.error.HTTPError as error:
        return error.code, "X-Page-Cache" in error.headers

article = Article.objects.get(pk=PK)
deadline = time.monotonic() + 5
before = [fetch(URL)]
while before[-1] != (200, False) and time.monotonic() < deadline:  # until from the file
    before.append(fetch(URL))
services.unpublish(article, get_user_model().objects.filter(is_superuser=True).first())
after = fetch(URL)
print(json.dumps({"before": before, "after": after}))
"""


def test_an_unpublished_article_leaves_nginx_at_once(nginx, app, down):
    pk, path = run_in_app(app, "from samizdat.newsroom.models import Article; a = Article"
                               ".objects.published().filter(edition__language='en')"
                               ".order_by('published_at')[3]; print(a.pk, a.get_absolute_url())"
                          ).split()
    seen = json.loads(run_in_app(app, UNPUBLISH.replace("PK", pk).replace(
        "URL", repr(nginx + path))))
    assert seen["before"][-1] == [200, False]  # from the page file, the application not asked
    assert seen["after"] == [404, True]
    assert fetch(nginx + path)[0] == 404
    assert not list((app["var"] / "www" / "pages").glob("v*" + path + "index.html"))
    # Nor is it served while the application is down: nginx has nothing of it left.
    status, _, body = fetch(down + path)
    assert status == 503 and UNAVAILABLE["en"] in body.decode()


def test_old_addresses_by_query_reach_the_application_through_nginx(nginx, app):
    """/?p=123 of the site the newsroom moved in from: the front door's files answered it as
    the home page; the application knows where it leads now (issue 18)."""
    path = run_in_app(app, "from samizdat.newsroom import redirects; "
                           "from samizdat.newsroom.models import Article; "
                           "a = Article.objects.published().first(); "
                           "redirects.add('/?p=4711', article=a, source='wordpress'); "
                           "print(a.get_absolute_url())")
    front = app["var"] / "www" / "baked" / "index.html"  # the baked copy's front door
    front.write_text("<p>the baked front door</p>")
    try:
        status, headers, _ = fetch_once(nginx + "/?p=4711")
        assert status == 301 and headers["Location"] == path
        status, _, body = fetch_once(nginx + "/?utm_source=x")
        assert status == 200 and body == b"<p>the baked front door</p>"
    finally:
        front.unlink()


def test_nginx_serves_static_files_itself(nginx, app):
    _, _, body = fetch(nginx + "/en/", {})
    html = body.decode()
    start = html.index("/static/site/site.")
    css = html[start:html.index('"', start)]
    status, headers, _ = fetch(nginx + css, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    # nginx's own answer: the application's has max-age=315360000 and a CSP.
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Security-Policy" not in headers


def test_photos_come_from_nginx_and_from_the_application_alike(nginx, app):
    html = fetch(nginx + "/en/")[2].decode()
    start = html.index('src="/media/photos/') + len('src="')
    photo = html[start:html.index('"', start)]
    status, headers, body = fetch(nginx + photo)
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert "immutable" in headers["Cache-Control"]
    assert "Content-Security-Policy" not in headers  # nginx's answer, not the application's
    # Without nginx (a bucket behind, or no proxy at all) the application answers the same.
    direct = fetch(app["url"] + photo)
    assert direct[0] == 200 and direct[2] == body
    assert direct[1]["Cache-Control"] == headers["Cache-Control"]


def statuses_from(source: str, base: str, path: str, count: int, method="GET",
                  headers=None) -> list[int]:
    """`count` requests on one kept-alive connection from the loopback address `source`."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10,
                                            source_address=(source, 0))
    statuses = []
    try:
        for _ in range(count):
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
    finally:
        connection.close()
    return statuses


def test_nginx_limits_what_one_address_asks_of_the_application(nginx):
    # A crawler at one address asking faster than ten a second, past the burst of fifty.
    crawler = statuses_from("127.0.0.2", nginx, "/robots.txt", 150)
    assert set(crawler) == {200, 429} and crawler[:50] == [200] * 50
    assert crawler.count(429) >= 50
    # What nginx answers from files is never limited, even for that address, nor are POSTs
    # (the "most read" beacon, comments), which the application limits itself.
    assert statuses_from("127.0.0.2", nginx, "/en/baked-page/", 5) == [200] * 5
    assert statuses_from("127.0.0.2", nginx, "/read/1/", 80, method="POST") == [204] * 80
    # The tor daemon's address is exempt: it carries every onion reader at once.
    assert statuses_from("127.0.0.1", nginx, "/robots.txt", 150) == [200] * 150
    # The error log holds no reader address (nginx logs a limited request at "info").
    assert "127.0.0.2" not in logged(nginx)


def test_each_tor_circuit_is_a_client_of_its_own(nginx):
    """tor passes each onion reader's circuit (HiddenServiceExportCircuitID); nginx hands it
    to the application, which limits circuits apart (issue 22, finding 3): one reader's
    searches past the limit do not stop another's."""
    # The limit counts in one-minute windows: should one begin meanwhile, the 429 comes up
    # to 20 requests later (without circuits, the onion's shared budget is 1,000).
    searches = []
    while 429 not in searches and len(searches) < 45:
        searches.append(via_tor(nginx.ports["onion"], f"/en/search/?q=court+{len(searches)}",
                                circuit=0x1f2)[0])
    assert searches[:20] == [200] * 20 and searches[-1] == 429
    assert via_tor(nginx.ports["onion"], "/en/search/?q=court", circuit=0x1f3)[0] == 200
    assert "fc00:" not in logged(nginx) and "127.0.0." not in logged(nginx)


def test_nginx_prefers_the_baked_copy(nginx):
    status, headers, body = fetch(nginx + "/en/baked-page/")
    assert status == 200 and body == b"<p>from the baked copy</p>"
    assert "X-Page-Cache" not in headers





def test_nginx_answers_long_addresses_without_a_502(nginx, app):
    # The application repeats the address in its headers (a redirect's Location, the
    # Onion-Location of a reader page): several KB that outgrow nginx's default buffer.
    for length in (3000, 6000):
        long = "/en/" + "x" * length
        assert fetch(nginx + long + "/")[0] == 404
        status, headers, _ = fetch_once(nginx + long)
        assert status in (301, 404), status
        if status == 301:
            assert headers["Location"].endswith(long + "/")


def test_the_error_log_holds_no_reader_address(nginx):
    # What nginx would log at "error" with the client's address: a missing photo, an
    # oversized header, an answer too big for a buffer (the application down: below).
    assert statuses_from("127.0.0.2", nginx, "/media/photos/no-such-photo.jpg", 1) == [404]
    assert statuses_from("127.0.0.2", nginx, "/en/", 1, headers={"X-Pad": "x" * 10240}) == [400]
    assert statuses_from("127.0.0.2", nginx, "/en/" + "x" * 6000 + "/", 1) == [404]
    log = logged(nginx)
    assert "127.0.0.2" not in log and "client:" not in log, log[:1000]


def test_nginx_serves_page_files_while_the_application_is_down(nginx, app):
    fetch(nginx + "/ru/")  # becomes a page file
    os.killpg(app["process"].pid, signal.SIGSTOP)  # the application hangs, as under a flood
    try:
        status, headers, body = fetch(nginx + "/ru/")
        assert status == 200 and b"</html>" in body and "X-Page-Cache" not in headers
    finally:
        os.killpg(app["process"].pid, signal.SIGCONT)


def tls_fetch(front: Front, name: str, path: str, port="tls", source="127.0.0.1",
              headers=None):
    """A GET over TLS to one of nginx's ports, naming `name` (SNI and Host) from `source`."""
    context = ssl.create_default_context(cafile=str(front.prefix / "cert.pem"))
    raw = socket.create_connection(("127.0.0.1", front.ports[port]), timeout=10,
                                   source_address=(source, 0))
    connection = http.client.HTTPSConnection(name, front.ports[port], context=context)
    try:
        connection.sock = context.wrap_socket(raw, server_hostname=name)
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        raw.close()
        connection.close()


def test_nginx_answers_only_the_reader_host_names(nginx):
    # The admin's name and any other, asked of the public address: the connection closes.
    for host in (ADMIN_HOST, "unknown.example"):
        with pytest.raises(http.client.RemoteDisconnected):
            fetch_once(nginx + "/admin/login/", {"Host": host})
        with pytest.raises(ssl.SSLError):
            tls_fetch(nginx, host, "/admin/login/")
    # The reader host names have no admin at all (SAMIZDAT_ADMIN_HOST).
    assert fetch(nginx + "/admin/login/")[0] == 404
    assert tls_fetch(nginx, "localhost", "/admin/login/")[0] == 404
    # The onion service's listener answers for the onion address.
    assert via_tor(nginx.ports["onion"], "/en/")[0] == 200


def test_the_admin_host_answers_only_the_allowed_addresses(nginx):
    assert tls_fetch(nginx, ADMIN_HOST, "/admin/login/", port="admin",
                     source="127.0.0.2")[0] == 403
    status, _, body = tls_fetch(nginx, ADMIN_HOST, "/admin/login/", port="admin",
                                source="127.0.0.3")
    assert status == 200 and b'name="password"' in body


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


MONITORING = [("/metrics", METRICS_TOKEN), ("/healthz/deep", HEALTH_TOKEN),
              ("/healthz?deep=1", HEALTH_TOKEN)]


def test_the_reader_server_keeps_metrics_and_the_deep_check_to_itself(nginx, app):
    """/metrics and /healthz/deep answer 404 from nginx on the public address and the onion,
    even with the right token: the application is never asked. /healthz stays public; the
    admin server (the VPN) passes monitoring on, where the token opens it."""
    for path, token in MONITORING:
        for answer in (fetch(nginx + path, bearer(token)),
                       tls_fetch(nginx, "localhost", path, headers=bearer(token)),
                       via_tor(nginx.ports["onion"], path, headers=bearer(token)),
                       fetch(nginx + "/" + path, bearer(token))):  # //metrics: merged
            status, headers, body = answer
            assert status == 404, (path, status)
            # nginx's own answer: the application's carries its CSP and no-store.
            assert "Content-Security-Policy" not in headers, path
            assert b"samizdat_" not in body and b"checks" not in body
    status, headers, body = fetch(nginx + "/%6detrics", bearer(METRICS_TOKEN))
    assert status == 404 and b"samizdat_" not in body  # decoded before it is matched
    status, headers, body = fetch(nginx + "/healthz")
    assert status == 200 and body == b"ok\n" and headers["Cache-Control"] == "no-store"
    assert via_tor(nginx.ports["onion"], "/healthz")[0] == 200

    # The admin server passes them on: the token opens them, nothing else does.
    for path, token in MONITORING:
        assert tls_fetch(nginx, ADMIN_HOST, path, port="admin", source="127.0.0.3")[0] == 404
        status, _, body = tls_fetch(nginx, ADMIN_HOST, path, port="admin", source="127.0.0.3",
                                    headers=bearer(token))
        if path == "/metrics":
            assert status == 200 and b"samizdat_requests_total" in body
        else:
            assert status in (200, 503) and "database" in json.loads(body)["checks"], body
        assert tls_fetch(nginx, ADMIN_HOST, path, port="admin", source="127.0.0.2",
                         headers=bearer(token))[0] == 403
    # On this machine, straight to the application, no token is needed.
    status, _, body = fetch(app["url"] + "/metrics")
    assert status == 200 and b"samizdat_requests_total" in body


def test_page_files_carry_the_hsts_and_onion_location_the_application_sends(nginx, app):
    _, direct, _ = fetch(app["url"] + "/be/", {"X-Forwarded-Proto": "https"})
    assert direct["Strict-Transport-Security"] and direct["Onion-Location"] == f"http://{ONION}/be/"
    for _ in range(2):  # the first may be the application's, the second is the file
        status, headers, _ = tls_fetch(nginx, "localhost", "/be/")
    assert status == 200 and "X-Page-Cache" not in headers
    assert headers["Strict-Transport-Security"] == direct["Strict-Transport-Security"]
    assert headers["Onion-Location"] == direct["Onion-Location"]
    # Over plain HTTP no HSTS, as from the application; on the onion no Onion-Location.
    _, plain, _ = fetch(nginx + "/be/")
    assert "X-Page-Cache" not in plain and "Strict-Transport-Security" not in plain
    assert plain["Onion-Location"] == direct["Onion-Location"]
    _, there, _ = via_tor(nginx.ports["onion"], "/be/")
    assert "X-Page-Cache" not in there and "Onion-Location" not in there
    assert "Strict-Transport-Security" not in there


def test_while_the_application_is_down_nginx_answers_from_files(down, nginx, app):
    for _ in range(2):
        fetch(nginx + "/ru/")  # a page file by now
    status, headers, body = fetch(down + "/ru/")
    assert status == 200 and b"</html>" in body and "X-Page-Cache" not in headers
    # A page without a file: the notice `samizdat serve` wrote when it started, in the
    # language of the edition the address belongs to, with the onion address.
    for language, title in UNAVAILABLE.items():
        status, headers, body = fetch(down + f"/{language}/no-page-file-for-this/")
        html = body.decode()
        assert status == 503 and title in html and f'<html lang="{language}">' in html
        assert f'href="http://{ONION}/{language}/"' in html
        assert headers["Cache-Control"] == "no-store" and headers["Retry-After"] == "60"
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["Onion-Location"] == f"http://{ONION}/{language}/no-page-file-for-this/"
    # A comment posted meanwhile is told to try again, not that POST is not allowed.
    status, headers, _ = fetch(down + "/en/comments/1/post/", method="POST")
    assert status == 503 and headers["Retry-After"] == "60"
    status, _, body = fetch(down + "/api/v1/editions")  # no edition: the first language's
    assert status == 503 and UNAVAILABLE["be"] in body.decode()
    # A page the baked copy holds: that page, still with a 503.
    baked = app["var"] / "baked" / "en" / "old-story"
    baked.mkdir(parents=True)
    (baked / "index.html").write_text("<p>as baked</p>")
    assert fetch(down + "/en/old-story/")[:3:2] == (503, b"<p>as baked</p>")
    # nginx could not reach the application dozens of times, and wrote down no one.
    log = logged(down)
    assert "client:" not in log and "127.0.0." not in log, log[:1000]
