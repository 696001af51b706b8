"""Rules of signing in and signing up that do not depend on any technology."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from wap.domain.errors import EmailDomainNotAllowed, InvalidValue
from wap.domain.values import has_control_characters

ACCESS_TOKEN_SECONDS: Final = 30 * 60
REFRESH_TOKEN_SECONDS: Final = 7 * 24 * 3600


class EmailCodePolicy:
    LENGTH: Final = 6
    # No 0/O, 1/I/L: a person copies the code from a mail by eye.
    ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    LIFETIME_SECONDS: Final = 5 * 60
    COOLDOWN_SECONDS: Final = 60
    MAX_WRONG_TRIES: Final = 5
    # Beyond the cooldown: codes per member, and per address (whoever asks), in an hour.
    MAX_PER_HOUR: Final = 5

    @classmethod
    def normalize(cls, raw: str) -> str:
        return raw.strip().upper()


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """One recipient's address in normal form: the local part in lower case, the domain in
    IDNA ASCII lower case (``application.auth.email.parse_email`` builds it from input)."""

    value: str

    def __post_init__(self) -> None:
        local, _, domain = self.value.partition("@")
        if (
            len(self.value) > 254
            or not local
            or not domain
            or "@" in domain
            or not self.value.isascii()
            or self.value != self.value.lower()
            or has_control_characters(self.value)
            or any(ch.isspace() for ch in self.value)
        ):
            raise InvalidValue(field="email")

    @property
    def domain(self) -> str:
        return self.value.rpartition("@")[2]

    def ensure_allowed(self, allowed_domains: frozenset[str]) -> None:
        """Empty means any domain; otherwise the domain or one of its subdomains."""
        if not allowed_domains:
            return
        if not any(self.domain == d or self.domain.endswith("." + d) for d in allowed_domains):
            raise EmailDomainNotAllowed(field="email")


def safe_next(raw: str | None, default: str) -> str:
    """Where to send the browser after sign-in: a path on this site, never another site."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return default
    if has_control_characters(raw) or urlsplit(raw).netloc:
        return default
    return raw
