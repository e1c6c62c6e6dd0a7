"""Opaque cursors and the list envelope shared by every list endpoint."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import msgspec

from service.problems import bad_request

DEFAULT_LIMIT = 20
MAX_LIMIT = 500


def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).rstrip(b"=").decode()


def decode_cursor(cursor: str, *, keys: set[str]) -> dict[str, Any]:
    """The position a cursor stands for; a cursor that is not one of ours is a 400 naming `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = msgspec.json.decode(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, msgspec.DecodeError, UnicodeError):
        raise bad_request("cursor", "not a cursor returned by this API") from None
    if not isinstance(position, dict) or set(position) != keys:
        raise bad_request("cursor", "not a cursor returned by this API")
    return position
