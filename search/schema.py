"""The index schema: which fields exist, how each is analyzed, stored and counted.

Text is indexed twice: `title`/`body` hold the stemmed view (and the stored original text for
display and highlighting), `title_exact`/`body_exact` the exact view with positions for phrases.
The stemmed view keeps no positions: nothing needs them there, and leaving them out makes
indexing and the index cheaper.

Facet fields are indexed as terms (for `category:…` queries) and also kept in a column (one
string, values joined by FACET_SEPARATOR), read once per index generation to count facets fast.
"""

from whoosh import fields
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.columns import VarBytesColumn

from search.analysis import NormalizeFilter, exact_analyzer, stemmed_analyzer

FACET_FIELDS = ("category", "source", "author", "tags")
FACET_SEPARATOR = "\x1f"
TEXT_FIELDS = ("title", "body")
EXACT_SUFFIX = "_exact"
COLUMN_SUFFIX = "_column"
# Fields a document sets itself; any other key of an input record is kept in `extra`.
KNOWN_FIELDS = frozenset({"id", "url", "date", *TEXT_FIELDS, *FACET_FIELDS})


def facet_analyzer() -> Filter:
    """One term per facet value, normalized so `category:رياضه` finds رياضة."""
    return RegexTokenizer(f"[^{FACET_SEPARATOR}]+") | NormalizeFilter()


def build_schema() -> fields.Schema:
    stemmed, exact, facet = stemmed_analyzer(), exact_analyzer(), facet_analyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        title=fields.TEXT(analyzer=stemmed, stored=True, phrase=False),
        body=fields.TEXT(analyzer=stemmed, stored=True, phrase=False),
        title_exact=fields.TEXT(analyzer=exact, phrase=True),
        body_exact=fields.TEXT(analyzer=exact, phrase=True),
        date=fields.DATETIME(stored=True, sortable=True),
        url=fields.STORED(),
        content_hash=fields.ID(stored=True, sortable=True),
        origin=fields.ID(stored=True, sortable=True),
        extra=fields.STORED(),
        title_column=fields.COLUMN(VarBytesColumn()),  # titles for autocomplete, read fast
    )
    for name in FACET_FIELDS:
        schema.add(name, fields.KEYWORD(analyzer=facet, stored=True, scorable=False))
        schema.add(name + COLUMN_SUFFIX, fields.COLUMN(VarBytesColumn()))
    return schema
