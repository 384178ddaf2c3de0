"""Plain text: the first non-empty line is the title, the rest the body.

An optional front matter block at the very top (a "---" line, "key: value" lines, "---")
adds fields; if it sets "title", all of the text is the body.
"""

from collections.abc import Generator, Iterator
from pathlib import Path

from .fields import LIST_FIELDS, map_fields, split_list
from .lines import read_text
from .records import LoadOptions, LoadProblem, RawRecord

_FENCE = "---"
_LIST_SEPARATORS = ",،"
_QUOTES = "\"'"


def read_txt(
    path: Path, options: LoadOptions, root: Path | None
) -> Iterator[RawRecord | LoadProblem]:
    """The one record of a text file (line 1); `root` is the folder it was found under."""
    origin = str(path)
    lines = yield from read_text(path, options)
    if lines is None:
        return
    front = yield from _front_matter(lines, origin)
    if front is None:
        return
    raw, text_start = front
    fields: dict[str, object] = {
        key: _front_list(value) if key in LIST_FIELDS else _unquote(value)
        for key, value in map_fields(raw, options.field_map).items()
    }
    text = lines[text_start:]
    if "title" not in fields:
        first = next((index for index, line in enumerate(text) if line.strip()), None)
        if first is None:
            yield LoadProblem(origin, None, "empty file")
            return
        fields["title"] = text[first].strip()
        text = text[first + 1 :]
    fields.setdefault("body", "\n".join(text).strip())
    if options.category_from_dir and root is not None and path.parent != root:
        fields.setdefault("category", path.parent.name)
    yield RawRecord(fields, origin, 1)


def _front_matter(
    lines: list[str], origin: str
) -> Generator[LoadProblem, None, tuple[dict[str, str], int] | None]:
    """Yield problems; return (raw fields, index of the first text line), or None if unclosed."""
    if not lines or lines[0].strip() != _FENCE:
        return {}, 0
    raw: dict[str, str] = {}
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == _FENCE:
            return raw, index + 1
        key, colon, value = line.partition(":")
        if colon and key.strip():
            raw[key.strip()] = value.strip()
        elif line.strip():
            yield LoadProblem(origin, index + 1, "front matter line is not 'key: value'")
    yield LoadProblem(origin, 1, f"front matter has no closing {_FENCE!r} line")
    return None


def _front_list(value: str) -> list[str]:
    """Items of "a, b" or "[a, b]", quotes removed."""
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    return [_unquote(item) for item in split_list(value, _LIST_SEPARATORS)]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in _QUOTES:
        return value[1:-1]
    return value
