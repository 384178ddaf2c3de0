"""Stored text made inert before a reader or another site sees it.

The engine escapes every `<` of a document, so its text cannot become markup; two things get
through escaping and are removed here, for the pages and the JSON API alike (other sites build
their own pages from the API):

- Bidi embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) in titles,
  snippets, bodies, facet values and the query echoed back (page titles included): they
  reorder the text the reader sees (a title that reads differently from what it says, a
  snippet that swallows the text after it). The marks LRM, RLM and ALM, common in real Arabic
  text, only nudge neutral characters and are kept.
- Links that are not http(s): a `javascript:` or `data:` URL in the `url` field would run in the
  page of whoever makes it a link.

JSON answers also escape `<`, `>` and `&` (and the line separators JavaScript chokes on) as
\\uXXXX: the values are unchanged once parsed, but the text holds no markup should something
ever show or sniff it as HTML.
"""

import bisect
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from flask.json.provider import DefaultJSONProvider

BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_ANY_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
WEB_SCHEMES = ("http", "https")
FACET_LISTS = ("category", "source", "author", "tags")  # a hit's facet values
# Outside strings JSON has none of these characters, so escaping them never changes a value.
_JSON_ESCAPES = tuple((c, f"\\u{ord(c):04x}") for c in "<>&\u2028\u2029")


def without_bidi_controls(text: str) -> str:
    # A search is rarely needed, translating every character of every snippet always is.
    return text.translate(BIDI_CONTROLS) if _ANY_BIDI_CONTROL.search(text) else text


def inert_marked(text: str, spans: Sequence[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """`text` without bidi controls, and highlight `spans` moved onto the same characters."""
    if not _ANY_BIDI_CONTROL.search(text):  # nearly always: nothing to remove or move
        return text, list(spans)
    removed = [i for i, c in enumerate(text) if ord(c) in BIDI_CONTROLS]

    def moved(offset: int) -> int:
        return offset - bisect.bisect_left(removed, offset)

    return without_bidi_controls(text), [(moved(start), moved(end)) for start, end in spans]


def web_link(url: str | None) -> str | None:
    """`url` if it is an http(s) address, else None."""
    return url if url and urlsplit(url).scheme in WEB_SCHEMES else None


def inert_result(result: dict[str, object]) -> dict[str, object]:
    """A search's answer (SearchResult.as_dict()) made inert, in place: hits, facet values
    (an index built before they were cleaned at indexing may hold bidi controls), and the
    query and filters as the reader sent them."""
    for hit in result["results"]:  # type: ignore[attr-defined]
        for name in ("title", "snippet"):
            hit[name] = without_bidi_controls(hit[name])
            hit[f"{name}_text"], hit[f"{name}_spans"] = inert_marked(
                hit[f"{name}_text"], hit[f"{name}_spans"]
            )
        for name in FACET_LISTS:
            hit[name] = [without_bidi_controls(value) for value in hit[name]]
        hit["url"] = web_link(hit["url"])
    for counts in result["facets"].values():  # type: ignore[attr-defined]
        for item in counts["values"]:
            item["value"] = without_bidi_controls(item["value"])
    for name in ("query", "understood"):
        result[name] = without_bidi_controls(str(result[name]))
    result["filters"] = {
        name: [without_bidi_controls(v) for v in values]
        for name, values in result["filters"].items()  # type: ignore[attr-defined]
    }
    return result


class InertJSONProvider(DefaultJSONProvider):
    """Flask's JSON, readable Arabic (no \\u escapes for letters), markup characters escaped."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        for character, escaped in _JSON_ESCAPES:  # five C scans: 20 times faster than translate
            text = text.replace(character, escaped)
        return text
