"""Settings: the only reader of the environment. Built once, validated at start."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

import msgspec
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from wap.entrypoints.logs import LOG_FORMATS, LogFormat

EMBEDDED_DATABASE_URL = "sqlite+aiosqlite:///./wap.db"
SECRET_FILE = Path(".wap-secret")
GITHUB_AUTHORIZE_URL = "https://github.com/login/oauth/authorize"
GITHUB_TOKEN_URL = "https://github.com/login/oauth/access_token"
GITHUB_API_URL = "https://api.github.com"
MAIL_FROM = "WAP <noreply@wap.local>"
_RATE = re.compile(r"\s*(\d+)\s*/\s*(second|minute|hour|day)\s*")
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_GITHUB_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
# A DNS label; "_" too, since container names (Docker's DNS answers for them) may hold one.
_HOST_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")


class ConfigError(ValueError):
    """A WAP_* variable holds a value the service cannot use; the message says which and why."""


class RateLimit(msgspec.Struct, frozen=True):
    count: int
    per_seconds: int

    @classmethod
    def parse(cls, raw: str, name: str = "WAP_AUTH_RATE_LIMIT") -> RateLimit:
        match = _RATE.fullmatch(raw)
        if match is None or int(match[1]) < 1:
            raise ConfigError(
                f"{name} must look like '60/minute' (per second, minute, hour or day), got {raw!r}"
            )
        return cls(int(match[1]), _UNIT_SECONDS[match[2]])


def officer_ids(raw: str) -> frozenset[int]:
    """``WAP_OFFICER_GITHUB_LOGINS``: ``login:id`` entries or bare GitHub account ids.

    GitHub frees a login when its owner renames the account, and anyone may then take it; the
    numeric id stays with the account. So the id decides and the login is only a label."""
    found: set[int] = set()
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        login, colon, number = entry.rpartition(":")
        if not colon:
            login, number = "", entry
        if not (number.isascii() and number.isdigit() and 0 < int(number) < 2**63):
            raise ConfigError(
                f"WAP_OFFICER_GITHUB_LOGINS entry {entry!r} names no GitHub account id: add "
                f"':id' and write it as login:id (like octocat:583231; the id is the \"id\" of "
                f"https://api.github.com/users/{login or entry}); a login alone can be taken "
                "over by another account after a rename"
            )
        if colon and not _GITHUB_LOGIN.fullmatch(login):
            raise ConfigError(
                f"WAP_OFFICER_GITHUB_LOGINS entry {entry!r}: {login!r} is not a GitHub login"
            )
        found.add(int(number))
    return frozenset(found)


def email_domains(raw: str) -> frozenset[str]:
    """``WAP_ALLOWED_EMAIL_DOMAINS`` in the form addresses are compared in (IDNA, lower case)."""
    from wap.application.auth.email import normal_domain

    found = set()
    for entry in (part.strip() for part in raw.split(",")):
        if entry:
            try:
                found.add(normal_domain(entry))
            except ValueError as error:
                raise ConfigError(
                    f"WAP_ALLOWED_EMAIL_DOMAINS entry {entry!r} is not a mail domain: {error}"
                ) from None
    return frozenset(found)


def proxy_entries(entries: frozenset[str]) -> frozenset[str]:
    """WAP_TRUSTED_PROXIES: each entry an IP address, a CIDR range or a host name."""
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)  # an address is a /32 (or /128)
            continue
        except ValueError:
            pass
        labels = entry.rstrip(".").split(".")
        if (
            len(entry) > 253
            or not all(_HOST_LABEL.fullmatch(label) for label in labels)
            or labels[-1].isdigit()  # 10.0.0.300 is a broken address, not a name
        ):
            raise ConfigError(
                "WAP_TRUSTED_PROXIES entries must be IP addresses, CIDR ranges "
                f"(10.0.0.0/8) or host names (nginx), got {entry!r}"
            )
    return entries


_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def media_location(url: str | None, directory: str | None) -> tuple[Path, str | None]:
    """``WAP_MEDIA_URL`` (with ``WAP_MEDIA_DIR``): the folder of the file store, and the
    normalized ``s3://bucket/prefix`` when images live in object storage instead."""
    folder = Path(directory or "./media")
    if url is None:
        return folder, None
    if url.startswith("file://"):
        path = url[len("file://") :]
        if not path or (directory is not None and Path(path) != folder):
            raise ConfigError(
                "WAP_MEDIA_URL=file://<folder> names a folder (and agrees with WAP_MEDIA_DIR "
                f"when both are set), got {url!r}"
            )
        return Path(path), None
    if url.startswith("s3://"):
        bucket, _, prefix = url[len("s3://") :].partition("/")
        prefix = prefix.strip("/")
        if not _BUCKET.fullmatch(bucket) or ".." in prefix.split("/"):
            raise ConfigError(f"WAP_MEDIA_URL must look like s3://bucket/prefix, got {url!r}")
        return folder, f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
    raise ConfigError(f"WAP_MEDIA_URL must start with file:// or s3://, got {url!r}")


