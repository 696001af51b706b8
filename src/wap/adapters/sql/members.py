from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from wap.adapters.sql.results import contains, inserted_id
from wap.adapters.sql.tables import members
from wap.adapters.sql.touched import Touched
from wap.application.members.ports import MemberQuery, MemberRepository, SearchField
from wap.domain.catalog import Position
from wap.domain.errors import StudentNumberTaken
from wap.domain.members import (
    Bio,
    Language,
    Member,
    MemberStatus,
    Name,
    NewMember,
    Role,
    StudentNumber,
    TechStack,
)
from wap.domain.values import Links, restored


def member_from_row(row: RowMapping) -> Member:
    return Member(
        id=row["id"],
        github_id=row["github_id"],
        github_login=row["github_login"],
        avatar_url=row["avatar_url"],
        avatar_thumbnail_url=row["avatar_thumbnail_url"],
        email=row["email"],
        name=Name(row["name"]) if row["name"] is not None else None,
        student_number=(
            StudentNumber(row["student_number"]) if row["student_number"] is not None else None
        ),
        position=Position(row["position"]) if row["position"] is not None else None,
        bio=restored(Bio, row["bio"]),
        tech_stack=restored(TechStack, tuple(row["tech_stack"])),
        links=restored(Links, tuple(row["links"])),
        status=MemberStatus(row["status"]),
        role=Role(row["role"]),
        notify_email=bool(row["notify_email"]),
        language=Language(row["language"]),
        created_at=row["created_at"],
    )


def member_values(member: NewMember) -> dict[str, Any]:
    return {
        "github_id": member.github_id,
        "github_login": member.github_login,
        "avatar_url": member.avatar_url,
        "avatar_thumbnail_url": member.avatar_thumbnail_url,
        "email": member.email,
        "name": member.name.value if member.name else None,
        "student_number": member.student_number.value if member.student_number else None,
        "position": member.position.value if member.position else None,
        "bio": member.bio.value,
        "tech_stack": list(member.tech_stack.items),
        "links": list(member.links.items),
        "status": member.status.value,
        "role": member.role.value,
        "notify_email": member.notify_email,
        "language": member.language.value,
        "created_at": member.created_at,
    }


_BY_ID = select(members).where(members.c.id == bindparam("member_id"))


class SqlMemberRepository(MemberRepository):
    def __init__(self, session: AsyncSession, touched: Touched) -> None:
        self._session = session
        self._touched = touched

    async def add(self, member: NewMember) -> Member:
        result = await self._session.execute(insert(members).values(member_values(member)))
        return member.stored(inserted_id(result))

    async def _one(self, *where: Any, lock: bool = False) -> Member | None:
        query = select(members).where(*where)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().first()
        return member_from_row(row) if row else None

    async def get_or_add(self, member: NewMember) -> tuple[Member, bool]:
        existing = await self.get_by_github_id(member.github_id)
        if existing is not None:
            return existing, False
        # A new member's only possible clash is its GitHub id (the student number is still
        # empty): two first sign-ins racing. The loser reads what the winner stored.
        try:
            async with self._session.begin_nested():
                stored = await self.add(member)
        except IntegrityError:
            existing = await self.get_by_github_id(member.github_id)
            if existing is None:
                raise
            return existing, False
        return stored, True

    async def get(self, member_id: int) -> Member | None:
        # The hottest read (every signed-in request, every uncached profile): built once.
        found = await self._session.execute(_BY_ID, {"member_id": member_id})
        row = found.mappings().first()
        return member_from_row(row) if row else None

    async def get_for_update(self, member_id: int) -> Member | None:
        return await self._one(members.c.id == member_id, lock=True)

    async def get_by_login(self, github_login: str) -> Member | None:
        query = (
            select(members)
            .where(func.lower(members.c.github_login) == github_login.lower())
            .order_by(members.c.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(query)).mappings().first()
        return member_from_row(row) if row else None

    async def get_by_github_id(self, github_id: int) -> Member | None:
        return await self._one(members.c.github_id == github_id)

    async def save(self, member: Member) -> None:
        values = member_values(member)
        del values["created_at"], values["github_id"]
        self._touched.members.add(member.id)
        # The student number is the only unique column a save can change.
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    update(members).where(members.c.id == member.id).values(values)
                )
        except IntegrityError:
            raise StudentNumberTaken(field="student_number") from None

    async def delete(self, member_id: int) -> None:
        self._touched.members.add(member_id)
        await self._session.execute(delete(members).where(members.c.id == member_id))

    async def student_number_owner(self, student_number: str) -> int | None:
        query = select(members.c.id).where(members.c.student_number == student_number)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def search(self, query: MemberQuery) -> tuple[list[Member], int]:
        conditions = []
        if query.status is not None:
            conditions.append(members.c.status == query.status.value)
        if query.text:
            column = {
                SearchField.NAME: members.c.name,
                SearchField.STUDENT_NUMBER: members.c.student_number,
                SearchField.POSITION: members.c.position,
            }[query.field]
            conditions.append(column.like(contains(query.text), escape="\\"))
        total = (
            await self._session.execute(
                select(func.count()).select_from(members).where(*conditions)
            )
        ).scalar_one()
        rows = (
            await self._session.execute(
                select(members)
                .where(*conditions)
                .order_by(members.c.created_at, members.c.id)
                .limit(query.page_size)
                .offset((query.page - 1) * query.page_size)
            )
        ).mappings()
        return [member_from_row(row) for row in rows], int(total)

    async def officer_ids(self) -> list[int]:
        query = (
            select(members.c.id)
            .where(members.c.role == Role.OFFICER.value)
            .where(members.c.status == MemberStatus.APPROVED.value)
            .order_by(members.c.id)
        )
        return list((await self._session.execute(query)).scalars())

    async def count_officers(self) -> int:
        officers = (
            select(members.c.id)
            .where(members.c.role == Role.OFFICER.value)
            .where(members.c.status == MemberStatus.APPROVED.value)
            .order_by(members.c.id)  # one lock order for everyone
            .with_for_update()
        )
        ids = (await self._session.execute(officers)).scalars().all()
        return len(ids)
