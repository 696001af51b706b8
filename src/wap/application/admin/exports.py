"""CSV exports for officers: streamed row by row, UTF-8 with a BOM so Excel reads Korean.
Headers and statuses, roles are in Korean, or in English when asked (``application/labels``)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from wap.application.admin.ports import ExportKind, ExportReader
from wap.application.labels import (
    APPLICATION_STATUS,
    COLUMN,
    MEMBER_STATUS,
    ROLE,
    TEAM_STATUS,
    Label,
    label,
)
from wap.application.ports import Clock
from wap.domain.members import Actor
from wap.domain.terms import Term

BOM = "\ufeff"
CHUNK_ROWS = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The columns whose codes are read as words, by export.
_WORDS: dict[ExportKind, dict[str, dict[str, Label]]] = {
    ExportKind.MEMBERS: {"status": MEMBER_STATUS, "role": ROLE},
    ExportKind.TEAMS: {"status": TEAM_STATUS},
    ExportKind.APPLICATIONS: {"status": APPLICATION_STATUS},
}


def cell(value: object) -> str:
    """A cell Excel will not run: text that looks like a formula gets a leading quote."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@dataclass(frozen=True, slots=True)
class ExportRequest:
    actor: Actor
    kind: ExportKind
    term: str | None = None
    english: bool = False


@dataclass(frozen=True, slots=True)
class Export:
    filename: str
    chunks: AsyncIterator[bytes]


class ExportCsv:
    """Members: the whole roster, or with a term the members of that term's teams. Teams and
    applications: the given term, by default the current one."""

    def __init__(self, reader: ExportReader, clock: Clock) -> None:
        self._reader, self._clock = reader, clock

    def __call__(self, request: ExportRequest) -> Export:
        request.actor.ensure_officer()
        term = Term.parse(request.term) if request.term else None
        if term is None and request.kind is not ExportKind.MEMBERS:
            term = Term.at(self._clock.now())
        scope = str(term) if term else "all"
        chunks = self._chunks(request.kind, term, request.english)
        return Export(f"wap-{request.kind.value}-{scope}.csv", chunks)

    async def _chunks(
        self, kind: ExportKind, term: Term | None, english: bool
    ) -> AsyncIterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        buffer.write(BOM)
        pending = 0
        words: Sequence[dict[str, Label] | None] | None = None
        async for row in self._reader.rows(kind, term):
            if words is None:  # the header: the columns' names, and which of them hold codes
                words = [_WORDS[kind].get(str(column)) for column in row]
                row = [label(COLUMN, column, english) for column in row]
            else:
                row = [
                    v if w is None else label(w, v, english)
                    for v, w in zip(row, words, strict=True)
                ]
            writer.writerow([cell(v) for v in row])
            pending += 1
            if pending >= CHUNK_ROWS:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
                pending = 0
        yield buffer.getvalue().encode("utf-8")
