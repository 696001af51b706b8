"""Parameter types shared by the routes."""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter

MAX_ID = 2_147_483_647  # the largest id the INTEGER columns hold

Id = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
