"""The field registry: every field of an index described once, for every part that needs it.

Schema building, document building, the query language's `field:` filters, hits, facet counts,
the web UI's panels and chips, the JSON API, the widget's `data-` filters and the CLI all ask a
FieldRegistry instead of naming fields themselves, so adding a facet is one entry here (or one
line of an index's settings file, see search/settings.py) and nothing else.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"  # searched: analyzed words with positions, stored for highlighting
    FACET = "facet"  # filtered and counted: terms plus a column of values
    DATE = "date"  # the document's date (`date:` ranges and the year/month facets)
    DATE_PART = "date_part"  # a facet derived from the date: year, month
    STORED = "stored"  # kept and shown, never searched


@dataclass(frozen=True, slots=True)
class Field:
    """One field: what it is, how readers name it, and how it is shown."""

    name: str
    kind: Kind
    label: str = ""  # Arabic, for the web UI
    aliases: tuple[str, ...] = ()  # other names in the query language (`تصنيف:`)
    inputs: tuple[str, ...] = ()  # other input keys that add values (`categories`)
    split: str | None = None  # a string value is a list separated by this ("," for "a, b")
    shown: bool = False  # shown in each hit's line of details on the results page
    panel: bool = True  # a facet listed in the web UI's panel (month: by URL only)
    weight: float = 1.0  # a text field's weight, times the ranking model's (search/ranking.py)
    limit: int | None = None  # values a facet lists (None: the request's facet_limit)
    builtin: bool = True


BUILTIN_FIELDS = (
    Field("id", Kind.STORED, "المعرّف"),
    Field("title", Kind.TEXT, "العنوان", ("عنوان", "العنوان")),
    Field("body", Kind.TEXT, "النص", ("نص", "النص")),
    Field("date", Kind.DATE, "التاريخ", ("تاريخ",)),
    Field("url", Kind.STORED, "الرابط"),
    Field("category", Kind.FACET, "التصنيف", ("تصنيف", "قسم"), ("categories",), shown=True),
    Field("source", Kind.FACET, "المصدر", ("مصدر",), ("sources",), shown=True),
    Field("author", Kind.FACET, "الكاتب", ("كاتب",), ("authors",), shown=True),
    Field("year", Kind.DATE_PART, "السنة", ("سنة",)),
    Field("tags", Kind.FACET, "الوسوم", ("tag", "وسم"), ("tag",)),
    Field("month", Kind.DATE_PART, "الشهر", ("شهر",), panel=False),
)
# Names the engine uses for itself: no field may be called so.
RESERVED = frozenset({"extra", "origin", "content_hash", "title_column", "facets", "score"})


class FieldRegistry:
    """The fields of one index, in panel order; immutable."""

    def __init__(self, fields: Iterable[Field]) -> None:
        self.fields: tuple[Field, ...] = tuple(fields)
        self._by_name = {f.name: f for f in self.fields}
        self._aliases = {
            alias.lower(): f.name for f in self.fields for alias in (f.name, *f.aliases)
        }

    def get(self, name: str) -> Field | None:
        return self._by_name.get(name)

    def of_kind(self, *kinds: Kind) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind in kinds)

    def names(self, *kinds: Kind) -> tuple[str, ...]:
        return tuple(f.name for f in self.of_kind(*kinds))

    @property
    def facet_names(self) -> tuple[str, ...]:
        """Facets kept in columns (category, source…), in panel order."""
        return self.names(Kind.FACET)

    @property
    def filter_names(self) -> tuple[str, ...]:
        """Everything a search can filter and count by: facets and date parts."""
        return self.names(Kind.FACET, Kind.DATE_PART)

    @property
    def text_names(self) -> tuple[str, ...]:
        return self.names(Kind.TEXT)

    def resolve(self, alias: str) -> str | None:
        """The field a query-language name means (`تصنيف` → category), or None."""
        return self._aliases.get(alias.lower())

    def labels(self) -> dict[str, str]:
        return {f.name: f.label or f.name for f in self.fields}

    def weights(self) -> dict[str, float]:
        return {f.name: f.weight for f in self.of_kind(Kind.TEXT)}

    def known_keys(self) -> frozenset[str]:
        """Input keys a document takes itself; any other key is kept as a stored extra."""
        return frozenset(
            key for f in self.fields if f.kind is not Kind.DATE_PART for key in (f.name, *f.inputs)
        )

    def extended(self, extra: Iterable[Field]) -> "FieldRegistry":
        """These fields plus `extra` (new fields, or changed labels/weights of known ones)."""
        changes = {f.name: f for f in extra}
        fields = [changes.pop(f.name, f) for f in self.fields]
        return FieldRegistry([*fields, *changes.values()])

    def reordered(self, order: Iterable[str]) -> "FieldRegistry":
        """The same fields with the named ones first, in this order (the panel's order)."""
        first = [self._by_name[name] for name in order if name in self._by_name]
        return FieldRegistry([*first, *(f for f in self.fields if f not in first)])

    def with_changes(self, name: str, **changes: object) -> "FieldRegistry":
        return self.extended([replace(self._by_name[name], **changes)])  # type: ignore[arg-type]

    def index_signature(self) -> list[list[object]]:
        """What the index's contents depend on: fields, kinds, input keys and splitting."""
        return [
            [f.name, f.kind.value, sorted(f.inputs), f.split]
            for f in sorted(self.fields, key=lambda f: f.name)
            if f.kind in (Kind.TEXT, Kind.FACET)
        ]


BUILTIN = FieldRegistry(BUILTIN_FIELDS)


def split_values(value: object, separator: str | None) -> list[object]:
    """A list value as it is; a string cut at `separator` when the field says so."""
    if isinstance(value, list):
        return value
    if separator and isinstance(value, str):
        return value.split(separator)
    return [value]


def hit_facets(stored: Mapping[str, object], registry: FieldRegistry, separator: str) -> dict:
    """Each facet's values of one stored document (empty lists for facets it lacks)."""
    return {
        name: str(stored[name]).split(separator) if stored.get(name) else []
        for name in registry.facet_names
    }
