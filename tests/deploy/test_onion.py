"""The onion service: a real tor daemon (Debian's `tor`) creates the hidden service for the
test server, and the site answers on the address it generated.

The Tor network is not reachable from CI, so tor runs with DisableNetwork: it still makes
the service's keys and address, and the pages are fetched from the server the service
points at, with the onion address as the host, as tor itself would present them.
"""

import base64
import hashlib
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import need

pytestmark = pytest.mark.serving


def onion_key(address: str) -> bytes:
    """The ed25519 public key inside a v3 onion address, after checking its checksum."""
    assert address.endswith(".onion") and len(address) == 62, address
    raw = base64.b32decode(address.removesuffix(".onion").upper())
    key, checksum, version = raw[:32], raw[32:34], raw[34:]
    assert version == b"\x03"
    assert checksum == hashlib.sha3_256(b".onion checksum" + key + version).digest()[:2]
    return key


@pytest.fixture
def hidden_service(live_server, tmp_path):
    tor = shutil.which("tor") or "/usr/sbin/tor"
    need(Path(tor).exists(), "Debian's tor (apt-get install tor)")
    port = live_server.url.rsplit(":", 1)[1]
    data, service = tmp_path / "data", tmp_path / "service"
    data.mkdir(mode=0o700)
    service.mkdir(mode=0o700)
    torrc = tmp_path / "torrc"
    torrc.write_text(f"DataDirectory {data}\nSocksPort 0\nDisableNetwork 1\n"
                     f"HiddenServiceDir {service}\nHiddenServicePort 80 127.0.0.1:{port}\n"
                     "Log notice stdout\n")
    process = subprocess.Popen([tor, "-f", str(torrc)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        hostname = service / "hostname"
        deadline = time.monotonic() + 60
        while not hostname.exists() or not hostname.read_text().strip():
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "tor made no onion address in 60 s"
            time.sleep(0.2)
        yield hostname.read_text().strip(), service
    finally:
        process.terminate()
        process.wait(timeout=20)


def get(url: str, host: str | None = None):
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        return response.status, response.headers, response.read().decode()


def test_the_site_answers_on_the_address_tor_generated(hidden_service, live_server, settings,
                                                       make_article):
    address, service = hidden_service
    key = onion_key(address)
    public = (service / "hs_ed25519_public_key").read_bytes()
    assert public.startswith(b"== ed25519v1-public: type0 ==") and public[-32:] == key
    settings.ONION_ADDRESS = address
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, address]
    article = make_article(headline="Reachable through Tor")
    path = article.get_absolute_url()

    status, headers, _ = get(live_server.url + path)
    assert status == 200 and headers["Onion-Location"] == f"http://{address}{path}"

    status, headers, html = get(live_server.url + path, host=address)
    assert status == 200 and "Reachable through Tor" in html
    assert "Onion-Location" not in headers
    status, _, lite = get(live_server.url + path.replace("/en/", "/en/lite/", 1), host=address)
    assert status == 200 and "Reachable through Tor" in lite
