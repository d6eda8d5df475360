"""Browser fixtures: Debian's Chromium, driven by Playwright, against a live demo server."""

from urllib.parse import urlsplit

import pytest


@pytest.fixture
def site(live_server, transactional_db):
    """A live server with a small demo newsroom."""
    from samizdat.newsroom import demo
    from samizdat.newsroom.roles import sync_roles

    sync_roles()
    demo.generate(40)
    demo.create_staff("correct horse battery staple")
    return live_server.url


class Watched:
    """A page plus everything it asked for and complained about."""

    def __init__(self, page, origin):
        self.page, self.origin = page, origin
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def foreign_requests(self) -> list[str]:
        own = urlsplit(self.origin).netloc
        return [u for u in self.requests
                if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                and urlsplit(u).netloc != own]


@pytest.fixture
def watched(browser, site):
    def open_page(**context_options):
        context = browser.new_context(**context_options)
        opened.append(context)
        return Watched(context.new_page(), site)

    opened = []
    yield open_page
    for context in opened:
        context.close()
