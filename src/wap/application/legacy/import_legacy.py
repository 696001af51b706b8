"""`wap import-legacy`: read the old database, decide (mapping.py), write ours in one
transaction. Old ids are kept as our ids, so a rerun finds what it wrote and adds nothing."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from wap.application.legacy.mapping import plan_import
from wap.application.legacy.plan import ImportPlan, OldImage, Report
from wap.application.legacy.ports import (
    LegacyImageSource,
    LegacyImagesUnreachable,
    LegacyImageUnavailable,
    LegacySource,
    LegacyTarget,
    Present,
)
from wap.application.media.ports import ImageKind, ImageProcessor, ImageStore, ProcessedImage
from wap.application.media.upload import THUMBNAILS
from wap.domain.errors import WapError
from wap.domain.members import Role

log = logging.getLogger("wap.legacy")
PROMOTE_HINT = (
    "no member of the import is an officer (no is_staff member, or only disabled ones): "
    "after the import, make one with `wap member promote <github_login>:<github_id>`"
)


class ImageMode(StrEnum):
    LINK = "link"  # keep the old S3 URLs
    COPY = "copy"  # fetch them and store them as our own images, with our thumbnails


@dataclass(frozen=True, slots=True)
class ImportLegacyCommand:
    dry_run: bool = False
    images: ImageMode = ImageMode.LINK


class LegacyImportFailed(Exception):
    """An error that stops the import: nothing is written. The report says why."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.error)
        self.report = report


@dataclass(frozen=True, slots=True)
class ImageCopier:
    """What ``--images copy`` needs: the old files, our image processor and our store."""

    source: LegacyImageSource
    processor: ImageProcessor
    store: ImageStore
    max_bytes: int


class ImportLegacy:
    def __init__(
        self, source: LegacySource, target: LegacyTarget, copier: ImageCopier | None = None
    ) -> None:
        self._source, self._target, self._copier = source, target, copier

    async def __call__(self, cmd: ImportLegacyCommand) -> Report:
        snapshot = await self._source.snapshot()
        plan = plan_import(snapshot, datetime.now(UTC))
        report = plan.report
        present = await self._target.present()
        clash = clashes(plan, present)
        if clash:
            report.error = clash
            raise LegacyImportFailed(report)
        if not present.officers and not any(m.role is Role.OFFICER for m in plan.members):
            report.notice(PROMOTE_HINT)
        new = plan.only_new(set(present.members), set(present.teams), present.applications)
        count_present(plan, present)
        if cmd.dry_run:
            await self._target.rollback()
            return report
        copier = self._copier if cmd.images is ImageMode.COPY and new.images else None
        if cmd.images is ImageMode.COPY and new.images and copier is None:
            report.error = "--images copy needs a source of the old images"
            raise LegacyImportFailed(report)
        # Images are stored before the transaction (it must hold their URLs); the ones this
        # run stored are deleted again if the transaction does not commit.
        stored: list[str] = []
        committing = False
        try:
            if copier is not None:
                await copy_images(new, copier, stored)
            await self._target.write(new)
            committing = True
            await self._target.commit()
        except Exception as error:
            landed: bool | None = False  # None: cannot tell
            try:
                await self._target.rollback()
                if committing:  # the commit's answer may be lost after the commit itself
                    landed = await self._landed(new)
            except Exception:
                landed = None if committing else False
            if copier is not None and landed is False:
                await forget_images(copier.store, stored)
            if landed:
                report.notice(
                    f"the commit answered {type(error).__name__}, but the rows are in our "
                    "database: the import is complete"
                )
                return report
            if isinstance(error, LegacyImagesUnreachable):
                report.error = f"the old images cannot be read ({error})"
            elif isinstance(error, ImageStoreFailed):
                report.error = f"our image store refused an image ({error})"
            else:
                report.error = f"writing failed ({type(error).__name__}: {error})"
                report.maybe_written = landed is None
            raise LegacyImportFailed(report) from error
        return report

    async def _landed(self, new: ImportPlan) -> bool:
        """Whether a commit that raised went through anyway: its first new row is there."""
        present = await self._target.present()
        if new.members:
            return new.members[0].id in present.members
        if new.teams:
            return new.teams[0].id in present.teams
        if new.applications:
            return new.applications[0].id in present.applications
        return False