def web_url(name: str, raw: str | None) -> str | None:
    """An http(s) base URL, without its trailing slash."""
    if raw is None:
        return None
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", raw):
        raise ConfigError(f"{name} must be an http:// or https:// URL, got {raw!r}")
    return raw.rstrip("/")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = EMBEDDED_DATABASE_URL
    redis_url: str | None = None
    secret_key: str | None = None
    github_client_id: str | None = None
    github_client_secret: str | None = None
    github_authorize_url: str = GITHUB_AUTHORIZE_URL
    github_token_url: str = GITHUB_TOKEN_URL
    github_api_url: str = GITHUB_API_URL
    # WAP_OFFICER_GITHUB_LOGINS holds login:id labels; what counts is the GitHub ids.
    officer_github_logins: frozenset[int] = frozenset()
    allowed_email_domains: frozenset[str] = frozenset()
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str = MAIL_FROM
    media_dir: Path = Path("./media")
    # WAP_MEDIA_URL: None keeps images in media_dir; "s3://bucket/prefix" in object storage.
    media_url: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_public_url: str | None = None
    frontend_url: str = "/"
    cookie_secure: bool = True
    trusted_proxies: frozenset[str] = frozenset()
    cors_origins: frozenset[str] = frozenset()
    auth_rate_limit: RateLimit = RateLimit(60, 60)
    refresh_rate_limit: RateLimit = RateLimit(10, 60)
    max_image_bytes: int = 5 * 1024 * 1024
    read_cache: bool = True
    task_claim_seconds: int = 300
    metrics_token: str | None = None
    metrics_dir: Path | None = None
    log_format: LogFormat = "auto"
    embedded: bool = True
    demo_sign_in: bool = False
    # The address `wap serve --host` binds; `wap serve` sets WAP_SERVE_HOST itself.
    serve_host: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read every ``WAP_*`` variable of SPEC §4; raise ``ConfigError`` on a bad value."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value is not None and value.strip() else None

        database_url = get("WAP_DATABASE_URL")
        embedded = database_url is None
        database_url = database_url or EMBEDDED_DATABASE_URL
        try:
            backend = make_url(database_url).get_backend_name()
        except ArgumentError:
            raise ConfigError(f"WAP_DATABASE_URL is not a database URL: {database_url!r}") from None
        if backend not in ("sqlite", "mysql", "mariadb"):
            raise ConfigError(
                "WAP_DATABASE_URL must be mysql+aiomysql://… or sqlite+aiosqlite://…, "
                f"got the {backend!r} backend"
            )
        redis_url = get("WAP_REDIS_URL")
        if redis_url is not None and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(f"WAP_REDIS_URL must start with redis://, got {redis_url!r}")

        def integer(name: str, default: int, low: int, high: int) -> int:
            raw = get(name)
            if raw is None:
                return default
            try:
                value = int(raw)
            except ValueError:
                raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
            if not low <= value <= high:
                raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
            return value

        def boolean(name: str, default: bool) -> bool:
            raw = get(name)
            if raw is None:
                return default
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ConfigError(f"{name} must be true or false, got {raw!r}")

        def names(name: str) -> frozenset[str]:
            raw = get(name) or ""
            return frozenset(part.strip().lower() for part in raw.split(",") if part.strip())

        def rate(name: str, default: RateLimit) -> RateLimit:
            raw = get(name)
            return RateLimit.parse(raw, name) if raw else default

        metrics_token = get("WAP_METRICS_TOKEN")
        if metrics_token is not None and len(metrics_token) < 16:
            raise ConfigError("WAP_METRICS_TOKEN must be at least 16 characters long")
        log_format = (get("WAP_LOG_FORMAT") or "auto").lower()
        if log_format not in LOG_FORMATS:
            raise ConfigError(f"WAP_LOG_FORMAT must be auto, json or text, got {log_format!r}")
        metrics_dir = get("WAP_METRICS_DIR")  # `wap serve --workers N` makes one if unset
        media_dir, media_url = media_location(get("WAP_MEDIA_URL"), get("WAP_MEDIA_DIR"))
        access_key, secret = get("WAP_S3_ACCESS_KEY_ID"), get("WAP_S3_SECRET_ACCESS_KEY")
        if (access_key is None) != (secret is None):
            raise ConfigError("WAP_S3_ACCESS_KEY_ID and WAP_S3_SECRET_ACCESS_KEY go together")
        return cls(
            database_url=database_url,
            redis_url=redis_url,
            secret_key=get("WAP_SECRET_KEY"),
            github_client_id=get("WAP_GITHUB_CLIENT_ID"),
            github_client_secret=get("WAP_GITHUB_CLIENT_SECRET"),
            github_authorize_url=get("WAP_GITHUB_AUTHORIZE_URL") or GITHUB_AUTHORIZE_URL,
            github_token_url=get("WAP_GITHUB_TOKEN_URL") or GITHUB_TOKEN_URL,
            github_api_url=(get("WAP_GITHUB_API_URL") or GITHUB_API_URL).rstrip("/"),
            officer_github_logins=officer_ids(get("WAP_OFFICER_GITHUB_LOGINS") or ""),
            allowed_email_domains=email_domains(get("WAP_ALLOWED_EMAIL_DOMAINS") or ""),
            smtp_host=get("WAP_SMTP_HOST"),
            smtp_port=integer("WAP_SMTP_PORT", 587, 1, 65535),
            smtp_user=get("WAP_SMTP_USER"),
            smtp_password=get("WAP_SMTP_PASSWORD"),
            mail_from=get("WAP_MAIL_FROM") or MAIL_FROM,
            media_dir=media_dir,
            media_url=media_url,
            s3_endpoint_url=web_url("WAP_S3_ENDPOINT_URL", get("WAP_S3_ENDPOINT_URL")),
            s3_region=get("WAP_S3_REGION") or "us-east-1",
            s3_access_key_id=access_key,
            s3_secret_access_key=secret,
            s3_public_url=web_url("WAP_S3_PUBLIC_URL", get("WAP_S3_PUBLIC_URL")),
            frontend_url=get("WAP_FRONTEND_URL") or "/",
            cookie_secure=boolean("WAP_COOKIE_SECURE", not embedded),
            trusted_proxies=proxy_entries(names("WAP_TRUSTED_PROXIES")),
            read_cache=boolean("WAP_READ_CACHE", True),
            task_claim_seconds=integer("WAP_TASK_CLAIM_SECONDS", 300, 1, 86400),
            cors_origins=frozenset(
                o.strip().rstrip("/")
                for o in (get("WAP_CORS_ORIGINS") or "").split(",")
                if o.strip()
            ),
            auth_rate_limit=rate("WAP_AUTH_RATE_LIMIT", RateLimit(60, 60)),
            refresh_rate_limit=rate("WAP_REFRESH_RATE_LIMIT", RateLimit(10, 60)),
            max_image_bytes=integer("WAP_MAX_IMAGE_BYTES", 5 * 1024 * 1024, 1024, 1024**3),
            metrics_token=metrics_token,
            metrics_dir=Path(metrics_dir) if metrics_dir else None,
            log_format=log_format,
            embedded=embedded,
            demo_sign_in=boolean("WAP_DEMO_SIGN_IN", False),
            serve_host=get("WAP_SERVE_HOST"),
        )

    @property
    def media_bucket(self) -> tuple[str, str] | None:
        """``(bucket, prefix)`` when images live in object storage (``WAP_MEDIA_URL=s3://…``)."""
        if self.media_url is None:
            return None
        bucket, _, prefix = self.media_url[len("s3://") :].partition("/")
        return bucket, prefix

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None

    def signing_key(self, secret_file: Path = SECRET_FILE) -> str:
        """The JWT key: ``WAP_SECRET_KEY``, or for the embedded default one kept in a file."""
        if self.secret_key:
            if len(self.secret_key) < 32:
                raise ConfigError("WAP_SECRET_KEY must be at least 32 characters long")
            return self.secret_key
        if not self.embedded:
            raise ConfigError(
                "WAP_SECRET_KEY must be set when WAP_DATABASE_URL is (every process must "
                "sign tokens with the same key)"
            )
        if secret_file.exists():
            return secret_file.read_text().strip()
        key = secrets.token_urlsafe(48)
        secret_file.write_text(key + "\n")
        secret_file.chmod(0o600)
        return key


