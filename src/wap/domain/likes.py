"""Likes: an approved member likes a public team at most once."""

from __future__ import annotations

from wap.domain.members import Actor
from wap.domain.teams import Team


def ensure_can_like(team: Team, actor: Actor) -> None:
    """Liking needs an approved member and a team everyone can see (recruiting or completed)."""
    actor.ensure_approved()
    team.ensure_visible_to(None)
