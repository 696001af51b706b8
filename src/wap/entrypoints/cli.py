"""The ``wap`` command line (SPEC §5)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from wap.entrypoints.config import ConfigError, Settings
from wap.entrypoints.logs import LogFormat, configure_logging, logging_config

log = logging.getLogger("wap")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as error:
        print(f"wap: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_migrate(_args: argparse.Namespace) -> int:
    from wap.adapters.sql.migrate import upgrade

    settings = _settings()
    asyncio.run(upgrade(settings.database_url))
    print("database is at the newest schema")
    return 0


# prometheus_client's multiprocess files: counter_<pid>.db, gauge_<mode>_<pid>.db, …
PROMETHEUS_FILE = re.compile(r"(counter|histogram|summary|gauge_[a-z]+)_\d+\.db")


def empty_metrics_dir(folder: Path) -> None:
    """Make ``folder`` ready for this run's metric files: an earlier run's counts would be
    added to this one's, so they go. Any other ``*.db`` there (a SQLite database, another
    program's file) is neither deleted nor read by a scrape: the start stops instead."""
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted(folder.glob("*.db"))
    foreign = [f.name for f in files if not PROMETHEUS_FILE.fullmatch(f.name)]
    if foreign:
        raise ConfigError(
            f"WAP_METRICS_DIR={folder} holds files that are not metrics ({', '.join(foreign)}): "
            "give the metrics a folder of their own"
        )
    for stale in files:
        stale.unlink()


