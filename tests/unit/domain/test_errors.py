from __future__ import annotations

import pytest

from wap.domain.errors import (
    FieldProblem,
    NameInvalid,
    StudentNumberInvalid,
    StudentNumberTaken,
    gather,
)
from wap.domain.members import Name, StudentNumber


def test_gather_reports_every_bad_field_at_once() -> None:
    with pytest.raises(NameInvalid) as caught:
        gather([("name", lambda: Name("1")), ("student_number", lambda: StudentNumber("x"))])
    assert caught.value.problems == (
        FieldProblem("name", "member.name_invalid"),
        FieldProblem("student_number", StudentNumberInvalid.code),
    )


def test_gather_returns_values_when_all_pass() -> None:
    assert gather([("a", lambda: 1), ("b", lambda: 2)]) == [1, 2]


def test_gather_lets_other_errors_through() -> None:
    def taken() -> None:
        raise StudentNumberTaken()

    with pytest.raises(StudentNumberTaken):
        gather([("student_number", taken)])
