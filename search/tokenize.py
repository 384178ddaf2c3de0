"""Split text into word tokens with offsets into the original string.

Python's `\\w` does not match Arabic harakat, shadda or tatweel, so Whoosh's default pattern cuts
مَدْرَسَةٌ into pieces. Here those marks (and ZWNJ/ZWJ) are word characters, Arabic punctuation
(، ؛ ؟ « ») separates words, and URLs and e-mail addresses stay single tokens.
"""

import re
from collections.abc import Iterator

_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d"
_ARABIC = "\u0621-\u063f\u0641-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee-\u06ef\u06fa-\u06ff"
_ARABIC_FORMS = "\ufb50-\ufdff\ufe70-\ufefc"
_NOT_OTHER = "\\W_\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc"

_URL = r"https?://[^\s<>\"'«»،؛]+[^\s<>\"'«»،؛.,;:!?)\]}]"  # not ending in punctuation
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_WORDS = (
    r"\d+(?:[.,٫٬]\d+)+"  # number with decimal or thousands separators
    rf"|[{_ARABIC}{_ARABIC_FORMS}{_MARKS}]+"  # Arabic word, marks and tatweel inside
    rf"|[^{_NOT_OTHER}]+"  # Latin (or other script) word, ASCII digits included: 5G, covid19
    r"|\d+"  # Arabic-Indic digits
)
TOKEN_PATTERN = re.compile(f"{_URL}|{_EMAIL}|{_WORDS}")
_WORD_PATTERN = re.compile(_WORDS)


def token_pattern(text: str) -> re.Pattern[str]:
    """TOKEN_PATTERN, or the same without its URL and e-mail alternatives for a text that holds
    no "://" and no "@" (nearly every article), where they can never match: the same tokens,
    a third less time, in the loops that tokenize whole articles (indexing, proximity, snippets).
    """
    return TOKEN_PATTERN if "@" in text or "://" in text else _WORD_PATTERN


def iter_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (token text, start offset, end offset) for each token of `text`."""
    for match in token_pattern(text).finditer(text):
        yield match.group(), match.start(), match.end()
