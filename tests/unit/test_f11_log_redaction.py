"""Finding F11 (issue 12): an API key never reaches a log line, wherever in the record it is."""

from __future__ import annotations

import json
import logging

from service.clients.keys import generate_key
from service.web.observability import JsonFormatter, request_id


def _line(record: logging.LogRecord) -> str:
    return JsonFormatter().format(record)


def test_f11_a_key_in_an_access_log_url_is_redacted() -> None:
    key = generate_key()
    # What uvicorn's access logger writes: the URL, query string included, is one of the record's arguments.
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:50000", "GET", f"/v1/exercises?api_key={key}&q=squat", "1.1", 200),
        None,
    )
    line = _line(record)
    assert key not in line and key[len("rl_live_") :] not in line
    assert json.loads(line)["message"] == (
        '127.0.0.1:50000 - "GET /v1/exercises?api_key=rl_live_[redacted]&q=squat HTTP/1.1" 200'
    )


def test_f11_keys_are_redacted_from_every_part_of_the_line() -> None:
    key = generate_key()
    encoded = key.replace("_", "%5F")
    try:
        raise ValueError(f"bad value {key}")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("service", logging.ERROR, __file__, 1, "token=%s", (encoded,), exc_info)
    token = request_id.set(key)  # a sane-looking X-Request-ID is echoed into every line of its request
    try:
        line = _line(record)
    finally:
        request_id.reset(token)
    body = key[len("rl_live_") :]
    assert body not in line, line
    entry = json.loads(line)
    assert entry["message"] == "token=rl_live_[redacted]"
    assert entry["request_id"] == "rl_live_[redacted]" and "rl_live_[redacted]" in entry["error"]


def test_f11_lines_without_keys_are_unchanged() -> None:
    record = logging.LogRecord("service", logging.INFO, __file__, 1, "GET /v1/exercises?q=%s", ("rl_live",), None)
    assert json.loads(_line(record))["message"] == "GET /v1/exercises?q=rl_live"
