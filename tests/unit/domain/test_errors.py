from __future__ import annotations

import pytest

from wap.domain.errors import (
    FieldProblem,
    NameInvalid,
    StudentNumberInvalid,
    StudentNumberTaken,
    check_fields,
)
from wap.domain.members import Name, StudentNumber


def test_check_fields_reports_every_bad_field_at_once() -> None:
    with pytest.raises(NameInvalid) as caught:
        check_fields(("name", lambda: Name("1")), ("student_number", lambda: StudentNumber("x")))
    assert caught.value.problems == (
        FieldProblem("name", "member.name_invalid"),
        FieldProblem("student_number", StudentNumberInvalid.code),
    )


def test_check_fields_returns_values_when_all_pass() -> None:
    assert check_fields(("a", lambda: 1), ("b", lambda: "2")) == (1, "2")


def test_check_fields_lets_other_errors_through() -> None:
    def taken() -> None:
        raise StudentNumberTaken()

    with pytest.raises(StudentNumberTaken):
        check_fields(("student_number", taken))
