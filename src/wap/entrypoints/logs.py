"""Logging for every ``wap`` process: JSON lines when stderr is not a terminal (plain text on
one), each line of a request carrying its request id, and nothing a client sent reaching a
line raw (control characters and bidi overrides are escaped)."""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["auto", "json", "text"]
LOG_FORMATS: tuple[LogFormat, ...] = ("auto", "json", "text")

REQUEST_ID: ContextVar[str | None] = ContextVar("wap_request_id", default=None)

# C0 and C1 controls (DEL too), line and paragraph separators, and the marks and overrides
# that reorder text on screen: a log reader must see them escaped, never acted on.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The same less \t and \n, which json.dumps already escapes.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


def escape_text(text: str) -> str:
    """``text`` on one line, with every control or bidi character as ``\\uXXXX``."""
    return _UNSAFE.sub(_escape, text)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or ``-``) on every record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and for
    uvicorn's access log the request's fields; a traceback goes in ``exc``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id and request_id != "-":
            line["request_id"] = request_id
        args = record.args
        access = record.name == "uvicorn.access" and isinstance(args, tuple)
        if access and isinstance(args, tuple) and len(args) == len(_ACCESS_FIELDS):
            line.update(zip(_ACCESS_FIELDS, args, strict=True))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        encoded = json.dumps(line, ensure_ascii=False, default=str)
        return _UNSAFE_IN_JSON.sub(_escape, encoded)


class TextFormatter(logging.Formatter):
    """``time level logger [request id]: message``; the message is kept on one line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_text(record.message)
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get() or "-"
        return super().formatMessage(record)


def resolve_format(wanted: LogFormat, stream: Any = None) -> Literal["json", "text"]:
    """``auto``: text on a terminal, JSON otherwise (a service manager, a container, a file)."""
    if wanted != "auto":
        return wanted
    stream = sys.stderr if stream is None else stream
    try:
        return "text" if stream.isatty() else "json"
    except (AttributeError, ValueError):
        return "json"


def logging_config(wanted: LogFormat, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: one stderr handler on the root logger,
    which uvicorn's loggers propagate to. ``wap serve`` hands it to uvicorn, which applies it
    in each worker process it starts."""
    chosen = resolve_format(wanted)
    formatter = JsonFormatter if chosen == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"wap": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "wap",
                "filters": ["request_id"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": level, "handlers": [], "propagate": True},
            "alembic.runtime.plugins": {"level": "WARNING"},
        },
    }


def configure_logging(wanted: LogFormat) -> None:
    logging.config.dictConfig(logging_config(wanted))
