"""What an import will write, and the report of every row not imported as it was."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wap.application.media.ports import ImageKind
from wap.domain.applications import Application
from wap.domain.members import Member
from wap.domain.teams import Team, TeamMember

# The old tables, in the order the report lists them.
TABLES = (
    "user_customuser",
    "user_usertech",
    "user_userurls",
    "team_team",
    "team_teamtech",
    "team_teamuser",
    "team_teamapply",
    "team_likes",
)


@dataclass(frozen=True, slots=True)
class ReportLine:
    table: str
    id: int
    reason: str
    action: str

    def __str__(self) -> str:
        return f"{self.table} {self.id}: {self.reason} → {self.action}"


@dataclass(slots=True)
class Totals:
    read: int = 0
    imported: int = 0  # planned for writing (or written); includes rows already present
    skipped: int = 0
    changed: int = 0  # imported, but not as it was (a report line says how)
    present: int = 0  # already in our database from an earlier run: left as it is


@dataclass(slots=True)
class Report:
    lines: list[ReportLine] = field(default_factory=list)
    totals: dict[str, Totals] = field(default_factory=lambda: {t: Totals() for t in TABLES})
    error: str | None = None
    changed_rows: set[tuple[str, int]] = field(default_factory=set)
    # Warnings about the import as a whole rather than a row (no officer among the members).
    notices: list[str] = field(default_factory=list)
    # The commit raised and our database could not be asked afterwards whether it happened.
    maybe_written: bool = False

    def read(self, table: str, count: int = 1) -> None:
        self.totals[table].read += count

    def imported(self, table: str) -> None:
        self.totals[table].imported += 1

    def skip(self, table: str, id: int, reason: str, action: str = "skipped") -> None:
        self.totals[table].skipped += 1
        self.lines.append(ReportLine(table, id, reason, action))

    def change(self, table: str, id: int, reason: str, action: str) -> None:
        """The row is imported, changed as ``action`` says. Counted once per row."""
        if (table, id) not in self.changed_rows:
            self.changed_rows.add((table, id))
            self.totals[table].changed += 1
        self.lines.append(ReportLine(table, id, reason, action))

    def note(self, table: str, id: int, reason: str, action: str) -> None:
        """A line that changes no total (a row dropped from a list, a recomputed count)."""
        self.lines.append(ReportLine(table, id, reason, action))

    def notice(self, text: str) -> None:
        self.notices.append(text)

    @property
    def warnings(self) -> int:
        return len(self.lines) + len(self.notices)

    def render(self, *, dry_run: bool) -> str:
        out = ["wap import-legacy" + (" (dry run: nothing written)" if dry_run else "")]
        for table in TABLES:
            for line in sorted(
                (line for line in self.lines if line.table == table), key=lambda x: x.id
            ):
                out.append(f"  {line}")
        out.extend(f"  warning: {notice}" for notice in self.notices)
        out.append("totals (read / imported / already present / changed / skipped):")
        for table, t in self.totals.items():
            out.append(
                f"  {table:<16} {t.read:>6} {t.imported - t.present:>6} {t.present:>6} "
                f"{t.changed:>6} {t.skipped:>6}"
            )
        if self.error and self.maybe_written:
            out.append(
                f"error: {self.error}: whether the commit went through cannot be told (copied "
                "images kept); rerun the import: it writes only what is missing"
            )
        elif self.error:
            out.append(f"error: {self.error}: nothing was written")
        else:
            out.append(f"{self.warnings} warnings")
        return "\n".join(out)


@dataclass(frozen=True, slots=True)
class Like:
    team_id: int
    member_id: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OldImage:
    """An image the old service stored in S3: its folder (``https://…/<path>/``), to which it
    appended ``image.jpg`` and ``thumnail.jpg``."""

    kind: ImageKind
    owner_id: int
    folder_url: str

    @property
    def url(self) -> str:
        return self.folder_url + "image.jpg"


@dataclass(slots=True)
class ImportPlan:
    members: list[Member] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    team_members: list[TeamMember] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    likes: list[Like] = field(default_factory=list)
    images: list[OldImage] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    # The team of each imported row of the team's own tables (for counting what a rerun
    # finds already present).
    row_teams: dict[str, list[int]] = field(
        default_factory=lambda: {"team_teamtech": [], "team_teamuser": [], "team_likes": []}
    )

    def only_new(self, member_ids: set[int], team_ids: set[int], app_ids: set[int]) -> ImportPlan:
        """The part of the plan not yet in our database: a team's slots, members and likes
        come with the team."""
        return ImportPlan(
            members=[m for m in self.members if m.id not in member_ids],
            teams=[t for t in self.teams if t.id not in team_ids],
            team_members=[m for m in self.team_members if m.team_id not in team_ids],
            applications=[a for a in self.applications if a.id not in app_ids],
            likes=[like for like in self.likes if like.team_id not in team_ids],
            images=[
                i
                for i in self.images
                if i.owner_id not in (member_ids if i.kind is ImageKind.AVATAR else team_ids)
            ],
            report=self.report,
            row_teams=self.row_teams,
        )
