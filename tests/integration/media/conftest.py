"""A real S3-protocol server for the object-storage tests: moto's standalone server (the
same HTTP API as AWS S3 and MinIO) on a free loopback port, one fresh bucket per test."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from moto.server import ThreadedMotoServer

from tests.integration.http.conftest import free_port
from wap.adapters.media.s3 import S3ImageStore, S3Location, s3_store

KEY_ID, SECRET = "wap-test-key", "wap-test-secret"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@dataclass
class Bucket:
    """A bucket of the test server, seen directly (boto3) beside the app's obstore client."""

    endpoint: str
    name: str
    prefix: str
    client: Any

    @property
    def env(self) -> dict[str, str]:
        """The settings that put the app's images in this bucket."""
        return {
            "WAP_MEDIA_URL": f"s3://{self.name}/{self.prefix}",
            "WAP_S3_ENDPOINT_URL": self.endpoint,
            "WAP_S3_REGION": "us-east-1",
            "WAP_S3_ACCESS_KEY_ID": KEY_ID,
            "WAP_S3_SECRET_ACCESS_KEY": SECRET,
        }

    def location(self) -> S3Location:
        return S3Location(self.name, self.prefix, self.endpoint, "us-east-1", KEY_ID, SECRET)

    def store(self) -> S3ImageStore:
        return S3ImageStore(s3_store(self.location()))

    def keys(self) -> set[str]:
        """Every object's key, without the prefix."""
        listed = self.client.list_objects_v2(Bucket=self.name)
        return {o["Key"].removeprefix(self.prefix + "/") for o in listed.get("Contents", [])}

    def object(self, key: str) -> dict[str, Any]:
        found = self.client.get_object(Bucket=self.name, Key=f"{self.prefix}/{key}")
        return {
            "body": found["Body"].read(),
            "content_type": found["ContentType"],
            "cache_control": found.get("CacheControl"),
        }

    def key_of(self, url: str | None) -> str:
        assert url is not None and url.startswith("/media/"), url
        return url.removeprefix("/media/")


@pytest.fixture
def bucket(s3_endpoint: str) -> Bucket:
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    )
    name = f"wap-{secrets.token_hex(6)}"
    client.create_bucket(Bucket=name)
    return Bucket(s3_endpoint, name, "club/images", client)


def unreachable_env(bucket: Bucket) -> dict[str, str]:
    """The same bucket settings, pointed at a port nothing listens on."""
    return bucket.env | {"WAP_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
