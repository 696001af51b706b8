"""New and stored entities.

An entity the database has not stored yet has no id: ``NewTeam``, ``NewMember``,
``NewApplication``, ``NewNotice``, ``NewAuditEntry``. Its repository's ``add`` stores it and
returns the stored entity (``Team``, ``Member`` …), the same fields with an ``int`` id, so that
no code past the repository ever asks whether an id is there.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def new_fields(new: DataclassInstance) -> dict[str, Any]:
    """The fields of a new entity, to build its stored twin with ``id`` added."""
    return {f.name: getattr(new, f.name) for f in fields(new)}
