"""WAP_TRUSTED_PROXIES: addresses, CIDR ranges and host names; who the client is behind them."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Iterable
from typing import Any

import pytest
from litestar.datastructures import Headers

from wap.entrypoints.config import ConfigError, Settings
from wap.entrypoints.http.proxies import TrustedProxies


def scope(peer: str, *forwarded: str) -> dict[str, Any]:
    headers = [(b"x-forwarded-for", line.encode()) for line in forwarded]
    return {"type": "http", "client": (peer, 5555), "headers": headers, "path": "/"}


def client(proxies: TrustedProxies, peer: str, *forwarded: str) -> str:
    asgi = scope(peer, *forwarded)
    return proxies.client_address(asgi, Headers(asgi["headers"]))


def test_the_peer_is_the_client_when_it_is_no_trusted_proxy() -> None:
    nobody = TrustedProxies.from_entries([])
    assert client(nobody, "198.51.100.7", "203.0.113.1") == "198.51.100.7"
    one = TrustedProxies.from_entries(["10.0.0.2"])
    assert client(one, "198.51.100.7", "203.0.113.1") == "198.51.100.7"  # forged: ignored
    assert not one.peer_is_trusted(scope("198.51.100.7"))
    assert one.peer_is_trusted(scope("10.0.0.2"))


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client() -> None:
    trusted = TrustedProxies.from_entries(["10.0.0.2", "10.0.0.3"])
    # A client may send its own X-Forwarded-For: only the hops our proxies added count.
    assert client(trusted, "10.0.0.2", "1.2.3.4, 203.0.113.1, 10.0.0.3") == "203.0.113.1"
    assert client(trusted, "10.0.0.2") == "10.0.0.2"
    assert client(trusted, "10.0.0.2", "10.0.0.3") == "10.0.0.2"
    # Two header lines are one list, in order: the last line was written by our proxy.
    assert client(trusted, "10.0.0.2", "1.2.3.4", "203.0.113.9") == "203.0.113.9"


def test_cidr_ranges_and_ipv6_are_trusted_by_membership() -> None:
    trusted = TrustedProxies.from_entries(["10.0.0.0/8", "fd00::/8", "192.0.2.7"])
    assert trusted.is_trusted("10.200.3.4")
    assert trusted.is_trusted("::ffff:10.1.1.1")  # a dual-stack socket's IPv4 peer
    assert trusted.is_trusted("fd12::1")
    assert trusted.is_trusted("::ffff:192.0.2.7")
    assert not trusted.is_trusted("11.0.0.1")
    assert not trusted.is_trusted("fe80::1")
    assert not trusted.is_trusted("not an address")
    assert client(trusted, "10.9.9.9", "203.0.113.5, 10.1.1.1") == "203.0.113.5"
    assert client(trusted, "fd00::5", "2001:db8::7") == "2001:db8::7"


async def test_a_host_name_is_trusted_once_it_resolves() -> None:
    proxies = TrustedProxies.from_entries(["localhost"])
    assert proxies.hosts == ("localhost",)
    assert not proxies.is_trusted("127.0.0.1")  # nothing is asked of DNS before the start
    await proxies.refresh()  # the system's resolver: localhost is the loopback address
    assert proxies.is_trusted("127.0.0.1")
    assert client(proxies, "127.0.0.1", "203.0.113.1") == "203.0.113.1"
    assert client(proxies, "192.0.2.1", "203.0.113.1") == "192.0.2.1"


class Dns:
    """A resolver whose answers the test sets; ``None`` fails the lookup."""

    def __init__(self, answer: list[str] | None) -> None:
        self.answer = answer
        self.asked = 0

    async def __call__(self, host: str) -> Iterable[str]:
        self.asked += 1
        if self.answer is None:
            raise OSError(f"{host}: Name or service not known")
        return list(self.answer)


async def test_a_failed_lookup_keeps_the_last_addresses_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dns = Dns(["172.18.0.5"])
    proxies = TrustedProxies.from_entries(["nginx", "10.0.0.2"], resolve=dns)
    await proxies.refresh()
    assert proxies.addresses == {"172.18.0.5", "10.0.0.2"}
    dns.answer = None
    with caplog.at_level(logging.INFO, logger="wap.proxies"):
        for _ in range(3):
            await proxies.refresh()
    assert proxies.is_trusted("172.18.0.5")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "nginx" in warnings[0].getMessage()
    dns.answer = ["172.18.0.9"]  # nginx was recreated with another address
    await proxies.refresh()
    assert proxies.addresses == {"172.18.0.9", "10.0.0.2"}
    assert not proxies.is_trusted("172.18.0.5")


async def test_names_are_resolved_again_in_the_background_until_the_app_stops() -> None:
    dns = Dns(None)  # compose starts nginx after the app: at first the name is unknown
    proxies = TrustedProxies.from_entries(["nginx"], resolve=dns)
    async with proxies.running(every=0.01):
        assert not proxies.is_trusted("172.18.0.5")
        dns.answer = ["172.18.0.5"]
        for _ in range(500):
            if proxies.is_trusted("172.18.0.5"):
                break
            await asyncio.sleep(0.01)
        assert proxies.is_trusted("172.18.0.5")
    asked = dns.asked
    await asyncio.sleep(0.05)
    assert dns.asked == asked  # stopped with the app


def test_settings_accept_addresses_ranges_and_host_names() -> None:
    entries = "10.0.0.2, 10.0.0.0/8, FD00::/8, ::1, nginx, proxy.internal., wap_nginx_1"
    settings = Settings.from_env({"WAP_TRUSTED_PROXIES": entries})
    proxies = TrustedProxies.from_entries(settings.trusted_proxies)
    assert proxies.hosts == ("nginx", "proxy.internal", "wap_nginx_1")
    assert proxies.addresses == {"10.0.0.2", "::1"}
    assert proxies.is_trusted(str(ipaddress.ip_address("fd00::1")))


@pytest.mark.parametrize(
    "entry",
    ["10.0.0.300", "10.0.0.0/33", "nginx!", "-nginx", "a..b", "http://nginx", "1.2.3", "x" * 64],
)
def test_settings_refuse_an_entry_that_is_no_address_range_or_name(entry: str) -> None:
    with pytest.raises(ConfigError, match="WAP_TRUSTED_PROXIES"):
        Settings.from_env({"WAP_TRUSTED_PROXIES": f"10.0.0.2, {entry}"})
