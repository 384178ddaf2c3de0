"""The index schema: which fields exist, how each is analyzed, stored and counted.

Text is indexed once, in the exact view: `title` and `body` hold normalized words with positions
(phrases) and the stored original text (display and highlighting). The stemmed view is not
indexed: at query time a stem's postings are the merged postings of every indexed form that has
that stem (search/postings.py), which scores the same as a stemmed field would and halves the
indexing work.

Facet fields are indexed as terms (for `category:…` queries) and also kept in a column (one
string, values joined by FACET_SEPARATOR), read once per index generation to count facets fast.
"""

from collections.abc import Iterator
from typing import Any

from whoosh import fields, formats
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.columns import VarBytesColumn

from search.analysis import ArabicAnalyzer, NormalizeFilter, exact_analyzer
from search.fields import BUILTIN, FieldRegistry

FACET_FIELDS = BUILTIN.facet_names  # the built-in facets; an index's own: its FieldRegistry
FACET_SEPARATOR = "\x1f"
COLUMN_SUFFIX = "_column"


def facet_analyzer() -> Filter:
    """One term per facet value, normalized so `category:رياضه` finds رياضة."""
    return RegexTokenizer(f"[^{FACET_SEPARATOR}]+") | NormalizeFilter()


class WordPositions(formats.Positions):
    """Whoosh's Positions format, writing the same postings with less work a word: the terms
    and positions come straight from our analyzer (no Token per word, no token stream), and a
    word seen once in a document, most postings, reuses the encoding of its position. Worth
    a tenth of indexing time. Pickled into the schema: keep it here, by this name."""

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        if not (isinstance(analyzer, ArabicAnalyzer) and isinstance(value, str)):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost, encode = self.field_boost, self.encode
        for term, positions in analyzer.positions(value).items():
            count = len(positions)
            yield term, count, count * boost, encode(positions)

    def encode(self, poslist: Any) -> bytes:
        if len(poslist) != 1 or poslist[0] >= _ENCODED_ALONE:
            return super().encode(poslist)
        position = poslist[0]
        encoded = _encoded_alone.get(position)
        if encoded is None:
            encoded = _encoded_alone[position] = super().encode(poslist)
        return encoded


_ENCODED_ALONE = 1 << 16  # the positions whose encoding is kept, when a word occurs only there
_encoded_alone: dict[int, bytes] = {}


def text_field() -> fields.TEXT:
    """A text field: our analyzer's normalized words with positions (phrases), stored."""
    field = fields.TEXT(analyzer=exact_analyzer(), stored=True, phrase=True)
    field.format = WordPositions(field_boost=field.format.field_boost)
    return field


class ColumnDate(fields.DATETIME):
    """A date that is stored and kept in a column but not indexed: searches filter and sort
    dates with the derived date column (search/derived.py, search/facets.py) and never read
    date terms, and a date is nearly one term a document, which Whoosh writes at a cost close
    to a word's (6% of indexing). Whoosh's own range queries (DateRange) find nothing on it.
    Pickled into the schema: keep it here, by this name."""

    indexed = False


class ColumnID(fields.ID):
    """An ID that is stored and kept in a column but not indexed: the content hash and the
    origin are only ever read from their columns (search/indexer.py), and as terms each
    document's hash was one more term of a single posting, which Whoosh writes at a cost
    close to a word's (4% of indexing). Pickled into the schema: keep it here, by this name."""

    indexed = False


def build_schema(registry: FieldRegistry = BUILTIN) -> fields.Schema:
    facet = facet_analyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        title=text_field(),
        body=text_field(),
        date=ColumnDate(stored=True, sortable=True),
        url=fields.STORED(),
        content_hash=ColumnID(stored=True, sortable=True),
        origin=ColumnID(stored=True, sortable=True),
        extra=fields.STORED(),
        title_column=fields.COLUMN(VarBytesColumn()),  # titles for autocomplete, read fast
    )
    for name in registry.text_names:
        if name not in schema:
            schema.add(name, text_field())
    for name in registry.facet_names:
        schema.add(name, fields.KEYWORD(analyzer=facet, stored=True, scorable=False))
        schema.add(name + COLUMN_SUFFIX, fields.COLUMN(VarBytesColumn()))
    return schema
