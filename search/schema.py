"""The index schema: which fields exist, how each is analyzed, stored and counted.

Text is indexed once, in the exact view: `title` and `body` hold normalized words with positions
(phrases) and the stored original text (display and highlighting). The stemmed view is not
indexed: at query time a stem's postings are the merged postings of every indexed form that has
that stem (search/postings.py), which scores the same as a stemmed field would and halves the
indexing work.

Facet fields are indexed as terms (for `category:…` queries) and also kept in a column (one
string, values joined by FACET_SEPARATOR), read once per index generation to count facets fast.
"""

from whoosh import fields
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.columns import VarBytesColumn

from search.analysis import NormalizeFilter, exact_analyzer
from search.fields import BUILTIN, FieldRegistry

FACET_FIELDS = BUILTIN.facet_names  # the built-in facets; an index's own: its FieldRegistry
FACET_SEPARATOR = "\x1f"
COLUMN_SUFFIX = "_column"


def facet_analyzer() -> Filter:
    """One term per facet value, normalized so `category:رياضه` finds رياضة."""
    return RegexTokenizer(f"[^{FACET_SEPARATOR}]+") | NormalizeFilter()


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
    exact, facet = exact_analyzer(), facet_analyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        title=fields.TEXT(analyzer=exact, stored=True, phrase=True),
        body=fields.TEXT(analyzer=exact, stored=True, phrase=True),
        date=ColumnDate(stored=True, sortable=True),
        url=fields.STORED(),
        content_hash=ColumnID(stored=True, sortable=True),
        origin=ColumnID(stored=True, sortable=True),
        extra=fields.STORED(),
        title_column=fields.COLUMN(VarBytesColumn()),  # titles for autocomplete, read fast
    )
    for name in registry.text_names:
        if name not in schema:
            schema.add(name, fields.TEXT(analyzer=exact, stored=True, phrase=True))
    for name in registry.facet_names:
        schema.add(name, fields.KEYWORD(analyzer=facet, stored=True, scorable=False))
        schema.add(name + COLUMN_SUFFIX, fields.COLUMN(VarBytesColumn()))
    return schema
