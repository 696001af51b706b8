"""Every error code is unique, has a row in the problem table, and the table has no stale row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import wap.application.errors
import wap.domain.errors
from wap.domain.errors import WapError
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


def all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | all_subclasses(sub)
    return found


def concrete_errors() -> list[type[WapError]]:
    assert wap.domain.errors and wap.application.errors  # imported for their classes
    return [cls for cls in all_subclasses(WapError) if cls.code]


def test_every_error_code_is_unique() -> None:
    codes = [cls.code for cls in concrete_errors()]
    assert len(codes) == len(set(codes)), sorted(codes)


def test_every_error_code_has_a_row() -> None:
    missing = {cls.code for cls in concrete_errors()} - PROBLEMS.keys()
    assert not missing


def test_the_table_holds_exactly_the_spec_codes_with_their_statuses() -> None:
    table = {code: problem.status for code, problem in PROBLEMS.items()}
    assert table == SPEC_CODES | SERVICE_CODES


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
