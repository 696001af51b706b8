"""Log lines: JSON or text, one line per record, the request id on each, and nothing a
client sent (control characters, bidi overrides) reaching a line raw."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from wap.entrypoints.config import ConfigError, Settings
from wap.entrypoints.logs import (
    REQUEST_ID,
    JsonFormatter,
    RequestIdFilter,
    TextFormatter,
    resolve_format,
)

NASTY = "team\nINFO forged line\r\x1b[31mred\x00\x7f\x85\u202egnp.exe\u2028\u2066x"
RAW = ["\n", "\r", "\x1b", "\x00", "\x7f", "\x85", "\u202e", "\u2028", "\u2066"]


def record(message: str, *args: object, name: str = "wap.test") -> logging.LogRecord:
    made = logging.LogRecord(name, logging.WARNING, __file__, 1, message, args, None)
    RequestIdFilter().filter(made)
    return made


def test_a_json_line_keeps_the_text_but_nothing_raw() -> None:
    token = REQUEST_ID.set("req-1")
    try:
        line = JsonFormatter().format(record("looked at %s", NASTY))
    finally:
        REQUEST_ID.reset(token)
    assert not any(ch in line for ch in RAW)
    parsed = json.loads(line)
    assert parsed["message"] == f"looked at {NASTY}"  # escaped, not lost
    assert parsed["request_id"] == "req-1" and parsed["level"] == "WARNING"


def test_a_text_line_escapes_what_would_break_or_spoof_it() -> None:
    token = REQUEST_ID.set("req-2")
    try:
        line = TextFormatter().format(record("looked at %s", NASTY))
    finally:
        REQUEST_ID.reset(token)
    assert not any(ch in line for ch in RAW)
    assert "[req-2]" in line and "\\u000a" in line and "\\u202e" in line


def test_outside_a_request_there_is_no_request_id() -> None:
    assert "request_id" not in json.loads(JsonFormatter().format(record("started")))
    assert "[-]" in TextFormatter().format(record("started"))


def test_uvicorns_access_line_becomes_fields() -> None:
    access = record(
        '%s - "%s %s HTTP/%s" %d',
        "10.0.0.1:5000",
        "GET",
        "/api/v1/teams/1",
        "1.1",
        200,
        name="uvicorn.access",
    )
    parsed = json.loads(JsonFormatter().format(access))
    assert parsed["method"] == "GET" and parsed["status"] == 200
    assert parsed["path"] == "/api/v1/teams/1" and parsed["client"] == "10.0.0.1:5000"


def test_a_traceback_stays_inside_its_json_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logging.LogRecord("wap", logging.ERROR, __file__, 1, "failed", (), None)
        failed.exc_info = sys.exc_info()
    line = JsonFormatter().format(failed)
    assert "\n" not in line and "ValueError: boom" in json.loads(line)["exc"]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_is_text_on_a_terminal_and_json_elsewhere() -> None:
    assert resolve_format("auto", Tty()) == "text"
    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("json", Tty()) == "json"
    assert resolve_format("text", io.StringIO()) == "text"


def test_log_format_and_metrics_token_settings() -> None:
    assert Settings.from_env({}).log_format == "auto"
    assert Settings.from_env({}).metrics_token is None
    assert Settings.from_env({"WAP_LOG_FORMAT": "JSON"}).log_format == "json"
    token = "t" * 16
    assert Settings.from_env({"WAP_METRICS_TOKEN": token}).metrics_token == token
    with pytest.raises(ConfigError, match="WAP_LOG_FORMAT"):
        Settings.from_env({"WAP_LOG_FORMAT": "xml"})
    with pytest.raises(ConfigError, match="WAP_METRICS_TOKEN"):
        Settings.from_env({"WAP_METRICS_TOKEN": "short"})