SHUTDOWN_GRACE_SECONDS = 5


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings()
    if settings.embedded:
        # The embedded default needs no separate step: bring the SQLite file up to date.
        # (Imported only here: Alembic is 9 MB that a MySQL server process has no use for.)
        from wap.adapters.sql.migrate import upgrade

        asyncio.run(upgrade(settings.database_url))
        settings.signing_key()  # create the key file once, before workers race to it
    # The app (in every worker process) learns the address it listens on: the demo sign-in
    # exists only on a loopback one (entrypoints/web/signin.py: demo_allowed).
    os.environ["WAP_SERVE_HOST"] = args.host
    made_dir: Path | None = None
    if settings.metrics_token is not None and (args.workers > 1 or settings.metrics_dir):
        # prometheus_client's multiprocess mode: each worker keeps its counters in files in
        # one directory, and a scrape of any worker sums them all.
        metrics_dir = settings.metrics_dir
        if metrics_dir is None:
            metrics_dir = made_dir = Path(tempfile.mkdtemp(prefix="wap-metrics-"))
        try:
            empty_metrics_dir(metrics_dir)
        except ConfigError as error:
            print(f"wap: configuration error: {error}", file=sys.stderr)
            return 2
        # Inherited by the workers, which read them when they start (before any import).
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.environ["WAP_METRICS_DIR"] = str(metrics_dir)
    uvicorn.run(
        "wap.entrypoints.http.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=False,  # the app trusts X-Forwarded-For only from WAP_TRUSTED_PROXIES
        server_header=False,
        access_log=args.access_log,
        log_level="info",
        log_config=logging_config(settings.log_format),  # applied in every worker
        # Open live streams (entrypoints/web/live.py) never finish on their own: a stop waits
        # this long for requests in flight, then cuts what is left (browsers reconnect).
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    if made_dir is not None:
        shutil.rmtree(made_dir, ignore_errors=True)
    return 0


def cmd_worker(_args: argparse.Namespace) -> int:
    from wap.entrypoints.worker.run import run_worker

    settings = _settings()
    if not settings.uses_redis:
        print(
            "wap: the embedded default (no WAP_REDIS_URL) runs its tasks inside `wap serve`; "
            "a separate worker needs WAP_REDIS_URL",
            file=sys.stderr,
        )
        return 2
    asyncio.run(run_worker(settings))
    return 0


def cmd_scheduler(_args: argparse.Namespace) -> int:
    from wap.entrypoints.worker.run import run_scheduler

    settings = _settings()
    if not settings.uses_redis:
        print(
            "wap: the embedded default (no WAP_REDIS_URL) schedules its jobs inside `wap serve`",
            file=sys.stderr,
        )
        return 2
    asyncio.run(run_scheduler(settings))
    return 0


JOBS = ("flush_views", "reset_view_windows", "close_recruitment")


def cmd_jobs_run(args: argparse.Namespace) -> int:
    from wap.adapters.metrics import FlushJournal
    from wap.application.ports import Clock
    from wap.application.teams.deadlines import CloseRecruitment
    from wap.application.views.flush import FlushViews, ResetViewWindows
    from wap.entrypoints.ioc import make_container
    from wap.entrypoints.worker.broker import flush_and_record

    settings = _settings()
    if not settings.uses_redis:
        print(
            "wap: with the embedded default the pending views live inside `wap serve`, which "
            "runs the jobs itself; set WAP_REDIS_URL to run them from here",
            file=sys.stderr,
        )
        return 2

    async def run() -> str:
        container = make_container(settings)
        try:
            if args.job == "close_recruitment":
                async with container() as scope:
                    expired = await (await scope.get(CloseRecruitment))()
                return f"expired {expired} pending applications past their team's deadline"
            if args.job == "flush_views":
                flushed = await flush_and_record(
                    await container.get(FlushViews),
                    await container.get(FlushJournal),
                    await container.get(Clock),
                )
                return f"flushed {flushed.views} views in {flushed.batches} batches"
            dropped = await (await container.get(ResetViewWindows))()
            return f"dropped {dropped} viewer sets of earlier days"
        finally:
            await container.close()

    print(asyncio.run(run()))
    return 0


def cmd_demo_seed(_args: argparse.Namespace) -> int:
    from wap.adapters.sql.migrate import upgrade
    from wap.application.demo import SeedDemo
    from wap.entrypoints.ioc import make_container

    settings = _settings()
    if settings.embedded:
        asyncio.run(upgrade(settings.database_url))

    async def seed() -> str:
        container = make_container(settings)
        try:
            async with container() as scope:
                done = await (await scope.get(SeedDemo))()
        finally:
            await container.close()
        return f"demo club ready: {done.members} members, {done.teams} new teams"

    print(asyncio.run(seed()))
    return 0


def cmd_member_promote(args: argparse.Namespace) -> int:
    from wap.application.admin.members import PromoteByLogin
    from wap.domain.errors import MemberNotFound
    from wap.entrypoints.ioc import make_container

    settings = _settings()
    login, colon, number = str(args.github_login).strip().rpartition(":")
    if not colon:
        login, number = number, ""
    if colon and not (number.isascii() and number.isdigit() and 0 < int(number) < 2**63):
        print(f"wap: {args.github_login!r} must be login:id (a numeric GitHub id)", file=sys.stderr)
        return 2

    async def promote() -> int:
        container = make_container(settings)
        try:
            async with container() as scope:
                use_case = await scope.get(PromoteByLogin)
                try:
                    if not number:
                        # A login alone may belong to another account since a rename: the
                        # operator confirms the numeric id GitHub gave the person they mean.
                        found = await use_case.candidate(login)
                        print(
                            f"wap: a login alone is not enough. The member {found.github_login!r} "
                            f"(member {found.id}, {found.name}) has GitHub id {found.github_id}. "
                            "If that is the account you mean (https://api.github.com/user/"
                            f"{found.github_id}), run:\n"
                            f"  wap member promote {found.github_login}:{found.github_id}",
                            file=sys.stderr,
                        )
                        return 2
                    profile = await use_case(login, int(number))
                except MemberNotFound:
                    which = f"GitHub login {login!r}" + (f" and id {number}" if number else "")
                    print(f"wap: no member with {which} has finished sign-up", file=sys.stderr)
                    return 1
        finally:
            await container.close()
        print(
            f"{profile.github_login} (GitHub id {profile.github_id}, member {profile.id}) "
            "is now an approved officer"
        )
        return 0

    return asyncio.run(promote())


def cmd_import_legacy(args: argparse.Namespace) -> int:
    """Import the old Django service's database (docs/legacy-import.md). Exit 0 (with or
    without warnings: the report lists them), 1 when an error stopped it (nothing written)."""
    import httpx
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.ext.asyncio import AsyncSession

    from wap.adapters.legacy.images import FolderLegacyImages, HttpLegacyImages, S3LegacyImages
    from wap.adapters.legacy.source import MySqlLegacySource
    from wap.adapters.legacy.target import SqlLegacyTarget
    from wap.adapters.media.s3 import S3Location, s3_store
    from wap.adapters.sql.engine import create_engine
    from wap.adapters.sql.migrate import upgrade
    from wap.application.legacy.import_legacy import (
        ImageCopier,
        ImageMode,
        ImportLegacy,
        ImportLegacyCommand,
        LegacyImportFailed,
    )
    from wap.application.legacy.ports import LegacyImageSource, LegacySourceUnavailable
    from wap.application.media.ports import ImageProcessor, ImageStore
    from wap.application.media.upload import ImageLimits
    from wap.entrypoints.config import LegacyBucket
    from wap.entrypoints.ioc import make_container

    settings = _settings()
    if args.images_from and args.images != "copy":
        print("wap: --images-from goes with --images copy", file=sys.stderr)
        return 2
    old_bucket: LegacyBucket | None = None
    if args.images_from and str(args.images_from).startswith("s3:"):
        try:
            old_bucket = LegacyBucket.from_env(args.images_from)
        except ConfigError as error:
            print(f"wap: {error}", file=sys.stderr)
            return 2
    try:
        source = MySqlLegacySource(args.source)
    except (LegacySourceUnavailable, ValueError) as error:
        print(f"wap: --from {args.source!r}: {error}", file=sys.stderr)
        return 2
    if settings.embedded and not args.dry_run:
        # As `wap serve` does on the embedded default: bring the SQLite file up to date.
        asyncio.run(upgrade(settings.database_url))
    mode = ImageMode(args.images)

    async def run() -> int:
        engine = create_engine(settings.database_url)
        http = httpx.AsyncClient(timeout=30)
        closers: list[Callable[[], Awaitable[None]]] = []
        try:
            copier = None
            if mode is ImageMode.COPY:
                images: LegacyImageSource
                if old_bucket is not None:  # the old bucket itself, with its credentials
                    images = S3LegacyImages(
                        s3_store(
                            S3Location(
                                old_bucket.bucket,
                                old_bucket.prefix,
                                old_bucket.endpoint_url,
                                old_bucket.region,
                                old_bucket.access_key_id,
                                old_bucket.secret_access_key,
                            )
                        )
                    )
                elif args.images_from:
                    images = FolderLegacyImages(Path(args.images_from))
                else:
                    images = HttpLegacyImages(http)
                # Our processor and store as the service has them (files, or object storage).
                container = make_container(settings)
                closers.append(container.close)
                copier = ImageCopier(
                    images,
                    await container.get(ImageProcessor),
                    await container.get(ImageStore),
                    (await container.get(ImageLimits)).max_bytes,
                )
            async with AsyncSession(engine, expire_on_commit=False) as session:
                use_case = ImportLegacy(source, SqlLegacyTarget(session), copier)
                try:
                    report = await use_case(ImportLegacyCommand(args.dry_run, mode))
                except LegacyImportFailed as failed:
                    print(failed.report.render(dry_run=args.dry_run))
                    return 1
                except LegacySourceUnavailable as error:
                    print(f"wap: {error}", file=sys.stderr)
                    return 1
                except (SQLAlchemyError, OSError) as error:
                    print(f"wap: our database: {error}", file=sys.stderr)
                    return 1
                except Exception as error:  # a bug: still say so in one line, exit 1
                    log.exception("import-legacy failed")
                    print(
                        f"wap: the import failed, nothing was written: {error!r}", file=sys.stderr
                    )
                    return 1
            print(report.render(dry_run=args.dry_run))
            return 0
        finally:
            for close in closers:
                await close()
            await http.aclose()
            await engine.dispose()

    return asyncio.run(run())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wap", description="WAP team building service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(handler=cmd_migrate)

    worker = commands.add_parser("worker", help="run background tasks from the Redis broker")
    worker.set_defaults(handler=cmd_worker)

    scheduler = commands.add_parser("scheduler", help="send the cron jobs (run exactly one)")
    scheduler.set_defaults(handler=cmd_scheduler)

    jobs = commands.add_parser("jobs", help="scheduled jobs")
    job_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    run_job = job_commands.add_parser("run", help="run a scheduled job once, now")
    run_job.add_argument("job", choices=JOBS)
    run_job.set_defaults(handler=cmd_jobs_run)

    demo = commands.add_parser("demo-seed", help="sample club data for trying it locally")
    demo.set_defaults(handler=cmd_demo_seed)

    member = commands.add_parser("member", help="manage members")
    member_commands = member.add_subparsers(dest="member_command", required=True)
    promote = member_commands.add_parser("promote", help="make a member an approved officer")
    promote.add_argument(
        "github_login", help="login:id (GitHub's numeric id); a bare login shows the id to confirm"
    )
    promote.set_defaults(handler=cmd_member_promote)

    legacy = commands.add_parser(
        "import-legacy", help="import the old Django service's database (docs/legacy-import.md)"
    )
    legacy.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="the old database, mysql+aiomysql://user:password@host/oldwap (read only)",
    )
    legacy.add_argument("--dry-run", action="store_true", help="print the report, write nothing")
    legacy.add_argument(
        "--images",
        choices=("link", "copy"),
        default="link",
        help="link: keep the old S3 URLs; copy: store them as our own images",
    )
    legacy.add_argument(
        "--images-from",
        metavar="PATH|s3://BUCKET/PREFIX",
        help="with --images copy: a local copy of the old bucket, or the bucket itself "
        "(credentials in WAP_LEGACY_S3_*); default: its public URLs",
    )
    legacy.set_defaults(handler=cmd_import_legacy)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    log_format: LogFormat
    try:
        log_format = Settings.from_env().log_format
    except ConfigError:
        log_format = "auto"  # the command itself reports the bad setting
    configure_logging(log_format)
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
