"""Teams: a project and its recruiting post, with slots per role and the people in them."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from wap.domain.catalog import Category, Genre, Limits
from wap.domain.entities import new_fields
from wap.domain.errors import (
    CapacityBelowFilled,
    CapacityInvalid,
    CategoryInvalid,
    DescriptionInvalid,
    GenreInvalid,
    InvalidValue,
    LeaderCannotLeave,
    LeaderOnly,
    NotTeamMember,
    RecruitmentClosed,
    SlotFull,
    SlotInUse,
    TeamNotFound,
    TeamNotPending,
    TeamNotRecruiting,
    TitleInvalid,
)
from wap.domain.members import Actor
from wap.domain.terms import Term
from wap.domain.values import Links, is_clean_text, is_one_line, trimmed


class TeamStatus(StrEnum):
    PENDING = "pending"
    RECRUITING = "recruiting"
    COMPLETED = "completed"


class TeamRole(StrEnum):
    LEADER = "leader"
    MEMBER = "member"


@dataclass(frozen=True, slots=True)
class Title:
    """1–30 characters after trimming; unique among teams regardless of case."""

    value: str

    def __post_init__(self) -> None:
        if not (1 <= len(self.value) <= Limits.TITLE_MAX) or not is_one_line(self.value):
            raise TitleInvalid(field="title")
        if self.value != self.value.strip():
            raise TitleInvalid(field="title")

    @classmethod
    def of(cls, raw: str) -> Title:
        return cls(trimmed(unicodedata.normalize("NFC", raw)))

    @property
    def key(self) -> str:
        """What uniqueness is decided on: the case-folded title."""
        return self.value.casefold()


@dataclass(frozen=True, slots=True)
class Description:
    value: str

    def __post_init__(self) -> None:
        text = self.value
        if not (1 <= len(text) <= Limits.DESCRIPTION_MAX) or not text.strip():
            raise DescriptionInvalid(field="description")
        if not is_clean_text(text):
            raise DescriptionInvalid(field="description")


def parse_genre(raw: str) -> Genre:
    try:
        return Genre(trimmed(raw))
    except ValueError:
        raise GenreInvalid(field="genre") from None


def parse_category(raw: str) -> Category:
    try:
        return Category(trimmed(raw))
    except ValueError:
        raise CategoryInvalid(field="category") from None


@dataclass(frozen=True, slots=True)
class Capacity:
    value: int

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not (
            Limits.CAPACITY_MIN <= self.value <= Limits.CAPACITY_MAX
        ):
            raise CapacityInvalid(field="slots")


@dataclass(frozen=True, slots=True)
class SlotSpec:
    """What a leader asks for: a category and how many people it takes."""

    category: Category
    capacity: Capacity


def slot_specs(raw: Iterable[tuple[str, int]]) -> tuple[SlotSpec, ...]:
    """Validate a requested set of slots: 1–18 of them, distinct categories, capacity 1–10."""
    specs: list[SlotSpec] = []
    for category, capacity in raw:
        # ``category`` in the context names the slot a refusal concerns (a form shows it
        # beside that row).
        try:
            specs.append(SlotSpec(parse_category(category), Capacity(capacity)))
        except CategoryInvalid:
            raise CategoryInvalid(field="slots", category=category) from None
        except CapacityInvalid:
            raise CapacityInvalid(field="slots", category=category) from None
    if not (Limits.SLOTS_MIN <= len(specs) <= Limits.SLOTS_MAX):
        raise InvalidValue(field="slots")
    seen: set[Category] = set()
    for spec in specs:
        if spec.category in seen:
            raise CategoryInvalid(field="slots", category=spec.category.value)
        seen.add(spec.category)
    return tuple(specs)


@dataclass(slots=True)
class Slot:
    category: Category
    capacity: int
    filled: int = 0

    @property
    def has_room(self) -> bool:
        return self.filled < self.capacity

    def take(self) -> None:
        """One more member. The SQL adapter backs this with ``UPDATE … WHERE filled < capacity``."""
        if not self.has_room:
            raise SlotFull()
        self.filled += 1

    def release(self) -> None:
        if self.filled > 0:
            self.filled -= 1


@dataclass(slots=True)
class NewTeam:
    """A team and its rules, before it is stored (so without an id); ``Team`` is the stored one."""

    title: Title
    genre: Genre
    description: Description
    leader_id: int
    term: Term
    created_at: datetime
    updated_at: datetime
    slots: dict[Category, Slot]
    links: Links = field(default_factory=Links)
    image_url: str | None = None
    image_thumbnail_url: str | None = None
    status: TeamStatus = TeamStatus.PENDING
    recruit_until: datetime | None = None
    like_count: int = 0
    view_count: int = 0

    @classmethod
    def open(
        cls,
        *,
        leader_id: int,
        title: Title,
        genre: Genre,
        description: Description,
        slots: tuple[SlotSpec, ...],
        links: Links,
        now: datetime,
        term: Term | None = None,
        recruit_until: datetime | None = None,
    ) -> NewTeam:
        """A new team waits for an officer's approval."""
        ensure_deadline_ahead(recruit_until, now)
        return NewTeam(
            title=title,
            genre=genre,
            description=description,
            leader_id=leader_id,
            term=term or Term.at(now),
            created_at=now,
            updated_at=now,
            slots={spec.category: Slot(spec.category, spec.capacity.value) for spec in slots},
            links=links,
            recruit_until=recruit_until.astimezone(UTC) if recruit_until else None,
        )

    # Who may see and change it
    def is_visible_to(self, actor: Actor | None) -> bool:
        return team_visible(self.status, self.leader_id, actor)

    def ensure_visible_to(self, actor: Actor | None) -> None:
        if not self.is_visible_to(actor):
            raise TeamNotFound()

    def ensure_leader(self, actor: Actor) -> None:
        self.ensure_visible_to(actor)
        if actor.member_id != self.leader_id:
            raise LeaderOnly()

    def ensure_leader_or_officer(self, actor: Actor) -> None:
        self.ensure_visible_to(actor)
        if actor.member_id != self.leader_id and not actor.is_officer:
            raise LeaderOnly()

    # Life cycle
    def ensure_pending(self) -> None:
        """Officers decide (approve or reject) only a team that waits for them."""
        if self.status is not TeamStatus.PENDING:
            raise TeamNotPending()

    def approve(self, now: datetime) -> None:
        if self.status is not TeamStatus.PENDING:
            raise TeamNotRecruiting()
        self.status, self.updated_at = TeamStatus.RECRUITING, now

    def complete(self, now: datetime) -> None:
        if self.status is not TeamStatus.RECRUITING:
            raise TeamNotRecruiting()
        self.status, self.updated_at = TeamStatus.COMPLETED, now

    def is_recruitment_closed(self, now: datetime) -> bool:
        return recruitment_closed(self.recruit_until, now)

    def ensure_takes_applications(self, now: datetime) -> None:
        if self.status is not TeamStatus.RECRUITING:
            raise TeamNotRecruiting()
        if self.is_recruitment_closed(now):
            raise RecruitmentClosed()

    # Slots
    def slot(self, category: Category) -> Slot:
        try:
            return self.slots[category]
        except KeyError:
            raise CategoryInvalid(field="category") from None

    def admit(self, category: Category) -> None:
        """A new member takes a place in the slot of ``category``: never more than its capacity
        (``application.slot_full``, also when the slot has gone since they applied). The
        repository backs this with the guarded ``UPDATE … WHERE filled < capacity``."""
        slot = self.slots.get(category)
        if slot is None:
            raise SlotFull()
        slot.take()

    def replace_slots(self, specs: tuple[SlotSpec, ...], now: datetime) -> None:
        """Replace the set of slots, matched by category; members keep their places."""
        wanted = {spec.category: spec.capacity.value for spec in specs}
        for category, slot in self.slots.items():
            if category not in wanted and slot.filled > 0:
                raise SlotInUse(field="slots", category=category.value)
            if category in wanted and wanted[category] < slot.filled:
                raise CapacityBelowFilled(field="slots", category=category.value)
        self.slots = {
            category: Slot(
                category, capacity, self.slots[category].filled if category in self.slots else 0
            )
            for category, capacity in wanted.items()
        }
        self.updated_at = now

    def edit(
        self,
        *,
        now: datetime,
        title: Title | None = None,
        genre: Genre | None = None,
        description: Description | None = None,
        links: Links | None = None,
        recruit_until: datetime | None = None,
        clear_recruit_until: bool = False,
    ) -> None:
        if recruit_until is not None:
            ensure_deadline_ahead(recruit_until, now)
            self.recruit_until = recruit_until.astimezone(UTC)
        elif clear_recruit_until:
            self.recruit_until = None
        self.title = title or self.title
        self.genre = genre or self.genre
        self.description = description or self.description
        self.links = links if links is not None else self.links
        self.updated_at = now

    def stored(self, id: int) -> Team:
        return Team(**new_fields(self), id=id)