def clashes(plan: ImportPlan, present: Present) -> str | None:
    """Rows of ours that are not an earlier run's import of the same old rows: the import
    never overwrites them, so it stops before writing anything."""
    for member in plan.members:
        if member.id in present.members and present.members[member.id] != member.github_id:
            return (
                f"our member {member.id} has GitHub id {present.members[member.id]}, the old "
                f"member {member.id} has {member.github_id}: import into an empty database"
            )
        owner = present.github_ids.get(member.github_id)
        if owner is not None and owner != member.id:
            return f"GitHub id {member.github_id} is already our member {owner}, not {member.id}"
        number = member.student_number.value if member.student_number else None
        holder = present.student_numbers.get(number) if number else None
        if holder is not None and holder != member.id:
            return f"student number {number} is already our member {holder}'s, not {member.id}'s"
    for team in plan.teams:
        if team.id in present.teams and present.teams[team.id] != team.title.key:
            return (
                f"our team {team.id} is titled differently from the old team {team.id}: "
                "import into an empty database"
            )
        owner = present.title_keys.get(team.title.key)
        if owner is not None and owner != team.id:
            return f"title {team.title.value!r} is already our team {owner}'s, not {team.id}'s"
    return None


def count_present(plan: ImportPlan, present: Present) -> None:
    totals = plan.report.totals
    totals["user_customuser"].present = sum(m.id in present.members for m in plan.members)
    totals["team_team"].present = sum(t.id in present.teams for t in plan.teams)
    totals["team_teamapply"].present = sum(a.id in present.applications for a in plan.applications)
    old_teams = set(present.teams)
    for table, team_ids in plan.row_teams.items():
        totals[table].present = sum(team_id in old_teams for team_id in team_ids)
    for table in ("user_usertech", "user_userurls"):
        totals[table].present = min(totals[table].imported, totals["user_customuser"].present)


class ImageStoreFailed(Exception):
    """Our image store did not take a copied image: the import stops (nothing written)."""


async def copy_images(plan: ImportPlan, copier: ImageCopier, stored: list[str]) -> None:
    """Fetch each old image and store it as ours with our thumbnail; every URL stored is
    appended to ``stored`` as soon as it exists. An image that cannot be fetched or read
    keeps its old URL, and the report says so. The old images unreachable altogether
    (``LegacyImagesUnreachable``) or our store failing (``ImageStoreFailed``) stop it."""
    owners = {m.id: m for m in plan.members}
    teams = {t.id: t for t in plan.teams}
    for image in plan.images:
        table = "user_customuser" if image.kind is ImageKind.AVATAR else "team_team"
        try:
            processed = await fetch_one(image, copier)
        except (LegacyImageUnavailable, WapError) as error:
            plan.report.change(
                table,
                image.owner_id,
                f"image {image.folder_url} not copied ({error})",
                "old URL kept",
            )
            continue
        # A new name each time, as for uploads (stores and browsers may keep a name's bytes
        # forever): ``legacy-<old id>-<random>``.
        name = f"legacy-{image.owner_id}-{secrets.token_hex(8)}"
        try:
            saved = await copier.store.save(image.kind, name, processed)
        except Exception as error:
            raise ImageStoreFailed(f"{type(error).__name__}: {error}") from error
        stored += [saved.url, saved.thumbnail_url]
        if image.kind is ImageKind.AVATAR:
            member = owners[image.owner_id]
            member.avatar_url, member.avatar_thumbnail_url = saved.url, saved.thumbnail_url
        else:
            team = teams[image.owner_id]
            team.image_url, team.image_thumbnail_url = saved.url, saved.thumbnail_url


async def fetch_one(image: OldImage, copier: ImageCopier) -> ProcessedImage:
    """The old image, checked and re-encoded with our thumbnail (not stored yet)."""
    data = await copier.source.fetch(image.url)
    return await copier.processor.process(
        data, max_bytes=copier.max_bytes, thumbnail=THUMBNAILS[image.kind]
    )


async def forget_images(store: ImageStore, urls: list[str]) -> None:
    """Delete the images a failed run stored. A delete that fails leaves an unreferenced
    file under a name nothing will use again: logged, and the import's error stands."""
    for url in urls:
        try:
            await store.delete(url)
        except Exception:
            log.warning("import-legacy: could not delete %s after the failed import", url)
