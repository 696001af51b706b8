from __future__ import annotations

from pathlib import Path

import pytest

from wap.adapters.media.s3 import S3ImageStore
from wap.application.media.ports import ImageStore
from wap.entrypoints.config import EMBEDDED_DATABASE_URL, ConfigError, RateLimit, Settings
from wap.entrypoints.http.identity import HttpProvider
from wap.entrypoints.ioc import make_container
from wap.entrypoints.web import WebProvider


def test_the_embedded_default_needs_no_variable() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == EMBEDDED_DATABASE_URL
    assert settings.embedded and not settings.uses_redis
    assert settings.cookie_secure is False
    assert settings.auth_rate_limit == RateLimit(60, 60)
    assert settings.refresh_rate_limit == RateLimit(10, 60)
    assert settings.max_image_bytes == 5_242_880
    assert settings.media_dir == Path("./media")
    assert settings.frontend_url == "/"
    assert settings.demo_sign_in is False and settings.serve_host is None


def test_production_values_are_read() -> None:
    settings = Settings.from_env(
        {
            "WAP_DATABASE_URL": "mysql+aiomysql://wap:pw@db/wap",
            "WAP_REDIS_URL": "redis://cache:6379/0",
            "WAP_OFFICER_GITHUB_LOGINS": "Alice:101, bob:102 ,, 583231",
            "WAP_ALLOWED_EMAIL_DOMAINS": "PUKYONG.ac.kr, Bücher.de",
            "WAP_AUTH_RATE_LIMIT": "10/second",
            "WAP_REFRESH_RATE_LIMIT": "20/hour",
            "WAP_TRUSTED_PROXIES": "10.0.0.2",
            "WAP_GITHUB_API_URL": "http://127.0.0.1:9999/",
        }
    )
    assert not settings.embedded and settings.uses_redis
    assert settings.cookie_secure is True
    assert settings.officer_github_logins == {101, 102, 583231}
    assert settings.allowed_email_domains == {"pukyong.ac.kr", "xn--bcher-kva.de"}
    assert settings.auth_rate_limit == RateLimit(10, 1)
    assert settings.refresh_rate_limit == RateLimit(20, 3600)
    assert settings.trusted_proxies == {"10.0.0.2"}
    assert settings.github_api_url == "http://127.0.0.1:9999"


@pytest.mark.parametrize(
    ("env", "mentions"),
    [
        ({"WAP_DATABASE_URL": "not a url"}, "WAP_DATABASE_URL"),
        ({"WAP_DATABASE_URL": "postgresql://x/y"}, "WAP_DATABASE_URL"),
        ({"WAP_REDIS_URL": "http://x"}, "WAP_REDIS_URL"),
        ({"WAP_COOKIE_SECURE": "maybe"}, "WAP_COOKIE_SECURE"),
        ({"WAP_MAX_IMAGE_BYTES": "lots"}, "WAP_MAX_IMAGE_BYTES"),
        ({"WAP_MAX_IMAGE_BYTES": "-1"}, "WAP_MAX_IMAGE_BYTES"),
        ({"WAP_SMTP_PORT": "70000"}, "WAP_SMTP_PORT"),
        ({"WAP_AUTH_RATE_LIMIT": "fast"}, "WAP_AUTH_RATE_LIMIT"),
        ({"WAP_AUTH_RATE_LIMIT": "0/minute"}, "WAP_AUTH_RATE_LIMIT"),
        ({"WAP_OFFICER_GITHUB_LOGINS": "octocat"}, "add ':id'"),
        ({"WAP_OFFICER_GITHUB_LOGINS": "alice:1, bob"}, "login:id"),
        ({"WAP_OFFICER_GITHUB_LOGINS": "alice:x"}, "WAP_OFFICER_GITHUB_LOGINS"),
        ({"WAP_OFFICER_GITHUB_LOGINS": "bad login:5"}, "not a GitHub login"),
        ({"WAP_ALLOWED_EMAIL_DOMAINS": "pukyong.ac.kr, not a domain"}, "not a domain"),
        ({"WAP_DEMO_SIGN_IN": "sure"}, "WAP_DEMO_SIGN_IN"),
        ({"WAP_REFRESH_RATE_LIMIT": "often"}, "WAP_REFRESH_RATE_LIMIT"),
        ({"WAP_TRUSTED_PROXIES": "nginx, 10.0.0.256"}, "WAP_TRUSTED_PROXIES"),
    ],
)
def test_a_bad_value_is_refused_with_its_name(env: dict[str, str], mentions: str) -> None:
    with pytest.raises(ConfigError, match=mentions):
        Settings.from_env(env)


