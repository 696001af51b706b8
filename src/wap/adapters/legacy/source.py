"""The old Django service's MySQL database, read only, from one consistent snapshot."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from wap.application.legacy.ports import LegacySource, LegacySourceUnavailable
from wap.application.legacy.records import (
    LegacySnapshot,
    OldApplication,
    OldLike,
    OldMember,
    OldSlot,
    OldSocialAccount,
    OldTeam,
    OldTeamUser,
)

REQUIRED = (
    "user_customuser",
    "user_usertech",
    "user_userurls",
    "team_team",
    "team_teamtech",
    "team_teamuser",
    "team_teamapply",
    "team_likes",
)
OPTIONAL_ALLAUTH = "socialaccount_socialaccount"


class MySqlLegacySource(LegacySource):
    """Opens its own connection: ``SET SESSION TRANSACTION READ ONLY`` and a transaction
    ``WITH CONSISTENT SNAPSHOT``, so the import neither writes there nor sees half of a
    change the old service makes meanwhile."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() not in ("mysql", "mariadb"):
            raise LegacySourceUnavailable(f"{parsed.get_backend_name()} is not MySQL")
        if parsed.get_driver_name() != "aiomysql":  # mysql://… as the old settings wrote it
            parsed = parsed.set(drivername="mysql+aiomysql")
        if "charset" not in parsed.query:
            parsed = parsed.update_query_dict({"charset": "utf8mb4"})
        self._url = parsed

    async def snapshot(self) -> LegacySnapshot:
        engine = create_async_engine(
            self._url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
        )
        try:
            async with engine.connect() as connection:
                await connection.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
                await connection.exec_driver_sql(
                    "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"
                )
                await connection.exec_driver_sql(
                    "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"
                )
                try:
                    return await self._read(connection)
                finally:
                    await connection.exec_driver_sql("ROLLBACK")
        except SQLAlchemyError as error:
            raise LegacySourceUnavailable(
                f"the old database cannot be read: {getattr(error, 'orig', error)}"
            ) from None
        except OSError as error:
            raise LegacySourceUnavailable(f"the old database cannot be reached: {error}") from None
        finally:
            await engine.dispose()

    async def _read(self, connection: AsyncConnection) -> LegacySnapshot:
        found = {
            str(name).lower()
            for (name,) in await connection.exec_driver_sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
            )
        }
        missing = [t for t in REQUIRED if t not in found]
        if missing:
            raise LegacySourceUnavailable(
                "not the old service's database: missing table(s) " + ", ".join(missing)
            )

        async def rows(sql: str) -> list[Any]:
            return list(await connection.exec_driver_sql(sql))

        snapshot = LegacySnapshot()
        snapshot.members = [
            OldMember(
                id=r[0],
                email=r[1] or "",
                social_id=r[2],
                name=r[3] or "",
                student_num=r[4],
                position=r[5],
                explain=r[6],
                image=r[7],
                is_approved=bool(r[8]),
                is_active=bool(r[9]),
                is_staff=bool(r[10]),
                created_at=_moment(r[11]),
                updated_at=_moment(r[12]),
            )
            for r in await rows(
                "SELECT id, email, social_id, name, student_num, position, `explain`, image, "
                "is_approved, is_active, is_staff, created_at, updated_at "
                "FROM user_customuser ORDER BY id"
            )
        ]
        snapshot.techs = {
            r[0]: _bytes(r[1])
            for r in await rows("SELECT user_id, tech FROM user_usertech ORDER BY user_id")
        }
        snapshot.urls = {
            r[0]: _bytes(r[1])
            for r in await rows("SELECT user_id, url FROM user_userurls ORDER BY user_id")
        }
        if OPTIONAL_ALLAUTH in found:
            snapshot.social_accounts = [
                OldSocialAccount(r[0], r[1], str(r[2] or ""), str(r[3] or ""), _json(r[4]))
                for r in await rows(
                    "SELECT id, user_id, provider, uid, extra_data "
                    f"FROM {OPTIONAL_ALLAUTH} ORDER BY id"
                )
            ]
        snapshot.teams = [
            OldTeam(
                id=r[0],
                leader_id=r[1],
                title=r[2] or "",
                explain=_bytes(r[3]),
                genre=r[4] or "",
                like=int(r[5] or 0),
                view=int(r[6] or 0),
                image=r[7],
                url=_bytes(r[8]),
                is_approved=bool(r[9]),
                is_accomplished=bool(r[10]),
                created_at=_moment(r[11]),
                updated_at=_moment(r[12]),
            )
            for r in await rows(
                "SELECT id, leader_id, title, `explain`, genre, `like`, `view`, image, url, "
                "is_approved, is_accomplished, created_at, updated_at FROM team_team ORDER BY id"
            )
        ]
        snapshot.slots = [
            OldSlot(r[0], r[1], r[2] or "", int(r[3] or 0), int(r[4] or 0))
            for r in await rows(
                "SELECT id, team_id, tech, need_num, current_num FROM team_teamtech ORDER BY id"
            )
        ]
        snapshot.team_users = [
            OldTeamUser(r[0], r[1], r[2], r[3] or "")
            for r in await rows("SELECT id, team_id, user_id, tech FROM team_teamuser ORDER BY id")
        ]
        snapshot.applications = [
            OldApplication(
                r[0], r[1], r[2], r[3], r[4] or "", bool(r[5]), _moment(r[6]), _moment(r[7])
            )
            for r in await rows(
                "SELECT id, team_id, user_id, bio, tech, is_approved, created_at, updated_at "
                "FROM team_teamapply ORDER BY id"
            )
        ]
        snapshot.likes = [
            OldLike(r[0], r[1], r[2], _moment(r[3]))
            for r in await rows(
                "SELECT id, team_id, user_id, created_at FROM team_likes ORDER BY id"
            )
        ]
        return snapshot


def _moment(value: Any) -> datetime | None:
    """A ``DATETIME`` column as the driver hands it: a ``datetime``, or for a zero date
    (``0000-00-00 00:00:00``, ``2024-00-10 …``: what MySQL keeps when ``NO_ZERO_DATE`` is off)
    the text it could not convert. Such a value is None here; the mapping reports it."""
    return value if isinstance(value, datetime) else None


def _bytes(value: Any) -> bytes | None:
    if value is None:
        return None
    return value.encode() if isinstance(value, str) else bytes(value)


def _json(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    try:
        loaded = json.loads(value)
    except (TypeError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None