@dataclass(slots=True, kw_only=True)
class Team(NewTeam):
    """A stored team."""

    id: int


def counts_views(status: TeamStatus) -> bool:
    """Only recruiting and completed teams count views (SPEC §2): teams everyone can see."""
    return status is not TeamStatus.PENDING


def team_visible(status: TeamStatus, leader_id: int, actor: Actor | None) -> bool:
    """Everyone sees recruiting and completed teams; a pending one, its leader and officers."""
    if status is not TeamStatus.PENDING:
        return True
    return actor is not None and (actor.member_id == leader_id or actor.is_officer)


MAX_DEADLINE_AHEAD = timedelta(days=366)


def recruitment_closed(recruit_until: datetime | None, now: datetime) -> bool:
    """The one statement of a deadline: from ``recruit_until`` on, a team takes no
    applications (and reads as closed)."""
    return recruit_until is not None and now >= recruit_until


def ensure_deadline_ahead(recruit_until: datetime | None, now: datetime) -> None:
    """A deadline carries a time zone, lies ahead, and within a year (a semester's business)."""
    if recruit_until is None:
        return
    if recruit_until.tzinfo is None or recruit_until.utcoffset() is None:
        raise InvalidValue(field="recruit_until")
    try:
        in_range = now < recruit_until <= now + MAX_DEADLINE_AHEAD
    except OverflowError:
        in_range = False
    if not in_range:
        raise InvalidValue(field="recruit_until")


