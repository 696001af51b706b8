"""What goes into a log line from a request cannot start a forged line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from litestar import Request

from wap.entrypoints.http.paths import printable
from wap.entrypoints.http.problems import path_of


def request_for(path: str) -> Request[object, object, object]:
    return Request({"type": "http", "method": "GET", "path": path, "headers": []})  # type: ignore[typeddict-item]


def test_the_logged_path_escapes_control_characters() -> None:
    logged = path_of(request_for("/media/x\n2026-12-01 ERROR forged\r\x1b[31m\x00\x85"))
    assert logged == "/media/x\\x0a2026-12-01 ERROR forged\\x0d\\x1b[31m\\x00\\x85"


@given(st.text(max_size=300))
def test_printable_text_holds_no_control_character(text: str) -> None:
    shown = printable(text)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in shown)
    assert len(shown) <= 200 * 4
