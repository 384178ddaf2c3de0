"""JSON Lines / NDJSON: one JSON object per line; a bad line is reported and skipped."""

import json
from collections.abc import Iterator
from pathlib import Path

from .fields import map_fields
from .lines import read_lines
from .records import LoadOptions, LoadProblem, RawRecord


def read_jsonl(path: Path, options: LoadOptions) -> Iterator[RawRecord | LoadProblem]:
    """Records of a JSONL file; blank lines are ignored, a file without any is "empty file"."""
    origin = str(path)
    seen_text = False
    for item in read_lines(path, options):
        if isinstance(item, LoadProblem):
            seen_text = True
            yield item
            continue
        text = item.text.strip()
        if not text:
            continue
        seen_text = True
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            yield LoadProblem(origin, item.number, json_error(exc))
            continue
        yield object_record(value, origin, item.number, options)
    if not seen_text:
        yield LoadProblem(origin, None, "empty file")


def object_record(
    value: object, origin: str, line: int, options: LoadOptions
) -> RawRecord | LoadProblem:
    """A record from a decoded JSON value, which must be an object."""
    if not isinstance(value, dict):
        return LoadProblem(origin, line, f"expected a JSON object, got {_json_kind(value)}")
    return RawRecord(map_fields(value, options.field_map), origin, line)


def json_error(exc: ValueError | RecursionError) -> str:
    """Short reason for a JSON parse failure (json.JSONDecodeError carries the column)."""
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg} (column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "invalid JSON: nested too deeply"
    return f"invalid JSON: {exc}"


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
