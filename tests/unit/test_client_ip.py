from __future__ import annotations

from litestar import Request

from wap.entrypoints.http.identity import client_ip


def request(peer: str, forwarded: str | None = None) -> Request:  # type: ignore[type-arg]
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 5555), "headers": headers, "path": "/"})  # type: ignore[arg-type]


def test_the_peer_is_the_client_when_it_is_no_trusted_proxy() -> None:
    assert client_ip(request("198.51.100.7", "203.0.113.1"), frozenset()) == "198.51.100.7"
    proxies = frozenset({"10.0.0.2"})
    assert client_ip(request("198.51.100.7", "203.0.113.1"), proxies) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client() -> None:
    trusted = frozenset({"10.0.0.2", "10.0.0.3"})
    # A client may send its own X-Forwarded-For: only the hops our proxies added count.
    chain = "1.2.3.4, 203.0.113.1, 10.0.0.3"
    assert client_ip(request("10.0.0.2", chain), trusted) == "203.0.113.1"
    assert client_ip(request("10.0.0.2"), trusted) == "10.0.0.2"
    assert client_ip(request("10.0.0.2", "10.0.0.3"), trusted) == "10.0.0.2"
