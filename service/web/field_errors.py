"""Every wrong field of a request body at once, in plain words (issue 17, finding 5).

msgspec stops at the first error and words it for programmers ("Expected `int` <= 10 - at `$.weeks`"). When a body
does not convert, `every_error` converts it again field by field — each field against its own annotated type,
nested structs and lists of structs recursively — so the 400 names every offending field, and `plain` rewords
msgspec's messages for the people who read them. A valid body costs nothing extra: this runs only after a failure.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any, get_args, get_origin, get_type_hints

import msgspec

_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_TYPES = {
    "int": "a whole number",
    "float": "a number",
    "str": "a string",
    "bool": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
    "uuid": "a UUID",
    "date": "a date (YYYY-MM-DD)",
    "datetime": "a date-time with an offset",
}
_REWORDS: list[tuple[re.Pattern[str], typing.Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^Expected `([^`]+)`, got `(\w+)`$"),
        lambda m: f"must be {_kinds(m[1])}, not {_TYPES.get(m[2], m[2])}",
    ),
    (re.compile(r"^Expected `(?:int|float)` >= (\S+)$"), lambda m: f"must be at least {m[1]}"),
    (re.compile(r"^Expected `(?:int|float)` <= (\S+)$"), lambda m: f"must be at most {m[1]}"),
    (re.compile(r"^Expected `(?:int|float)` > (\S+)$"), lambda m: f"must be more than {m[1]}"),
    (re.compile(r"^Expected `(?:int|float)` < (\S+)$"), lambda m: f"must be less than {m[1]}"),
    (re.compile(r"^Expected `str` of length >= (\d+)$"), lambda m: f"must be at least {m[1]} character(s) long"),
    (re.compile(r"^Expected `str` of length <= (\d+)$"), lambda m: f"must be at most {m[1]} characters long"),
    (re.compile(r"^Expected `(?:array|object)` of length >= (\d+)$"), lambda m: f"must hold at least {m[1]} item(s)"),
    (re.compile(r"^Expected `(?:array|object)` of length <= (\d+)$"), lambda m: f"must hold at most {m[1]} items"),
    (re.compile(r"^Expected `str` matching regex '(.*)'$"), lambda m: f"has the wrong format (it must match {m[1]})"),
    (re.compile(r"^Invalid enum value (.*)$"), lambda m: f"{m[1]} is not one of the allowed values"),
    (re.compile(r"^Object missing required field `(.*)`$"), lambda m: "is required"),
    (re.compile(r"^Object contains unknown field `(.*)`$"), lambda m: "is not a field of this body"),
    (re.compile(r"^Input data was truncated$"), lambda m: "is not complete JSON: it ends too early"),
    (re.compile(r"^JSON is malformed: (.*)$"), lambda m: f"is not valid JSON ({m[1]})"),
    (re.compile(r"^Invalid UUID.*$"), lambda m: "must be a UUID"),
    (re.compile(r"^Invalid RFC3339 encoded (date|datetime).*$"), lambda m: f"must be {_TYPES[m[1]]}"),
]


def _kinds(expected: str) -> str:
    """`float | null` as "a number or null"."""
    return " or ".join(_TYPES.get(kind.strip(), kind.strip()) for kind in expected.split("|"))


def plain(message: str) -> str:
    """msgspec's message without its location, in words a person reads; unchanged when no rewording applies."""
    text = _PATH.sub("", message).strip()
    for pattern, reword in _REWORDS:
        if found := pattern.match(text):
            return reword(found)
    return text


def located(message: str) -> str | None:
    """The body field a msgspec message points at (`pain.intensity`, `days[1]`, an unknown or missing field's name),
    or None when it names none."""
    found = _PATH.search(message)
    path = found.group("path") if found else ""
    for unknown in re.finditer(r"(?:unknown|missing required) field `([^`]*)`", message):
        path = f"{path}.{unknown.group(1)}"
    return path.lstrip(".") or None


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


def _unwrapped(type_: Any) -> list[Any]:
    """The alternatives of a type, without Annotated and None: `Annotated[S, ...] | None` gives [S]."""
    if get_origin(type_) is typing.Annotated:
        return _unwrapped(get_args(type_)[0])
    if get_origin(type_) in (typing.Union, types.UnionType):
        return [t for arg in get_args(type_) for t in _unwrapped(arg) if t is not type(None)]
    return [type_]


def every_error(raw: Any, type_: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(field, plain message) for every field of `raw` that does not convert to `type_`; [] when it converts."""
    try:
        msgspec.convert(raw, type_)
        return []
    except msgspec.ValidationError as exc:
        path = located(str(exc))
        first = [(_join(prefix, path) if path else prefix or "body", plain(str(exc)))]
    kinds = _unwrapped(type_)
    if len(kinds) != 1:
        return first
    kind = kinds[0]
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct) and isinstance(raw, dict):
        return _struct_errors(raw, kind, prefix) or first
    if get_origin(kind) is list and isinstance(raw, list) and get_args(kind):
        (item,) = get_args(kind)
        if any(isinstance(t, type) and issubclass(t, msgspec.Struct) for t in _unwrapped(item)):
            found = [e for i, value in enumerate(raw) for e in every_error(value, item, f"{prefix}[{i}]")]
            return found or first
    return first


def _struct_errors(raw: dict[str, Any], struct: type[msgspec.Struct], prefix: str) -> list[tuple[str, str]]:
    hints = get_type_hints(struct, include_extras=True)
    fields = msgspec.structs.fields(struct)
    errors: list[tuple[str, str]] = []
    if struct.__struct_config__.forbid_unknown_fields:
        known = {f.encode_name for f in fields}
        errors += [(_join(prefix, key), "is not a field of this body") for key in raw if key not in known]
    for field in fields:
        if field.encode_name not in raw:
            if field.required:
                errors.append((_join(prefix, field.encode_name), "is required"))
            continue
        errors += every_error(raw[field.encode_name], hints[field.name], _join(prefix, field.encode_name))
    return errors
