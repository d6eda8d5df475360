"""The baked copy in a real browser, opened from disk (file://) and from nginx under a folder
of its own: clicked through, with no request anywhere else and nothing missing."""

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import need
from tests.deploy.test_serving import NGINX, fetch, free_port, running_nginx

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


class Watch:
    """Everything a page asked for, and everything that went wrong."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        # Leaving a page cancels what it was still loading (ERR_ABORTED): not a fault.
        page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                and self.errors.append(f"{r.url}: {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"{r.url}: {r.status}"))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def click(page, selector: str) -> None:
    page.locator(selector).first.click()
    page.wait_for_load_state()


def walk(page, language: str) -> None:
    """Home → a section → an article → a tag → back; the news list → older → newer."""
    home = page.url
    assert home.endswith(f"/{language}/index.html")
    click(page, ".columns section h2 a")
    assert re.search(rf"/{language}/section/[\w-]+/index\.html$", page.url), page.url
    click(page, "ul.list a")
    assert re.search(rf"/{language}/news/\d{{4}}/\d\d/\d\d/[\w-]+/index\.html$", page.url)
    headline = page.locator("h1").inner_text()
    click(page, "ul.tags a")
    assert re.search(rf"/{language}/tag/[\w-]+/index\.html$", page.url), page.url
    page.go_back()
    assert page.locator("h1").inner_text() == headline
    click(page, "nav.sections li:last-child a")  # all news
    news = page.url
    assert news.endswith(f"/{language}/news/index.html")
    click(page, "a[rel=next]")
    assert re.search(r"/news/older/[\d-]+/index\.html$", page.url), page.url
    click(page, "a[rel=prev]")
    assert page.url == news
    # The stylesheet applied: the skip link is moved out of sight.
    assert page.locator("a.skip").bounding_box()["x"] < -900


def test_the_copy_opens_from_disk(browser, demo_copy):
    context = browser.new_context()
    try:
        page = context.new_page()
        watch = Watch(page)
        page.goto((demo_copy["out"] / "index.html").as_uri())
        page.wait_for_url("**/be/index.html")  # the copy's front door: the first edition
        walk(page, "be")
        assert watch.requests and all(u.startswith("file://") for u in watch.requests), [
            u for u in watch.requests if not u.startswith("file://")]
        assert any(u.endswith("/static/site/site.css") for u in watch.requests)
        assert not watch.errors
    finally:
        context.close()


# --- Under a folder of a web server ---------------------------------------------------------

@pytest.fixture
def mirror(demo_copy, tmp_path):
    """nginx serving the copy at /mirror/ and nothing else."""
    need(Path(NGINX).exists(), "Debian's nginx (apt-get install nginx-light)")
    port = free_port()
    temp = "".join(f"  {name}_temp_path {tmp_path}/{name};\n"
                   for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events { worker_connections 64; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  access_log off;\n" + temp
        + f"  server {{\n    listen 127.0.0.1:{port};\n"
        f"    location /mirror/ {{ alias {demo_copy['out']}/; }}\n  }}\n}}\n")
    url = f"http://127.0.0.1:{port}/mirror/"
    with running_nginx(tmp_path, conf, url + "index.html"):
        yield url


class _Addresses(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.found += [a[n] for n in ("href", "src") if a.get(n)]
        self.found += [c.split()[0] for c in (a.get("srcset") or "").split(",") if c.strip()]


@pytest.mark.serving
def test_every_page_and_file_of_the_copy_is_served_under_a_folder(mirror):
    """A crawl from the front door over HTTP: everything it reaches is answered, and
    nothing leads out of /mirror/ on this host."""
    host = urlsplit(mirror).netloc
    seen, queue, pages = set(), [mirror + "index.html"], 0
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        status, headers, body = fetch(url)
        assert status == 200, url
        if not headers["Content-Type"].startswith("text/html"):
            continue
        pages += 1
        parser = _Addresses()
        parser.feed(body.decode())
        for link in parser.found:
            target = urljoin(url, link).split("#")[0]
            if urlsplit(target).netloc == host:
                assert target.startswith(mirror), f"{url} leads out of the folder: {link}"
                queue.append(target)
    # Date archives are reached by address, not by links: the crawl sees the rest.
    assert pages > 150 and len(seen) > pages


@pytest.mark.serving
def test_the_copy_works_in_a_browser_under_a_folder(browser, mirror):
    context = browser.new_context()
    try:
        page = context.new_page()
        watch = Watch(page)
        page.goto(mirror + "index.html")
        page.wait_for_url("**/mirror/be/index.html")
        click(page, "nav.editions a[hreflang=en]")
        walk(page, "en")
        host = urlsplit(mirror).netloc
        assert all(urlsplit(u).netloc == host for u in watch.requests), [
            u for u in watch.requests if urlsplit(u).netloc != host]
        assert not watch.errors
    finally:
        context.close()
