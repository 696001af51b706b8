"""WAP_TRUSTED_PROXIES: which peers may tell us the client's address, and what it is.

Entries are IP addresses, CIDR ranges or host names. A host name (compose's ``nginx``) is
resolved when the app starts and again every ``REFRESH_SECONDS`` in the background, since a
container's address changes when it is recreated; a failed lookup keeps the addresses last
found and is logged once, not every time. The request path only looks up a set (and tests
the CIDR ranges, if any): no DNS is ever asked on behalf of a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Self

from litestar.datastructures import Headers

log = logging.getLogger("wap.proxies")

REFRESH_SECONDS = 30.0
RETRY_SECONDS = 5.0  # while a name has never resolved (compose starts nginx after the app)
LOOKUP_TIMEOUT = 5.0
MAX_ADDRESS_LENGTH = 64

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], Awaitable[Iterable[str]]]


@functools.lru_cache(maxsize=8192)  # the same few clients come again and again
def parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address (``::ffff:10.0.0.1`` is ``10.0.0.1``), or None if it is none."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@functools.lru_cache(maxsize=8192)  # and formatting an address costs more than looking it up
def canonical(address: str) -> str | None:
    """The address as Python writes it, or None."""
    ip = parse(address)
    return None if ip is None else str(ip)


async def system_resolve(host: str) -> list[str]:
    loop = asyncio.get_running_loop()
    answers = await asyncio.wait_for(
        loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), LOOKUP_TIMEOUT
    )
    # An IPv6 answer may carry a zone ("fe80::1%eth0"); the peer address never does.
    return [str(sockaddr[0]).split("%")[0] for *_, sockaddr in answers]


class TrustedProxies:
    """One per app. ``is_trusted`` and ``client_address`` are called on every request."""

    def __init__(
        self,
        addresses: Iterable[str] = (),
        networks: Iterable[IPNetwork] = (),
        hosts: Iterable[str] = (),
        resolve: Resolver = system_resolve,
    ) -> None:
        self._static = frozenset(addresses)
        self._networks = tuple(networks)
        self.hosts = tuple(sorted(set(hosts)))
        self._resolve = resolve
        self._resolved: dict[str, frozenset[str]] = {}
        self._failing: set[str] = set()
        self._addresses = self._static

    @classmethod
    def from_entries(cls, entries: Iterable[str], resolve: Resolver = system_resolve) -> Self:
        """Sort WAP_TRUSTED_PROXIES' entries (Settings has checked each one's form)."""
        addresses: set[str] = set()
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for entry in entries:
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                hosts.add(entry.rstrip(".").lower())
                continue
            if network.num_addresses == 1:
                addresses.add(canonical(str(network.network_address)) or entry)
            else:
                networks.append(network)
        return cls(addresses, networks, hosts, resolve)

    @property
    def addresses(self) -> frozenset[str]:
        """The single addresses trusted now: those listed and those the names resolved to."""
        return self._addresses

    def is_trusted(self, address: str) -> bool:
        if address in self._addresses:  # the usual case behind a proxy: one set lookup
            return True
        if not self._networks and not self._addresses:
            return False  # no proxy configured: nothing to parse
        ip = parse(address)
        if ip is None:
            return False
        if canonical(address) in self._addresses:
            return True
        return any(ip in network for network in self._networks)

    @staticmethod
    def peer(scope: Any) -> str:
        client = scope.get("client")
        return str(client[0]) if client else "unknown"

    def peer_is_trusted(self, scope: Any) -> bool:
        """Whether the connection's peer is one of our proxies (so its headers count)."""
        return self.is_trusted(self.peer(scope))

    def client_address(self, scope: Any, headers: Headers) -> str:
        """The peer's address; behind a trusted proxy, the nearest untrusted hop of
        X-Forwarded-For, read from the right and skipping our own proxies, so that what a
        client writes into the header itself is never believed."""
        peer = self.peer(scope)
        if not self.is_trusted(peer):
            return peer
        # Several header lines are one list, in order (RFC 9110 §5.3).
        hops = [
            h.strip() for line in headers.getall("x-forwarded-for", []) for h in line.split(",")
        ]
        for hop in reversed(hops):
            if hop and not self.is_trusted(hop):
                return canonical(hop) or hop[:MAX_ADDRESS_LENGTH]
        return peer

    async def refresh(self) -> None:
        """Resolve every host name once; a name that fails keeps its last addresses."""
        for host in self.hosts:
            try:
                found = frozenset(filter(None, map(canonical, await self._resolve(host))))
                if not found:
                    raise OSError("no address")
            except (TimeoutError, OSError) as error:
                if host not in self._failing:
                    self._failing.add(host)
                    kept = sorted(self._resolved.get(host, ()))
                    log.warning(
                        "WAP_TRUSTED_PROXIES: %s does not resolve (%s); keeping %s",
                        host,
                        error or type(error).__name__,
                        kept or "no address for it",
                    )
                continue
            if host in self._failing:
                self._failing.discard(host)
                log.info("WAP_TRUSTED_PROXIES: %s resolves again", host)
            if found != self._resolved.get(host):
                log.info("WAP_TRUSTED_PROXIES: %s is %s", host, ", ".join(sorted(found)))
            self._resolved[host] = found
        self._addresses = self._static.union(*self._resolved.values())

    async def keep_fresh(self, every: float = REFRESH_SECONDS) -> None:
        """Resolve the names again and again (sooner while one has never resolved)."""
        while True:
            unresolved = any(host not in self._resolved for host in self.hosts)
            await asyncio.sleep(min(every, RETRY_SECONDS) if unresolved else every)
            try:
                await self.refresh()
            except Exception:  # never let the loop die: the last addresses stay in force
                log.exception("WAP_TRUSTED_PROXIES: resolving the host names failed")

    @contextlib.asynccontextmanager
    async def running(self, every: float = REFRESH_SECONDS) -> AsyncIterator[Self]:
        """Resolve now, then keep the names fresh until the block ends (the app's life)."""
        if not self.hosts:
            yield self
            return
        await self.refresh()
        task = asyncio.create_task(self.keep_fresh(every), name="wap-trusted-proxies")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
