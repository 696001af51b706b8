"""The import's decisions: old rows in, our entities and a report line for every row that
is not imported as it was. Pure: no I/O, so every rule has a unit test with plain data
(tests/unit/application/test_legacy_mapping.py). docs/legacy-import.md lists the rules."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from wap.application.legacy.plan import ImportPlan, Like, OldImage, Report
from wap.application.legacy.records import (
    LegacySnapshot,
    OldApplication,
    OldMember,
    OldSlot,
    OldSocialAccount,
    OldTeam,
    OldTeamUser,
)
from wap.application.media.ports import ImageKind
from wap.domain.applications import Application, ApplicationStatus, Message
from wap.domain.catalog import DEFAULT_BIO, Category, Genre, Limits
from wap.domain.errors import WapError
from wap.domain.members import (
    Bio,
    Member,
    MemberStatus,
    Name,
    Role,
    StudentNumber,
    TechStack,
    parse_position,
)
from wap.domain.teams import (
    Description,
    Slot,
    Team,
    TeamMember,
    TeamRole,
    TeamStatus,
    Title,
    parse_category,
)
from wap.domain.terms import KST, Term
from wap.domain.values import Links, is_clean_text, is_http_url, is_one_line, one_line, trimmed

LEADER_TECH = "팀장"
FULL_IMAGE, THUMBNAIL_IMAGE = "image.jpg", "thumnail.jpg"  # sic: the old service's spelling
NO_DESCRIPTION = "(설명 없음)"
# GitHub's rule for logins: letters, digits and single inner hyphens, at most 39 characters.
GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")


def kst_to_utc(naive: datetime) -> datetime:
    """The old service's naive Korea Standard Time as the aware UTC moment we store."""
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=KST).astimezone(UTC)


def known_utc(naive: datetime | None) -> datetime | None:
    """``kst_to_utc``, or None for a column that held no valid date (a zero date reaches us
    as None; ``0001-01-01 00:00`` KST has no UTC moment a ``datetime`` can hold)."""
    if naive is None:
        return None
    try:
        return kst_to_utc(naive)
    except (OverflowError, ValueError):
        return None


def decode_list(raw: bytes | str | None) -> tuple[list[str], list[str]]:
    """A comma-joined list column: its items (trimmed, empty ones left out) and what was
    off about it (empty items, bytes that are not UTF-8), for the report."""
    if raw is None:
        return [], []
    problems: list[str] = []
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            problems.append("bytes that are not UTF-8 (replaced)")
    else:
        text = raw
    if not text.strip():
        return [], problems
    parts = [trimmed(part) for part in text.split(",")]
    items = [part for part in parts if part]
    if len(items) != len(parts):
        problems.append(f"{len(parts) - len(items)} empty item(s)")
    return items, problems


def decode_text(raw: bytes | str | None) -> tuple[str, list[str]]:
    if raw is None:
        return "", []
    if isinstance(raw, str):
        return raw, []
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), ["bytes that are not UTF-8 (replaced)"]


def old_image(url: str | None) -> tuple[str | None, str | None, str | None]:
    """An old ``image`` column as (full-size URL, thumbnail URL, S3 folder URL):
    a GitHub avatar is kept as it is (no thumbnail, nothing to copy); an S3 folder gets the
    old service's file names appended; ``…/default`` and empty mean no image."""
    value = (url or "").strip()
    if not value:
        return None, None, None
    if "github" in value:
        return (value, None, None) if is_http_url(value, 500) else (None, None, None)
    folder = value.rstrip("/")
    if folder.rsplit("/", 1)[-1] == "default" or not is_http_url(folder, 480):
        return None, None, None
    folder += "/"
    return folder + FULL_IMAGE, folder + THUMBNAIL_IMAGE, folder


def clean_items(
    items: Iterable[str], *, keep: int, valid: Iterable[str] | None = None
) -> tuple[list[str], list[str]]:
    """Items in order, repeats (case-insensitive) left out, at most ``keep``: kept, dropped."""
    allowed = set(valid) if valid is not None else None
    kept: list[str] = []
    dropped: list[str] = []
    seen: set[str] = set()
    for item in items:
        key = item.casefold()
        if allowed is not None and item not in allowed:
            dropped.append(item)
        elif key in seen:
            continue
        elif len(kept) >= keep:
            dropped.append(item)
        else:
            seen.add(key)
            kept.append(item)
    return kept, dropped


