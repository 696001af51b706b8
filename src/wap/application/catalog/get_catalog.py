from __future__ import annotations

import msgspec

from wap.application.ports import Clock
from wap.domain.catalog import Category, Genre, Limits, Position
from wap.domain.terms import Term


class CatalogLimits(msgspec.Struct, frozen=True):
    name_min: int = Limits.NAME_MIN
    name_max: int = Limits.NAME_MAX
    student_number_min: int = Limits.STUDENT_NUMBER_MIN
    student_number_max: int = Limits.STUDENT_NUMBER_MAX
    bio_max: int = Limits.BIO_MAX
    tech_stack_max_items: int = Limits.TECH_STACK_MAX_ITEMS
    tech_stack_item_max: int = Limits.TECH_STACK_ITEM_MAX
    links_max: int = Limits.LINKS_MAX
    link_max: int = Limits.LINK_MAX
    title_max: int = Limits.TITLE_MAX
    description_max: int = Limits.DESCRIPTION_MAX
    slots_min: int = Limits.SLOTS_MIN
    slots_max: int = Limits.SLOTS_MAX
    capacity_min: int = Limits.CAPACITY_MIN
    capacity_max: int = Limits.CAPACITY_MAX
    message_max: int = Limits.MESSAGE_MAX


class CatalogView(msgspec.Struct, frozen=True):
    positions: list[str]
    genres: list[str]
    categories: list[str]
    limits: CatalogLimits
    current_term: str


class GetCatalog:
    """Positions, genres, categories, limits and the current term: what forms are built from."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self) -> CatalogView:
        return CatalogView(
            positions=[p.value for p in Position],
            genres=[g.value for g in Genre],
            categories=[c.value for c in Category],
            limits=CatalogLimits(),
            current_term=str(Term.at(self._clock.now())),
        )
