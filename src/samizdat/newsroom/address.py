"""The address a local server runs on, taken as the site's own (SITE_URL) when none is set.

`samizdat dev` and `samizdat serve` call `follow_bound_address` before they start serving:
with SAMIZDAT_SITE_URL unset and outside production, SITE_URL becomes the address they bind
to, in this process and (through the environment) in the task worker and granian they
start, so canonical links, feeds, sitemaps, share links and emails name the port the site
really answers on. Not derived from each request's Host header: pages and their fragments
are cached and baked, and an address taken from one reader's request would be served to
the next.
"""

import os
import re

from django.conf import settings
from django.core.management.base import CommandError

# runserver's own pattern for "[addr:]port"
ADDRPORT = re.compile(
    r"^(?:(?P<addr>\d{1,3}(?:\.\d{1,3}){3}|\[[a-fA-F0-9:]+\]|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*):)?"
    r"(?P<port>\d+)$")
# Addresses that mean "every interface": a browser on this machine opens them on loopback.
ANY = {"0": "127.0.0.1", "0.0.0.0": "127.0.0.1",  # noqa: S104 - read, not bound to
       "::": "[::1]", "[::]": "[::1]"}


def split_addrport(addrport: str, default_addr: str = "127.0.0.1") -> tuple[str, int]:
    """("127.0.0.1", 8100) from "127.0.0.1:8100" or "8100", as runserver reads it."""
    match = ADDRPORT.match(addrport)
    if match is None:
        raise CommandError(f"{addrport!r} is not a port number or an address:port pair, "
                           "e.g. 8100 or 127.0.0.1:8100.")
    return match["addr"] or default_addr, int(match["port"])


def local_url(host: str, port: int) -> str:
    """The address a browser on this machine opens for a server bound to host:port."""
    host = ANY.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def follow_bound_address(host: str, port: int) -> str:
    """SITE_URL for a server bound to host:port: that address, unless SAMIZDAT_SITE_URL is
    set or the site runs in production (where the public address is the proxy's, never
    the one granian binds to). Returns the SITE_URL in force."""
    if settings.PRODUCTION or os.environ.get("SAMIZDAT_SITE_URL"):
        return settings.SITE_URL
    url = local_url(host, port)
    os.environ["SAMIZDAT_SITE_URL"] = url  # for the children: the task worker, granian
    settings.SITE_URL = url
    return url