def _tech_items(items: list[str]) -> tuple[list[str], list[str]]:
    valid = [i for i in items if 1 <= len(i) <= Limits.TECH_STACK_ITEM_MAX and is_one_line(i)]
    return clean_items(items, keep=Limits.TECH_STACK_MAX_ITEMS, valid=valid)


def _link_items(items: list[str]) -> tuple[list[str], list[str]]:
    valid = [i for i in items if is_http_url(i)]
    return clean_items(items, keep=Limits.LINKS_MAX, valid=valid)


def _shown(items: list[str]) -> str:
    return ", ".join(repr(i[:40]) for i in items)


def _clean_multiline(text: str) -> str:
    """Multi-line text with what our rules refuse taken out (controls other than line breaks
    and tabs, bidi controls)."""
    return "".join(ch for ch in text if is_clean_text(ch))


class _Planner:
    def __init__(self, snapshot: LegacySnapshot, now: datetime) -> None:
        self.old = snapshot
        self.now = now
        self.plan = ImportPlan()
        self.report: Report = self.plan.report
        self.members: dict[int, Member] = {}
        self.teams: dict[int, Team] = {}
        self.slot_rows: dict[tuple[int, Category], OldSlot] = {}
        # Which team_teamuser row a planned membership came from (for the report).
        self.entry_row: dict[int, int] = {}

    def moment(
        self,
        table: str,
        id: int,
        column: str,
        value: datetime | None,
        fallbacks: list[tuple[str, datetime | None]],
        last: tuple[str, datetime],
    ) -> datetime:
        """An old ``DATETIME`` column as our UTC moment. A zero (or otherwise invalid) date is
        no reason to stop the import or to drop the row: the first known of ``fallbacks``
        (then ``last``) stands in for it, and the report says which."""
        found = known_utc(value)
        if found is not None:
            return found
        for name, other in [*fallbacks, last]:
            if other is not None:
                self.report.change(
                    table,
                    id,
                    f"{column} holds no valid date (0000-00-00 or the like)",
                    f"{name} used",
                )
                return other
        raise AssertionError("unreachable: last is always a moment")

    # Members
    def identity(
        self, old: OldMember, social: OldSocialAccount | None
    ) -> tuple[int | None, str | None, str | None]:
        """GitHub id, login and avatar: allauth's account where there is one, else the
        ``social_id`` column and the e-mail's local part."""
        github_id: int | None = old.social_id
        login: str | None = None
        avatar: str | None = None
        if social is not None:
            uid = social.uid.strip()
            if uid.isascii() and uid.isdigit() and 0 < int(uid) < 2**63:
                if old.social_id is not None and old.social_id != int(uid):
                    self.report.change(
                        "user_customuser",
                        old.id,
                        f"social_id {old.social_id} differs from allauth's uid {uid}",
                        "allauth's GitHub id used",
                    )
                github_id = int(uid)
            extra = social.extra_data or {}
            candidate = extra.get("login")
            if isinstance(candidate, str) and GITHUB_LOGIN.fullmatch(candidate):
                login = candidate
            picture = extra.get("avatar_url")
            if isinstance(picture, str) and is_http_url(picture, 500):
                avatar = picture
        if login is None:
            local = (old.email or "").strip().partition("@")[0]
            login = local if GITHUB_LOGIN.fullmatch(local) else None
        if github_id is not None and github_id <= 0:
            github_id = None
        return github_id, login, avatar

    def plan_members(self) -> None:
        socials: dict[int, OldSocialAccount] = {}
        for account in sorted(self.old.social_accounts, key=lambda a: a.id):
            if account.provider == "github":
                socials.setdefault(account.user_id, account)
        github_ids: dict[int, int] = {}
        student_numbers: dict[str, int] = {}
        for old in sorted(self.old.members, key=lambda m: m.id):
            self.report.read("user_customuser")
            member = self.member(old, socials.get(old.id), github_ids, student_numbers)
            if member is None:
                continue
            github_ids[member.github_id] = member.id
            if member.student_number is not None:
                student_numbers[member.student_number.value] = member.id
            self.members[member.id] = member
            self.plan.members.append(member)
            self.report.imported("user_customuser")
        for table, blobs in (("user_usertech", self.old.techs), ("user_userurls", self.old.urls)):
            for user_id in sorted(blobs):
                self.report.read(table)
                if user_id in self.members:
                    self.report.imported(table)
                else:
                    self.report.skip(table, user_id, f"member {user_id} not imported")

    def member(
        self,
        old: OldMember,
        social: OldSocialAccount | None,
        github_ids: dict[int, int],
        student_numbers: dict[str, int],
    ) -> Member | None:
        table, skip = "user_customuser", self.report.skip
        github_id, login, avatar = self.identity(old, social)
        if github_id is None:
            skip(table, old.id, "no GitHub id (GitHub sign-in never finished)")
            return None
        if login is None:
            skip(table, old.id, f"no GitHub login in allauth's data or the e-mail {old.email!r}")
            return None
        if old.student_num is None or old.position is None:
            skip(table, old.id, "sign-up not finished (no student number or position)")
            return None
        try:
            name = Name.of(old.name)
        except WapError:
            skip(table, old.id, f"name {old.name!r} breaks our rule (2–12 Hangul or Latin letters)")
            return None
        try:
            number = StudentNumber.of(old.student_num)
        except WapError:
            skip(table, old.id, f"student number {old.student_num!r} is not 7–10 digits")
            return None
        try:
            position = parse_position(old.position)
        except WapError:
            skip(table, old.id, f"position {old.position!r} is none of ours")
            return None
        if github_id in github_ids:
            skip(table, old.id, f"GitHub id {github_id} is member {github_ids[github_id]}'s too")
            return None
        if number.value in student_numbers:
            owner = student_numbers[number.value]
            skip(table, old.id, f"student number {number.value} is member {owner}'s too")
            return None
        full, thumbnail, folder = old_image(old.image)
        if full is None and avatar is not None and not (old.image or "").strip():
            full = avatar
        if folder is not None:
            self.plan.images.append(OldImage(ImageKind.AVATAR, old.id, folder))
        if old.is_staff and old.is_active:
            status, role = MemberStatus.APPROVED, Role.OFFICER
            if not old.is_approved:
                self.report.change(
                    table, old.id, "is_staff but not is_approved", "approved officer"
                )
        elif old.is_approved and old.is_active:
            status, role = MemberStatus.APPROVED, Role.MEMBER
        else:
            status, role = MemberStatus.PENDING, Role.MEMBER
            if not old.is_active:
                self.report.change(
                    table, old.id, "account disabled (is_active = 0)", "pending: an officer decides"
                )
        created = self.moment(
            table,
            old.id,
            "created_at",
            old.created_at,
            [("updated_at", known_utc(old.updated_at))],
            ("the import's time", self.now),
        )
        return Member(
            id=old.id,
            github_id=github_id,
            github_login=login,
            created_at=created,
            avatar_url=full,
            avatar_thumbnail_url=thumbnail,
            # The old e-mail is <login>@github.com, no verified contact address: none is
            # kept, and e-mail copies stay off until the member gives one.
            email=None,
            notify_email=False,
            name=name,
            student_number=number,
            position=position,
            bio=self.bio(old),
            tech_stack=TechStack(tuple(self.list_column(old.id, "user_usertech"))),
            links=Links(tuple(self.list_column(old.id, "user_userurls"))),
            status=status,
            role=role,
        )

    def bio(self, old: OldMember) -> Bio:
        text = old.explain if old.explain is not None else DEFAULT_BIO
        if not text.strip():
            return Bio()
        try:
            return Bio(text)
        except WapError:
            cleaned = _clean_multiline(text)[: Limits.BIO_MAX]
            self.report.change(
                "user_customuser",
                old.id,
                "explain breaks our bio rule",
                "control characters removed",
            )
            return Bio(cleaned) if cleaned.strip() else Bio()

    def list_column(self, user_id: int, table: str) -> list[str]:
        blobs = self.old.techs if table == "user_usertech" else self.old.urls
        items, problems = decode_list(blobs.get(user_id))
        kept, dropped = _tech_items(items) if table == "user_usertech" else _link_items(items)
        if dropped:
            problems.append(f"invalid or surplus item(s) {_shown(dropped)}")
        if problems:
            self.report.change(table, user_id, "; ".join(problems), f"kept {len(kept)} item(s)")
        if table == "user_usertech":
            return list(TechStack.of(kept).items)
        return kept

    # Teams
    def plan_teams(self) -> None:
        title_keys: dict[str, int] = {}
        for old in sorted(self.old.teams, key=lambda t: t.id):
            self.report.read("team_team")
            team = self.team(old, title_keys)
            if team is None:
                continue
            title_keys[team.title.key] = team.id
            self.teams[team.id] = team
            self.plan.teams.append(team)
            self.report.imported("team_team")

    def team(self, old: OldTeam, title_keys: dict[str, int]) -> Team | None:
        table = "team_team"
        leader = self.members.get(old.leader_id)
        if leader is None:
            self.report.skip(table, old.id, f"leader member {old.leader_id} not imported")
            return None
        created = self.moment(
            table,
            old.id,
            "created_at",
            old.created_at,
            [("updated_at", known_utc(old.updated_at))],
            (f"leader member {leader.id}'s created_at", leader.created_at),
        )
        try:
            term = Term.at(created)
        except WapError:
            self.report.skip(table, old.id, f"created_at {old.created_at} is in no term of ours")
            return None
        updated = self.moment(
            table, old.id, "updated_at", old.updated_at, [], ("created_at", created)
        )
        if not leader.is_approved:
            self.report.note(
                table, old.id, f"leader member {leader.id} is not approved", "imported as it is"
            )
        title = self.title(old, title_keys)
        try:
            genre = Genre(trimmed(old.genre))
        except ValueError:
            genre = Genre.WEB
            self.report.change(table, old.id, f"genre {old.genre!r} is none of ours", "웹")
        links_raw, problems = decode_list(old.url)
        links, dropped = _link_items(links_raw)
        if dropped:
            problems.append(f"invalid or surplus link(s) {_shown(dropped)}")
        if problems:
            self.report.change(table, old.id, "url: " + "; ".join(problems), f"kept {len(links)}")
        full, thumbnail, folder = old_image(old.image)
        if folder is not None:
            self.plan.images.append(OldImage(ImageKind.TEAM, old.id, folder))
        if old.is_accomplished:
            status = TeamStatus.COMPLETED
            if not old.is_approved:
                self.report.change(
                    table, old.id, "is_accomplished but not is_approved", "completed"
                )
        elif old.is_approved:
            status = TeamStatus.RECRUITING
        else:
            status = TeamStatus.PENDING
        view = old.view
        if view < 0:
            view = 0
            self.report.change(table, old.id, f"view {old.view} is negative", "0")
        return Team(
            id=old.id,
            title=title,
            genre=genre,
            description=self.description(old),
            leader_id=leader.id,
            term=term,
            created_at=created,
            updated_at=max(updated, created),
            slots={},
            links=Links(tuple(links)),
            image_url=full,
            image_thumbnail_url=thumbnail,
            status=status,
            view_count=view,
        )

    def title(self, old: OldTeam, title_keys: dict[str, int]) -> Title:
        try:
            title = Title.of(old.title)
        except WapError:
            fixed = one_line(old.title)[: Limits.TITLE_MAX].strip() or f"팀 {old.id}"
            title = Title.of(fixed)
            self.report.change(
                "team_team", old.id, f"title {old.title!r} breaks our rule", repr(fixed)
            )
        if title.key in title_keys:
            suffix = f" ({old.id})"
            renamed = Title.of(title.value[: Limits.TITLE_MAX - len(suffix)].rstrip() + suffix)
            self.report.change(
                "team_team",
                old.id,
                f"title {title.value!r} differs only in case from team {title_keys[title.key]}'s",
                f"renamed {renamed.value!r}",
            )
            title = renamed
        return title

    def description(self, old: OldTeam) -> Description:
        text, problems = decode_text(old.explain)
        text = unicodedata.normalize("NFC", text)
        try:
            description = Description(text)
        except WapError:
            pass
        else:
            if problems:
                self.report.change("team_team", old.id, "explain: " + ", ".join(problems), "kept")
            return description
        cleaned = _clean_multiline(text)
        if len(cleaned) > Limits.DESCRIPTION_MAX:
            problems.append(f"{len(cleaned)} characters")
            cleaned = cleaned[: Limits.DESCRIPTION_MAX]
        if not cleaned.strip():
            problems.append("empty")
            cleaned = NO_DESCRIPTION
        elif cleaned != text and len(cleaned) <= Limits.DESCRIPTION_MAX:
            problems.append("control characters")
        self.report.change(
            "team_team",
            old.id,
            "explain: " + ", ".join(problems or ["breaks our rule"]),
            "cut to our rule" if cleaned != NO_DESCRIPTION else repr(NO_DESCRIPTION),
        )
        return Description(cleaned)

    # Slots and members
    def plan_slots(self) -> None:
        table = "team_teamtech"
        for row in sorted(self.old.slots, key=lambda s: s.id):
            self.report.read(table)
            team = self.teams.get(row.team_id)
            if team is None:
                self.report.skip(table, row.id, f"team {row.team_id} not imported")
                continue
            try:
                category = parse_category(row.tech)
            except WapError:
                self.report.skip(table, row.id, f"tech {row.tech!r} is none of our categories")
                continue
            capacity = row.need_num
            if not (Limits.CAPACITY_MIN <= capacity <= Limits.CAPACITY_MAX):
                capacity = min(max(capacity, Limits.CAPACITY_MIN), Limits.CAPACITY_MAX)
                self.report.change(
                    table, row.id, f"need_num {row.need_num} outside 1–10", f"capacity {capacity}"
                )
            existing = team.slots.get(category)
            if existing is not None:
                first = self.slot_rows[(team.id, category)]
                merged = min(existing.capacity + capacity, Limits.CAPACITY_MAX)
                self.report.skip(
                    table,
                    row.id,
                    f"second {category.value} slot of team {team.id} (first: row {first.id})",
                    f"merged into row {first.id}: capacity {existing.capacity}+{capacity}"
                    f" → {merged}",
                )
                existing.capacity = merged
                continue
            team.slots[category] = Slot(category, capacity)
            self.slot_rows[(team.id, category)] = row
            self.plan.row_teams[table].append(team.id)
            self.report.imported(table)

    def plan_team_members(self) -> None:
        table = "team_teamuser"
        accepted_at: dict[tuple[int, int], datetime] = {}
        for app in self.old.applications:
            decided = known_utc(app.updated_at) or known_utc(app.created_at)
            if app.is_approved and decided is not None:
                accepted_at[(app.team_id, app.user_id)] = decided
        in_slots: dict[tuple[int, Category], list[TeamMember]] = defaultdict(list)
        has_leader: set[int] = set()
        seen: set[tuple[int, int]] = set()
        for row in sorted(self.old.team_users, key=lambda r: r.id):
            self.report.read(table)
            entry = self.team_member(row, accepted_at, has_leader, seen)
            if entry is None:
                continue
            seen.add((row.team_id, row.user_id))
            if entry.category is None:
                has_leader.add(entry.team_id)
            else:
                in_slots[(entry.team_id, entry.category)].append(entry)
            self.entry_row[id(entry)] = row.id
            self.plan.team_members.append(entry)
            self.plan.row_teams[table].append(entry.team_id)
            self.report.imported(table)
        for team in self.teams.values():
            if team.id not in has_leader:
                self.report.change(
                    "team_team",
                    team.id,
                    f"no 팀장 row for its leader member {team.leader_id}",
                    "leader membership added",
                )
                self.plan.team_members.append(
                    TeamMember(team.id, team.leader_id, TeamRole.LEADER, None, team.created_at)
                )
        self.fill_slots(in_slots)

    def team_member(
        self,
        row: OldTeamUser,
        accepted_at: dict[tuple[int, int], datetime],
        has_leader: set[int],
        seen: set[tuple[int, int]],
    ) -> TeamMember | None:
        table, skip = "team_teamuser", self.report.skip
        team = self.teams.get(row.team_id)
        if team is None:
            skip(table, row.id, f"team {row.team_id} not imported")
            return None
        member = self.members.get(row.user_id)
        if member is None:
            skip(table, row.id, f"member {row.user_id} not imported")
            return None
        if (row.team_id, row.user_id) in seen:
            skip(table, row.id, f"member {row.user_id} has another row in team {row.team_id}")
            return None
        tech = trimmed(row.tech)
        if row.user_id == team.leader_id:
            if tech != LEADER_TECH:
                skip(
                    table,
                    row.id,
                    f"the leader's row names slot {tech!r}; a leader takes no slot",
                    "dropped (the leader stays leader)",
                )
                return None
            return TeamMember(team.id, member.id, TeamRole.LEADER, None, team.created_at)
        if tech == LEADER_TECH:
            skip(
                table,
                row.id,
                f"팀장 row names member {row.user_id}, the team's leader_id {team.leader_id}",
                "dropped (leader_id decides the leader)",
            )
            return None
        try:
            category = parse_category(tech)
        except WapError:
            skip(table, row.id, f"tech {row.tech!r} is none of our categories")
            return None
        if not member.is_approved:
            self.report.note(table, row.id, f"member {member.id} is not approved", "imported")
        joined = accepted_at.get((team.id, member.id), team.created_at)
        return TeamMember(
            team.id, member.id, TeamRole.MEMBER, category, max(joined, team.created_at)
        )

    def fill_slots(self, in_slots: dict[tuple[int, Category], list[TeamMember]]) -> None:
        dropped: set[int] = set()
        for (team_id, category), people in sorted(in_slots.items()):
            team = self.teams[team_id]
            slot = team.slots.get(category)
            row = self.slot_rows.get((team_id, category))
            if slot is None:
                slot = team.slots[category] = Slot(category, min(len(people), Limits.CAPACITY_MAX))
                self.report.change(
                    "team_team",
                    team_id,
                    f"members in {category.value} but no such slot in team_teamtech",
                    f"slot added with capacity {slot.capacity}",
                )
            if len(people) > Limits.CAPACITY_MAX:
                for extra in people[Limits.CAPACITY_MAX :]:
                    dropped.add(id(extra))
                    self.report.skip(
                        "team_teamuser",
                        self.entry_row.get(id(extra), 0),
                        f"slot {category.value} of team {team_id} holds more than "
                        f"{Limits.CAPACITY_MAX}",
                        "dropped (the latest rows)",
                    )
                    self.report.totals["team_teamuser"].imported -= 1
                    self.plan.row_teams["team_teamuser"].remove(team_id)
                people = people[: Limits.CAPACITY_MAX]
            slot.filled = len(people)
            if slot.filled > slot.capacity:
                self.report.change(
                    "team_teamtech",
                    row.id if row else 0,
                    f"{slot.filled} members in a slot of capacity {slot.capacity} (overbooked)",
                    f"capacity raised to {slot.filled}, every member kept",
                )
                slot.capacity = slot.filled
        self.plan.team_members = [m for m in self.plan.team_members if id(m) not in dropped]
        for (team_id, category), row in self.slot_rows.items():
            filled = self.teams[team_id].slots[category].filled
            if row.current_num != filled:
                self.report.note(
                    "team_teamtech",
                    row.id,
                    f"current_num {row.current_num} but {filled} member(s) in team_teamuser",
                    f"filled {filled}",
                )
        for team in self.teams.values():
            if not team.slots:
                self.report.note("team_team", team.id, "no slots", "imported without slots")

    # Applications and likes
    def plan_applications(self) -> None:
        table, skip = "team_teamapply", self.report.skip
        members_of = {(m.team_id, m.member_id) for m in self.plan.team_members}
        pending: dict[tuple[int, int], int] = {}
        for row in sorted(self.old.applications, key=lambda a: a.id):
            self.report.read(table)
            team = self.teams.get(row.team_id)
            if team is None:
                skip(table, row.id, f"team {row.team_id} not imported")
                continue
            if row.user_id not in self.members:
                skip(table, row.id, f"member {row.user_id} not imported")
                continue
            try:
                category = parse_category(row.tech)
            except WapError:
                skip(table, row.id, f"tech {row.tech!r} is none of our categories")
                continue
            key = (row.team_id, row.user_id)
            if not row.is_approved:
                if key in members_of:
                    skip(table, row.id, "pending, but the member is already in the team")
                    continue
                if category not in team.slots:
                    skip(table, row.id, f"pending for {category.value}, no such slot")
                    continue
                if key in pending:
                    skip(
                        table,
                        row.id,
                        f"a second pending application to the team (first: {pending[key]})",
                    )
                    continue
                pending[key] = row.id
            self.plan.applications.append(self.application(row, category, team))
            self.report.imported(table)

    def application(self, row: OldApplication, category: Category, team: Team) -> Application:
        try:
            message = Message.of(row.bio)
        except WapError:
            message = Message.of(one_line(row.bio or "")[:200])
            self.report.change(
                "team_teamapply", row.id, "bio breaks our message rule", "made one line"
            )
        table = "team_teamapply"
        created = self.moment(
            table,
            row.id,
            "created_at",
            row.created_at,
            [("updated_at", known_utc(row.updated_at))],
            (f"team {team.id}'s created_at", team.created_at),
        )
        decided: datetime | None = None
        if row.is_approved:
            decided = self.moment(
                table, row.id, "updated_at", row.updated_at, [], ("created_at", created)
            )
        status = ApplicationStatus.ACCEPTED if row.is_approved else ApplicationStatus.PENDING
        return Application(
            id=row.id,
            team_id=row.team_id,
            member_id=row.user_id,
            category=category,
            message=message,
            created_at=created,
            status=status,
            decided_at=max(decided, created) if decided is not None else None,
        )

    def plan_likes(self) -> None:
        table = "team_likes"
        counts: dict[int, int] = defaultdict(int)
        seen: set[tuple[int, int]] = set()
        for row in sorted(self.old.likes, key=lambda r: r.id):
            self.report.read(table)
            if row.team_id not in self.teams:
                self.report.skip(table, row.id, f"team {row.team_id} not imported")
                continue
            if row.user_id not in self.members:
                self.report.skip(table, row.id, f"member {row.user_id} not imported")
                continue
            if (row.team_id, row.user_id) in seen:
                self.report.skip(table, row.id, "a second like of the same member")
                continue
            seen.add((row.team_id, row.user_id))
            counts[row.team_id] += 1
            team = self.teams[row.team_id]
            liked = self.moment(
                table,
                row.id,
                "created_at",
                row.created_at,
                [],
                ("the team's created_at", team.created_at),
            )
            self.plan.likes.append(Like(row.team_id, row.user_id, liked))
            self.plan.row_teams[table].append(row.team_id)
            self.report.imported(table)
        old_like = {t.id: t.like for t in self.old.teams}
        for team in self.teams.values():
            team.like_count = counts[team.id]
            if old_like[team.id] != team.like_count:
                self.report.note(
                    "team_team",
                    team.id,
                    f"like {old_like[team.id]} but {team.like_count} row(s) in team_likes",
                    f"like_count {team.like_count}",
                )


def plan_import(snapshot: LegacySnapshot, now: datetime | None = None) -> ImportPlan:
    """Every decision of the import, in the order the old rows depend on each other.
    ``now`` (the import's time) stands in for a member's creation time that the old row has
    no valid date for, not even in ``updated_at``."""
    planner = _Planner(snapshot, now or datetime.now(UTC))
    planner.plan_members()
    planner.plan_teams()
    planner.plan_slots()
    planner.plan_team_members()
    planner.plan_applications()
    planner.plan_likes()
    return planner.plan
