"""Who a client is for limits and bans: IPv6 by /64, tor circuits, the onion's shared address."""

import pytest
from django.test import RequestFactory

from samizdat import clients

ONION = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"


def request(address, host="testserver", forwarded=None):
    extra = {"REMOTE_ADDR": address, "HTTP_HOST": host}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def onion(settings):
    settings.ONION_ADDRESS = ONION
    settings.ALLOWED_HOSTS = ["testserver", ONION]


def test_ipv6_clients_are_grouped_by_their_64():
    keys = {clients.client_key(request(f"2001:db8:1:2::{n:x}"), "comments")
            for n in range(100)}
    assert len(keys) == 1
    assert clients.client_key(request("2001:db8:1:3::1"), "comments") not in keys
    assert clients.client_address(request("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    # An IPv4 address mapped into IPv6 is the IPv4 client it stands for.
    assert clients.client_address(request("::ffff:203.0.113.9")) == "203.0.113.9"


def test_ipv6_grouping_applies_behind_a_proxy_and_to_sign_in_records(settings):
    settings.PROXY_COUNT = 1
    one = request("127.0.0.1", forwarded="2001:db8:1:2::1")
    other = request("127.0.0.1", forwarded="2001:db8:1:2:ffff:ffff:ffff:fffe")
    assert clients.pseudonymous_ip(one) == clients.pseudonymous_ip(other)


def test_onion_requests_without_a_circuit_share_one_marked_key(onion):
    tor = request("127.0.0.1", host=ONION)
    assert clients.is_shared(tor)
    key = clients.client_key(tor, "comments")
    assert clients.is_shared_key(key) and len(key) == 32
    # The same address on the clearnet host is one ordinary client.
    plain = request("127.0.0.1")
    assert not clients.is_shared(plain)
    assert not clients.is_shared_key(clients.client_key(plain, "comments"))


def test_tor_circuits_are_clients_of_their_own(onion, settings):
    """With HiddenServiceExportCircuitID, nginx passes each circuit as its own address."""
    settings.PROXY_COUNT = 1
    first = request("127.0.0.1", host=ONION, forwarded="fc00:dead:beef:4dad::0:1f2")
    second = request("127.0.0.1", host=ONION, forwarded="fc00:dead:beef:4dad::0:1f3")
    assert not clients.is_shared(first)
    assert clients.client_key(first, "search") != clients.client_key(second, "search")
    assert not clients.is_shared_key(clients.client_key(first, "search"))


def test_the_shared_address_has_the_budget_of_the_onion_audience(onion, settings):
    settings.ONION_LIMIT_FACTOR = 10
    tor = request("127.0.0.1", host=ONION)
    answers = [clients.over_limit(tor, "probe", 3, 60) for _ in range(31)]
    assert answers == [False] * 30 + [True]
    web = request("203.0.113.9")
    assert [clients.over_limit(web, "probe", 3, 60) for _ in range(4)] == [False] * 3 + [True]


def test_a_clearnet_client_naming_the_onion_host_is_not_shared(onion, settings):
    """Hiding among onion readers (to escape a ban or spend their budget) takes the tor
    daemon's address, not just its Host header."""
    assert not clients.is_shared(request("203.0.113.9", host=ONION))
    settings.PROXY_COUNT = 1
    assert not clients.is_shared(request("127.0.0.1", host=ONION, forwarded="203.0.113.9"))
    assert clients.is_shared(request("127.0.0.1", host=ONION, forwarded="127.0.0.1"))
