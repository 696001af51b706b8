"""The error catalogue: every code is unique and has a row in the problem table, the table
has no stale row, each family of errors answers with its family's status, and each layer
defines only its own kind of error."""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache
from pathlib import Path

import pytest

import wap
from wap.application.errors import TooManyRequests, Unauthenticated, Unavailable
from wap.domain.errors import Conflict, Forbidden, InvalidValue, NotFound, TooLarge, WapError
from wap.entrypoints.http.problems import PROBLEMS

SPEC = Path(__file__).resolve().parents[3] / "shared" / "SPEC.md"

# The codes of SPEC §2 with their statuses, as written there.
SPEC_CODES = {
    "request.invalid": 400, "auth.required": 401, "auth.token_invalid": 401,
    "auth.token_expired": 401, "auth.refresh_invalid": 401, "auth.oauth_failed": 400,
    "auth.state_mismatch": 400, "email.code_mismatch": 400, "email.code_expired": 400,
    "email.cooldown": 429, "email.domain_not_allowed": 400, "member.not_found": 404,
    "member.not_approved": 403, "member.not_registering": 409, "member.name_invalid": 400,
    "member.student_number_invalid": 400, "member.student_number_taken": 409,
    "member.position_invalid": 400, "member.last_officer": 409,
    "permission.officer_only": 403, "permission.leader_only": 403,
    "permission.owner_only": 403, "team.not_found": 404, "team.title_invalid": 400,
    "team.title_taken": 409, "team.genre_invalid": 400, "team.description_invalid": 400,
    "team.category_invalid": 400, "team.capacity_invalid": 400, "team.slot_in_use": 409,
    "team.capacity_below_filled": 409, "member.not_pending": 409,
    "request.not_found": 404, "request.method_not_allowed": 405, "request.too_large": 413,
    "auth.csrf_failed": 403, "team.not_recruiting": 409, "team.leader_cannot_leave": 409,
    "team.not_member": 404, "application.not_found": 404, "application.slot_full": 409,
    "application.duplicate": 409, "application.already_member": 409,
    "application.own_team": 409, "application.not_pending": 409, "image.invalid": 400,
    "image.too_large": 413, "team.recruitment_closed": 409, "rate.limited": 429,
}  # fmt: skip
# Beyond the SPEC (docs/api.md says why): failures that are not the client's, and a batch
# skip for a team an officer already decided on.
SERVICE_CODES = {"internal": 500, "service.unavailable": 503, "team.not_pending": 409}
# The matching round (issue 18; docs/api.md lists them).
ROUND_CODES = {
    "round.not_found": 404, "round.already_open": 409, "round.closed": 409,
    "round.still_open": 409, "round.published": 409, "round.not_eligible": 403,
    "round.team_not_in": 409, "round.choice_invalid": 400, "round.too_many_choices": 400,
    "round.pin_invalid": 400,
}  # fmt: skip


# Each family of errors and the one status its codes answer with.
FAMILY_STATUS: dict[type[WapError], int] = {
    InvalidValue: 400,
    TooLarge: 413,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooManyRequests: 429,
    Unavailable: 503,
}
# Each code family (the prefix before the dot) and the statuses its codes may have.
PREFIX_STATUSES = {
    "request": {400, 404, 405, 413},
    "auth": {400, 401, 403},
    "email": {400, 429},
    "member": {400, 403, 404, 409},
    "permission": {403},
    "team": {400, 404, 409},
    "application": {404, 409},
    "image": {400, 413},
    "rate": {429},
    "round": {400, 403, 404, 409},
    "service": {503},
    "internal": {500},
}
# The domain defines the errors of the club's things; the service's and the protocol's
# (auth.*, rate.limited, service.unavailable, e-mail codes) live in the outer layers.
DOMAIN_PREFIXES = {"member", "permission", "team", "application", "email", "image", "round"}
# The generic code of a value that breaks a rule without a code of its own.
DOMAIN_GENERIC = "request.invalid"
# Alembic's environment script runs only under Alembic; the revisions define no errors.
NOT_IMPORTED = "wap.adapters.sql.migrations"


def all_subclasses(cls: type[WapError]) -> set[type[WapError]]:
    found: set[type[WapError]] = set()
    for sub in cls.__subclasses__():
        found |= {sub} | all_subclasses(sub)
    return found


@cache
def concrete_errors() -> list[type[WapError]]:
    """Every error class that names a code of its own, from every module of ``wap``."""
    for module in pkgutil.walk_packages(wap.__path__, "wap."):
        if not module.name.startswith(NOT_IMPORTED):
            importlib.import_module(module.name)
    return sorted(
        (cls for cls in all_subclasses(WapError) if "code" in vars(cls)),
        key=lambda cls: cls.code,
    )


def family_of(cls: type[WapError]) -> type[WapError]:
    return next(base for base in cls.__mro__ if base in FAMILY_STATUS)


def test_the_walk_finds_errors_in_every_layer() -> None:
    layers = {cls.__module__.split(".")[1] for cls in concrete_errors()}
    assert layers == {"domain", "application", "entrypoints"}


def test_every_error_code_is_unique() -> None:
    codes = [cls.code for cls in concrete_errors()]
    assert len(codes) == len(set(codes)), sorted(codes)


def test_every_error_code_has_a_row() -> None:
    missing = {cls.code for cls in concrete_errors()} - PROBLEMS.keys()
    assert not missing


def test_the_table_holds_exactly_the_spec_codes_with_their_statuses() -> None:
    table = {code: problem.status for code, problem in PROBLEMS.items()}
    assert table == SPEC_CODES | SERVICE_CODES | ROUND_CODES


def test_each_family_of_errors_answers_with_its_status() -> None:
    wrong = {
        cls.code: (family_of(cls).__name__, PROBLEMS[cls.code].status)
        for cls in concrete_errors()
        if PROBLEMS[cls.code].status != FAMILY_STATUS[family_of(cls)]
    }
    assert not wrong


def test_each_code_family_has_its_statuses() -> None:
    wrong = {
        code: problem.status
        for code, problem in PROBLEMS.items()
        if problem.status not in PREFIX_STATUSES.get(code.split(".")[0], set())
    }
    assert not wrong


def test_the_domain_defines_only_errors_of_its_own_things() -> None:
    outside = [
        cls.code
        for cls in concrete_errors()
        if cls.__module__.startswith("wap.domain.")
        and cls.code != DOMAIN_GENERIC
        and cls.code.split(".")[0] not in DOMAIN_PREFIXES
    ]
    assert not outside
    others = [c.code for c in concrete_errors() if not c.__module__.startswith("wap.domain.")]
    assert not [code for code in others if code.split(".")[0] in DOMAIN_PREFIXES - {"email"}]


def test_every_row_has_korean_and_english_text() -> None:
    hangul = re.compile(r"[\uAC00-\uD7A3]")
    for code, problem in PROBLEMS.items():
        assert hangul.search(problem.ko), code
        assert problem.en and not hangul.search(problem.en), code


@pytest.mark.skipif(not SPEC.exists(), reason="shared/SPEC.md sits beside the clone only")
def test_the_spec_lists_no_code_we_do_not_know() -> None:
    text = SPEC.read_text(encoding="utf-8")
    section = text[text.index("### Errors") :]
    written = dict(
        (code, int(status))
        for code, status in re.findall(r"`([a-z_]+\.[a-z_]+)` \((\d{3})", section)
    )
    assert written.items() <= SPEC_CODES.items()
