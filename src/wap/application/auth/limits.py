"""Rate limits: the sign-in budgets built on it (who is limited, by which key)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from wap.application.auth.ports import Admission, RateLimiter
from wap.application.errors import RateLimited


def ensure_admitted(*admissions: Admission) -> None:
    """Raise ``rate.limited`` if any of the hits was refused, with the longest wait."""
    refused = [a.retry_after for a in admissions if not a.allowed]
    if refused:
        raise RateLimited(retry_after=max(refused))


def client_network(address: str) -> str:
    """What one client holds: an IPv4 address, or an IPv6 /64 (one home or one phone is given
    a whole /64, and could otherwise take a fresh budget per address in it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    per_seconds: int


class AuthLimits:
    """The budgets of /auth/* (WAP_AUTH_RATE_LIMIT, WAP_REFRESH_RATE_LIMIT).

    Signing in (start, callback, app token exchange) is limited per client address: that is
    all the service knows of an anonymous caller, and a lecture hall behind one NAT address
    shares it, so the budget is sized for a hall. Refresh and logout are limited per login
    session: a session belongs to one person, so a hall never shares one, and one noisy client
    cannot spend the others' refreshes."""

    def __init__(self, limiter: RateLimiter, per_address: Rate, per_session: Rate) -> None:
        self._limiter = limiter
        self._per_address = per_address
        self._per_session = per_session

    async def address(self, address: str) -> None:
        rate = self._per_address
        key = f"auth:{client_network(address)}"
        ensure_admitted(await self._limiter.hit(key, rate.count, rate.per_seconds))

    async def session(self, action: str, session_id: str) -> None:
        rate = self._per_session
        key = f"{action}:session:{session_id}"
        ensure_admitted(await self._limiter.hit(key, rate.count, rate.per_seconds))
