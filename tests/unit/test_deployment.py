"""compose.yaml and the Dockerfile say what docs/operations.md says.

No Docker engine runs on this machine, so these checks read the files; the same processes
run by hand in tests/integration/test_processes.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from wap.entrypoints.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "compose.yaml").read_text()))


def test_compose_has_every_process_of_the_design() -> None:
    services = compose()["services"]
    assert set(services) == {
        "mysql",
        "redis",
        "minio",
        "minio-bucket",
        "migrate",
        "app",
        "worker",
        "scheduler",
        "nginx",
    }
    assert services["mysql"]["image"].startswith("mysql:8")
    assert services["redis"]["image"].startswith("redis:7")
    commands = {name: s.get("command") for name, s in services.items()}
    assert commands["migrate"] == ["wap", "migrate"]
    assert commands["worker"] == ["wap", "worker"]
    assert commands["scheduler"] == ["wap", "scheduler"]
    assert commands["app"][:2] == ["wap", "serve"]
    assert services["scheduler"]["deploy"]["replicas"] == 1


def test_the_app_waits_for_migrations_and_is_checked_on_readyz() -> None:
    services = compose()["services"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])
    assert "/readyz" in (ROOT / "Dockerfile").read_text()


def test_the_environment_names_only_real_settings_and_nginx_is_trusted() -> None:
    services = compose()["services"]
    env = services["app"]["environment"]
    known = {f"WAP_{name.upper()}" for name in Settings.__struct_fields__}
    assert set(env) <= known | {"WAP_AUTH_RATE_LIMIT"}
    assert env["WAP_TRUSTED_PROXIES"] == "nginx"
    assert env["WAP_DATABASE_URL"].startswith("mysql+aiomysql://")
    # Every variable the Settings read is a WAP_ variable the README documents.
    readme = (ROOT / "README.md").read_text()
    for name in sorted(known - {"WAP_EMBEDDED"}):
        assert name in readme, name


def test_nginx_replaces_the_forwarded_header() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"proxy_set_header X-Forwarded-For \$remote_addr;", conf)
    assert "proxy_add_x_forwarded_for" not in conf


def test_nginx_keeps_metrics_off_the_internet_and_passes_its_request_id() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"location \^~ /metrics \{\s*return 404;\s*\}", conf)
    assert re.search(r"proxy_set_header X-Request-ID \$request_id;", conf)


def test_the_deployed_settings_parse_and_size_sign_in_for_a_lecture_hall() -> None:
    env = compose()["services"]["app"]["environment"]

    # ${NAME:?…}, ${NAME:-default} and ${NAME-default}: the default, or a stand-in for the
    # secret.
    def fill(found: re.Match[str]) -> str:
        return found[3] if found[2] == "-" else "x" * 40

    pattern = re.compile(r"\$\{(\w+):?([?-])([^}]*)\}")
    values = {name: pattern.sub(fill, str(v)) for name, v in env.items()}
    settings = Settings.from_env(values)
    assert settings.trusted_proxies == {"nginx"}
    # 100 students behind one address, two sign-in hits each, room for a retry each.
    rate = settings.auth_rate_limit
    assert rate.count * 60 // rate.per_seconds >= 300
    assert settings.refresh_rate_limit.count >= 1
    # Images in the bucket that compose's MinIO serves, reached by name.
    assert settings.media_bucket == ("wap-media", "images")
    assert settings.s3_endpoint_url == "http://minio:9000" and settings.s3_public_url is None


def test_the_replicas_share_a_bucket_not_a_media_volume() -> None:
    services = compose()["services"]
    for name, service in services.items():
        mounts = " ".join(str(v) for v in service.get("volumes", []))
        assert "media" not in mounts, name
    assert "media" not in compose()["volumes"]
    env = services["app"]["environment"]
    assert "WAP_MEDIA_DIR" not in env and env["WAP_MEDIA_URL"].endswith("s3://wap-media/images}")
    # The bucket exists before any replica starts, made by the one-shot client.
    needs = services["app"]["depends_on"]["minio-bucket"]["condition"]
    assert needs == "service_completed_successfully"
    assert "mb --ignore-existing wap/wap-media" in " ".join(services["minio-bucket"]["command"])
    assert services["minio-bucket"]["depends_on"]["minio"]["condition"] == "service_healthy"
    # MinIO's root account is the app's key pair.
    minio = services["minio"]["environment"]
    assert minio["MINIO_ROOT_USER"] == env["WAP_S3_ACCESS_KEY_ID"]
    assert minio["MINIO_ROOT_PASSWORD"] == env["WAP_S3_SECRET_ACCESS_KEY"]
    # nginx has no folder of its own to serve: /media goes to the app like the rest.
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "alias" not in conf and "location /media" not in conf
