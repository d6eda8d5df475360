"""The site's own address follows the one `samizdat dev`/`serve` binds to, unless
SAMIZDAT_SITE_URL is set or the site runs in production (newsroom/address.py)."""

import os
import selectors
import signal
import subprocess
import sys
import time
import urllib.request
from urllib.parse import quote

import pytest
from django.core.management.base import CommandError

from samizdat.newsroom.address import follow_bound_address, local_url, split_addrport
from tests.net import free_port

SET = "https://news.example.org"


@pytest.fixture
def unset(monkeypatch):
    """SAMIZDAT_SITE_URL as unset; whatever the test writes to it is undone afterwards."""
    monkeypatch.setenv("SAMIZDAT_SITE_URL", "")


@pytest.mark.parametrize(("addrport", "expected"), [
    ("8100", ("127.0.0.1", 8100)), ("127.0.0.1:8100", ("127.0.0.1", 8100)),
    ("localhost:8001", ("localhost", 8001)), ("[::1]:8002", ("[::1]", 8002)),
])
def test_addrport_read_as_runserver_reads_it(addrport, expected):
    assert split_addrport(addrport) == expected


def test_a_wrong_addrport_says_what_is_expected():
    with pytest.raises(CommandError, match="e.g. 8100"):
        split_addrport("127.0.0.1:port")


@pytest.mark.parametrize(("host", "url"), [
    ("127.0.0.1", "http://127.0.0.1:8100"), ("0.0.0.0", "http://127.0.0.1:8100"),  # noqa: S104
    ("0", "http://127.0.0.1:8100"), ("::", "http://[::1]:8100"),
    ("[::1]", "http://[::1]:8100"), ("localhost", "http://localhost:8100"),
])
def test_local_url_is_what_a_browser_here_opens(host, url):
    assert local_url(host, 8100) == url


def test_unset_the_bound_address_becomes_the_site_url(settings, unset):
    settings.PRODUCTION = False
    assert follow_bound_address("127.0.0.1", 8100) == "http://127.0.0.1:8100"
    assert settings.SITE_URL == "http://127.0.0.1:8100"
    # The task worker and granian are children: they read it from the environment.
    assert os.environ["SAMIZDAT_SITE_URL"] == "http://127.0.0.1:8100"


def test_a_set_site_url_wins(settings, monkeypatch):
    monkeypatch.setenv("SAMIZDAT_SITE_URL", SET)
    settings.SITE_URL = SET
    assert follow_bound_address("127.0.0.1", 8100) == SET
    assert settings.SITE_URL == SET and os.environ["SAMIZDAT_SITE_URL"] == SET


def test_production_keeps_its_site_url(settings, unset):
    """Behind the proxy, the address granian binds to is never the public one."""
    settings.PRODUCTION = True
    settings.SITE_URL = SET
    follow_bound_address("127.0.0.1", 8100)
    assert settings.SITE_URL == SET and os.environ["SAMIZDAT_SITE_URL"] == ""


def test_pages_and_feeds_name_the_port_served_on(client, make_article, settings, unset):
    """Canonical, og:url, share links, JSON-LD, feeds, sitemaps and robots.txt alike; and a
    page cached for the previous address is not served for the new one."""
    settings.PRODUCTION = False
    article = make_article(headline="Port story")
    path = article.get_absolute_url()
    assert "http://127.0.0.1:8000" + path in client.get(path).content.decode()  # cached
    follow_bound_address("127.0.0.1", 8100)
    site = "http://127.0.0.1:8100"
    page = client.get(path).content.decode()
    assert f'<link rel="canonical" href="{site}{path}">' in page
    assert f'<meta property="og:url" content="{site}{path}">' in page
    assert quote(site + path, safe="") in page  # share links
    assert f'"url": "{site}{path}"' in page or f'"url":"{site}{path}"' in page  # JSON-LD
    assert "127.0.0.1:8000" not in page
    for url in ("/en/rss.xml", "/en/atom.xml", "/en/feed.json", "/sitemap.xml",
                "/robots.txt"):
        body = client.get(url).content.decode()
        assert site in body and "127.0.0.1:8000" not in body, url


def _wait_for_line(process, text, seconds=60) -> str:
    """Output of `process` up to the line holding `text`: read as it comes, no sleeping."""
    out = ""
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while text not in out:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise TimeoutError(f"no {text!r} in {out!r}")
            chunk = os.read(process.stdout.fileno(), 65536).decode()
            if not chunk:
                raise RuntimeError(f"exited with {process.wait()}: {out}")
            out += chunk
    return out


@pytest.fixture(scope="module")
def local_site(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_"))}
    env.update({"SAMIZDAT_VAR_DIR": str(var), "SAMIZDAT_LOG_LEVEL": "ERROR",
                "PYTHONUNBUFFERED": "1"})
    subprocess.run([sys.executable, "-m", "samizdat", "migrate", "-v0"], env=env, check=True)
    return env


@pytest.mark.serving
@pytest.mark.parametrize("site_url", [None, SET])
def test_samizdat_dev_on_another_port(local_site, site_url):
    """`make run PORT=…` runs `samizdat dev 127.0.0.1:…`: it says where to open the site once
    it answers, and the site's links name that port unless SAMIZDAT_SITE_URL is set."""
    port = free_port()
    env = {**local_site, **({"SAMIZDAT_SITE_URL": site_url} if site_url else {})}
    server = subprocess.Popen(
        [sys.executable, "-m", "samizdat", "dev", f"127.0.0.1:{port}"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out = _wait_for_line(server, "Stop: Ctrl+C")
        opened = f"http://127.0.0.1:{port}"
        assert f"Open the site: {opened}/" in out and f"Admin:         {opened}/admin/" in out
        assert "make run PORT=" in out
        with urllib.request.urlopen(opened + "/robots.txt", timeout=10) as response:
            robots = response.read().decode()
        assert f"Sitemap: {site_url or opened}/sitemap.xml" in robots
        if site_url:
            assert f"Links name {site_url}/" in out
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()
