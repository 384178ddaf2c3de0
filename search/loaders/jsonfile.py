"""A .json file: an array of objects, or a single object; the whole file is one bounded read.

Elements are decoded one at a time so each record gets the line its element starts on, and
the elements before a syntax error are still loaded.
"""

import json
import re
from collections.abc import Generator, Iterator
from pathlib import Path

from .jsonl import json_error, object_record
from .lines import read_text
from .records import LoadOptions, LoadProblem, RawRecord

_NON_SPACE = re.compile(r"[^ \t\r\n]")
_DECODER = json.JSONDecoder()


def read_json(path: Path, options: LoadOptions) -> Iterator[RawRecord | LoadProblem]:
    """Records of a JSON document (record line = line where its element starts)."""
    origin = str(path)
    lines = yield from read_text(path, options)
    if lines is None:
        return
    yield from json_text_records("\n".join(lines), origin, options)


def json_text_records(
    text: str, origin: str, options: LoadOptions
) -> Iterator[RawRecord | LoadProblem]:
    """Records of JSON text already read (a file's, or a request body's: search/intake.py)."""
    start = _skip_space(text, 0)
    if start == len(text):
        yield LoadProblem(origin, None, "empty file")
    elif text.startswith("[", start):
        yield from _array(text, start + 1, origin, options)
    else:
        value, end = yield from _decode(text, start, origin)
        if end is not None:
            yield object_record(value, origin, _line_of(text, start), options)
            yield from _expect_end(text, end, origin)


def _array(
    text: str, position: int, origin: str, options: LoadOptions
) -> Iterator[RawRecord | LoadProblem]:
    position = _skip_space(text, position)
    if text.startswith("]", position):
        yield from _expect_end(text, position + 1, origin)
        return
    line, counted = 1, 0
    while True:
        line += text.count("\n", counted, position)
        counted = position
        value, end = yield from _decode(text, position, origin)
        if end is None:
            return
        yield object_record(value, origin, line, options)
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
        elif text.startswith("]", position):
            yield from _expect_end(text, position + 1, origin)
            return
        else:
            yield LoadProblem(origin, _line_of(text, position), "invalid JSON: expected ',' or ']'")
            return


def _decode(
    text: str, position: int, origin: str
) -> Generator[LoadProblem, None, tuple[object, int | None]]:
    """Yield a problem and return (None, None) on failure, else return (value, end)."""
    try:
        return _DECODER.raw_decode(text, position)
    except json.JSONDecodeError as exc:
        yield LoadProblem(origin, exc.lineno, json_error(exc))
    except (ValueError, RecursionError) as exc:
        yield LoadProblem(origin, _line_of(text, position), json_error(exc))
    return None, None


def _expect_end(text: str, position: int, origin: str) -> Iterator[LoadProblem]:
    position = _skip_space(text, position)
    if position < len(text):
        yield LoadProblem(
            origin, _line_of(text, position), "invalid JSON: extra data after the end"
        )


def _skip_space(text: str, position: int) -> int:
    match = _NON_SPACE.search(text, position)
    return match.start() if match else len(text)


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1