def test_the_embedded_default_keeps_its_signing_key_in_a_file(tmp_path: Path) -> None:
    secret = tmp_path / ".wap-secret"
    settings = Settings.from_env({})
    first = settings.signing_key(secret)
    assert len(first) >= 32
    assert settings.signing_key(secret) == first
    assert secret.stat().st_mode & 0o077 == 0


def test_production_requires_a_long_enough_secret(tmp_path: Path) -> None:
    production = Settings.from_env({"WAP_DATABASE_URL": "mysql+aiomysql://root@db/wap"})
    with pytest.raises(ConfigError, match="WAP_SECRET_KEY"):
        production.signing_key(tmp_path / "unused")
    with pytest.raises(ConfigError, match="32"):
        Settings.from_env({"WAP_SECRET_KEY": "short"}).signing_key()
    key = "k" * 40
    assert Settings.from_env({"WAP_SECRET_KEY": key}).signing_key() == key


def test_images_stay_in_the_media_folder_unless_a_bucket_is_named() -> None:
    assert Settings.from_env({}).media_bucket is None
    folder = Settings.from_env({"WAP_MEDIA_URL": "file:///srv/wap/media"})
    assert folder.media_bucket is None and folder.media_dir == Path("/srv/wap/media")
    both = {"WAP_MEDIA_URL": "file:///srv/media", "WAP_MEDIA_DIR": "/srv/media"}
    assert Settings.from_env(both).media_dir == Path("/srv/media")


def test_a_bucket_and_its_companions_are_read() -> None:
    settings = Settings.from_env(
        {
            "WAP_MEDIA_URL": "s3://wap-media/club/images/",
            "WAP_S3_ENDPOINT_URL": "http://minio:9000/",
            "WAP_S3_REGION": "kr-standard",
            "WAP_S3_ACCESS_KEY_ID": "key",
            "WAP_S3_SECRET_ACCESS_KEY": "secret",
            "WAP_S3_PUBLIC_URL": "https://images.example.org/club/images/",
        }
    )
    assert settings.media_url == "s3://wap-media/club/images"
    assert settings.media_bucket == ("wap-media", "club/images")
    assert settings.s3_endpoint_url == "http://minio:9000"
    assert settings.s3_region == "kr-standard"
    assert (settings.s3_access_key_id, settings.s3_secret_access_key) == ("key", "secret")
    assert settings.s3_public_url == "https://images.example.org/club/images"
    bare = Settings.from_env({"WAP_MEDIA_URL": "s3://wap-media"})
    assert bare.media_bucket == ("wap-media", "")
    assert bare.s3_region == "us-east-1" and bare.s3_endpoint_url is None


@pytest.mark.parametrize(
    ("env", "mentions"),
    [
        ({"WAP_MEDIA_URL": "/srv/media"}, "WAP_MEDIA_URL"),
        ({"WAP_MEDIA_URL": "gs://bucket"}, "WAP_MEDIA_URL"),
        ({"WAP_MEDIA_URL": "s3://"}, "WAP_MEDIA_URL"),
        ({"WAP_MEDIA_URL": "s3://Bad_Bucket/x"}, "WAP_MEDIA_URL"),
        ({"WAP_MEDIA_URL": "s3://bucket/../x"}, "WAP_MEDIA_URL"),
        ({"WAP_MEDIA_URL": "file://"}, "WAP_MEDIA_URL"),
        ({"WAP_MEDIA_URL": "file:///a", "WAP_MEDIA_DIR": "/b"}, "WAP_MEDIA_DIR"),
        ({"WAP_S3_ENDPOINT_URL": "minio:9000"}, "WAP_S3_ENDPOINT_URL"),
        ({"WAP_S3_PUBLIC_URL": "ftp://x"}, "WAP_S3_PUBLIC_URL"),
        ({"WAP_S3_ACCESS_KEY_ID": "key"}, "WAP_S3_SECRET_ACCESS_KEY"),
        ({"WAP_S3_SECRET_ACCESS_KEY": "secret"}, "WAP_S3_ACCESS_KEY_ID"),
    ],
)
def test_a_bad_image_location_is_refused_by_name(env: dict[str, str], mentions: str) -> None:
    with pytest.raises(ConfigError, match=mentions):
        Settings.from_env(env)


@pytest.mark.parametrize("web", [False, True], ids=["worker", "web"])
async def test_the_bucket_makes_a_whole_graph_with_one_store(web: bool) -> None:
    settings = Settings.from_env({"WAP_MEDIA_URL": "s3://wap-media/images"})
    extra = (HttpProvider(), WebProvider()) if web else ()
    container = make_container(settings, *extra)  # validates the graph; connects nowhere
    try:
        store = await container.get(ImageStore)
        assert isinstance(store, S3ImageStore) and store is await container.get(S3ImageStore)
    finally:
        await container.close()
