"""Turn a raw record from a loader into a document for the index.

Here a record gets its id (the one it carries, or a stable one derived from where it came from
and what it says), its date (parsed from any supported form, or reported and left out), its facet
values (single values and lists alike) and a content hash, so an unchanged record is recognised
on the next run and skipped.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from search.dates import DateParseError, parse_date
from search.fields import BUILTIN, Field, FieldRegistry, Kind, split_values
from search.loaders import RawRecord
from search.schema import COLUMN_SUFFIX, FACET_SEPARATOR

MAX_ID_LENGTH = 200


@dataclass(slots=True)
class Document:
    """A record ready to index, with the warnings met while building it."""

    doc_id: str
    fields: dict[str, object]
    content_hash: str
    origin: str
    warnings: list[str] = field(default_factory=list)
    registry: FieldRegistry = BUILTIN

    def index_fields(self) -> dict[str, object]:
        """Keyword arguments for `writer.add_document` / `update_document`."""
        values = dict(self.fields)
        for name in self.registry.facet_names:
            joined = FACET_SEPARATOR.join(values.pop(name, None) or ())
            if joined:
                values[name] = joined
                values[name + COLUMN_SUFFIX] = joined.encode("utf-8")
        if values.get("title"):
            values["title_column"] = str(values["title"]).encode("utf-8")
        return {
            **values,
            "id": self.doc_id,
            "content_hash": self.content_hash,
            "origin": f"{self.origin}",
        }


class RecordError(ValueError):
    """The record cannot become a document (no text, unusable id); the message says why."""


def build_document(record: RawRecord, registry: FieldRegistry = BUILTIN) -> Document:
    """Build the document for `record` with the index's fields, or raise RecordError."""
    raw = record.fields
    title = _text(raw.get("title"))
    body = _text(raw.get("body"))
    if not title and not body:
        raise RecordError("no text: both title and body are empty or missing")
    warnings: list[str] = []
    fields: dict[str, object] = {"title": title, "body": body}
    date = _date(raw.get("date"), warnings)
    if date is not None:
        fields["date"] = date
    url = _text(raw.get("url"))
    if url:
        fields["url"] = url
    for facet in registry.of_kind(Kind.FACET):
        values = [v for key in (facet.name, *facet.inputs) for v in _values(raw.get(key), facet)]
        if values:
            fields[facet.name] = list(dict.fromkeys(values))
    for name in registry.text_names:
        text = _text(raw.get(name)) if name not in fields else ""
        if text:
            fields[name] = text
    known = registry.known_keys()
    extra = {
        key: value for key, value in raw.items() if key not in known and value not in (None, "", [])
    }
    if extra:
        fields["extra"] = extra
    doc_id = _doc_id(record, title, body)
    return Document(doc_id, fields, _hash(doc_id, fields), record.origin, warnings, registry)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_text(v) for v in value if v is not None).strip()
    return str(value).strip()


_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def _values(value: object, facet: Field) -> list[str]:
    """Facet values from a string or a list; separators in a value become spaces, and bidi
    controls, which would reorder a label wherever it is shown, are dropped."""
    items = split_values(value, facet.split)
    cleaned = (
        " ".join(_text(v).translate(_BIDI_CONTROLS).replace(FACET_SEPARATOR, " ").split())
        for v in items
    )
    return [v for v in cleaned if v]


def _date(value: object, warnings: list[str]) -> datetime | None:
    try:
        return parse_date(value)
    except DateParseError as exc:
        warnings.append(f"{exc}; indexed without a date")
        return None


def _doc_id(record: RawRecord, title: str, body: str) -> str:
    given = _text(record.fields.get("id"))
    if given:
        if len(given) > MAX_ID_LENGTH:
            raise RecordError(f"id longer than {MAX_ID_LENGTH} characters")
        return given
    source = Path(record.origin)
    if source.suffix in (".txt", ".gz") and ".txt" in source.suffixes:
        # One file, one document: its full path is the identity, however the folder was named
        # on the command line, so an edited file is updated rather than added again.
        basis = source.resolve().as_posix()
    else:
        basis = f"{source.name}\n{title}\n{body}"
    return "doc-" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def _hash(doc_id: str, fields: dict[str, object]) -> str:
    canonical = json.dumps([doc_id, fields], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()