@dataclass(slots=True)
class TeamMember:
    """A person in a team: the leader (no slot) or a member holding a place in one slot."""

    team_id: int
    member_id: int
    role: TeamRole
    category: Category | None
    joined_at: datetime

    @property
    def is_leader(self) -> bool:
        return self.role is TeamRole.LEADER


def find_member(members: Iterable[TeamMember], member_id: int) -> TeamMember:
    for member in members:
        if member.member_id == member_id:
            return member
    raise NotTeamMember()


def ensure_can_leave(membership: TeamMember) -> None:
    if membership.is_leader:
        raise LeaderCannotLeave()


def hand_over(team: Team, leader: TeamMember, heir: TeamMember) -> None:
    """The heir leads; the old leader takes the heir's slot. Slot counts do not change."""
    if heir.is_leader or heir.member_id == leader.member_id:
        raise InvalidValue(field="member_id")
    leader.role, heir.role = TeamRole.MEMBER, TeamRole.LEADER
    leader.category, heir.category = heir.category, None
    team.leader_id = heir.member_id


def successor(members: Iterable[TeamMember]) -> TeamMember | None:
    """Who leads a team whose leader is expelled: its longest-standing member, if any."""
    candidates = [m for m in members if not m.is_leader]
    return min(candidates, key=lambda m: (m.joined_at, m.member_id), default=None)