class LegacyBucket(msgspec.Struct, frozen=True, kw_only=True):
    """The old service's bucket, for ``wap import-legacy --images copy --images-from
    s3://<bucket>[/<prefix>]`` (docs/legacy-import.md). Its own ``WAP_LEGACY_S3_*`` settings:
    the old bucket is not where our images live, and needs other credentials."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None

    @classmethod
    def from_env(cls, url: str, env: Mapping[str, str] | None = None) -> LegacyBucket:
        """``url`` from the command line, the rest from ``WAP_LEGACY_S3_ENDPOINT_URL``,
        ``…_REGION``, ``…_ACCESS_KEY_ID`` and ``…_SECRET_ACCESS_KEY``."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value is not None and value.strip() else None

        scheme, _, rest = url.strip().partition("://")
        bucket, _, prefix = rest.partition("/")
        if scheme != "s3" or not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,62}", bucket):
            raise ConfigError(f"--images-from must look like s3://bucket/prefix, got {url!r}")
        access_key = get("WAP_LEGACY_S3_ACCESS_KEY_ID")
        secret = get("WAP_LEGACY_S3_SECRET_ACCESS_KEY")
        if (access_key is None) != (secret is None):
            raise ConfigError(
                "WAP_LEGACY_S3_ACCESS_KEY_ID and WAP_LEGACY_S3_SECRET_ACCESS_KEY go together"
            )
        return cls(
            bucket=bucket,
            prefix=prefix.strip("/"),
            endpoint_url=web_url("WAP_LEGACY_S3_ENDPOINT_URL", get("WAP_LEGACY_S3_ENDPOINT_URL")),
            region=get("WAP_LEGACY_S3_REGION") or "us-east-1",
            access_key_id=access_key,
            secret_access_key=secret,
        )
