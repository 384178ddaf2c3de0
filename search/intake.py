"""A request body of records → the writes to queue, by the same rules as `fahras index`.

The body is one JSON object, a JSON array of objects, or NDJSON (one object a line); records are
read by the loaders' own JSON code and checked by `documents.build_document`, exactly as a file
given to `fahras index` would be, so a record's problem is found, and worded (`line N: reason`),
before the client is answered. Each record becomes one write: queued when it can be indexed,
failed with its problem otherwise, so one bad record never holds back the others.
"""

import json
from collections.abc import Iterator

from search.documents import RecordError, build_document
from search.fields import BUILTIN, FieldRegistry
from search.loaders import LoadOptions, LoadProblem, RawRecord
from search.loaders.jsonfile import json_text_records
from search.loaders.jsonl import json_error, object_record
from search.tasks import Action, Write

ORIGIN = "api"  # where a record without an id came from: part of the id derived for it
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")


class BodyError(ValueError):
    """The body holds no record at all (empty, or not JSON); nothing was queued."""


def writes_of(text: str, content_type: str = "", registry: FieldRegistry = BUILTIN) -> list[Write]:
    """One write per record of `text` (see the module docstring); BodyError if there are none."""
    if not text.strip():
        raise BodyError("the body is empty: send a JSON object, a JSON array or NDJSON")
    writes: list[Write] = []
    first_line: dict[str, int] = {}
    for entry in _entries(text, content_type):
        write = _write(entry, first_line, registry)
        if write is not None:
            writes.append(write)
    if not writes:
        raise BodyError("the body holds no record: send a JSON object, a JSON array or NDJSON")
    return writes


def _entries(text: str, content_type: str) -> Iterator[RawRecord | LoadProblem]:
    media = content_type.split(";")[0].strip().lower()
    options = LoadOptions()
    if media in NDJSON_TYPES or (media != "application/json" and _looks_like_ndjson(text)):
        yield from _ndjson(text, options)
    else:
        yield from json_text_records(text, ORIGIN, options)


def _looks_like_ndjson(text: str) -> bool:
    """A body of several lines, the first of them a whole JSON value: NDJSON sent untyped."""
    first, _, rest = text.strip().partition("\n")
    if not rest.strip() or first.lstrip().startswith("["):
        return False
    try:
        json.loads(first)
    except (ValueError, RecursionError):
        return False
    return True


def _ndjson(text: str, options: LoadOptions) -> Iterator[RawRecord | LoadProblem]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield LoadProblem(ORIGIN, number, json_error(exc))
            continue
        yield object_record(value, ORIGIN, number, options)


def _write(
    entry: RawRecord | LoadProblem, first_line: dict[str, int], registry: FieldRegistry
) -> Write | None:
    if isinstance(entry, LoadProblem):
        if entry.line is None:  # the whole body: nothing to tie a task to
            return None
        return Write(Action.UPSERT, "", entry.line, problem=f"line {entry.line}: {entry.reason}")
    try:
        document = build_document(entry, registry)
    except RecordError as exc:
        return Write(Action.UPSERT, _given_id(entry), entry.line, problem=problem(entry, exc))
    first = first_line.setdefault(document.doc_id, entry.line)
    if first != entry.line:
        reason = f"duplicate id {document.doc_id!r} (first at line {first})"
        return Write(
            Action.UPSERT, document.doc_id, entry.line, problem=f"line {entry.line}: {reason}"
        )
    return Write(Action.UPSERT, document.doc_id, entry.line, record=entry.fields)


def problem(record: RawRecord, error: Exception) -> str:
    """A record's problem as `fahras index` words it, the body standing for the file."""
    return f"line {record.line}: {error}"


def _given_id(record: RawRecord) -> str:
    value = record.fields.get("id")
    return str(value)[:200] if isinstance(value, str | int) else ""
