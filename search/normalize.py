"""Arabic orthographic normalization of single tokens: pure text functions.

Readers type the same word many ways: with or without diacritics and tatweel, أ/إ/آ or bare ا,
ى or ي, ة or ه, Eastern Arabic or ASCII digits, Persian letter shapes, or text copied from a PDF
in presentation forms. Every rule below folds such variants onto one form, so the index and the
query meet. Rules (each one table-tested in tests/test_normalize.py):

- compatibility forms (NFKC): presentation forms and the lam-alef ligature ﻻ → لا, full-width Latin;
- removed: diacritics U+0610–061A, U+064B–065F, U+0670, U+06D6–06ED; tatweel U+0640; zero-width and
  bidi controls (ZWSP, ZWNJ, ZWJ, LRM, RLM, ALM, LRE…PDF, LRI…PDI, BOM) and the soft hyphen;
- أ إ آ ٱ ٲ ٳ → ا;  ى → ي;  ة → ه;  Persian/Urdu ک ڪ → ك, ی ې → ي, ە ۀ ہ ھ → ه;
- hamza on a carrier, ؤ and ئ, → ء: the spellings مسؤول / مسئول and شؤون / شئون (both in use)
  meet, while ؤ/ئ stay distinct from و/ي so that سؤال never matches سوال;
- every Unicode decimal digit → ASCII (٢٠٢٠ → 2020, ۱۴ → 14); ٫ → . and ٬ → , (٣٫٥ = 3.5);
- Latin letters are case-folded.

pyarabic supplies the letter names; the folding itself is one `str.translate` table because
pyarabic's `normalize_alef` and `normalize_searchtext` also map ى to ا, which breaks
مستشفى = مستشفي, and its hamza normalizer rewrites قرآن as قرءءن.
"""

import unicodedata

from pyarabic import araby

_REMOVED_RANGES = (
    (0x0610, 0x061A),  # Quranic honorifics and small marks
    (0x064B, 0x065F),  # harakat, tanween, shadda, sukun, hamza above/below marks
    (0x0670, 0x0670),  # superscript (dagger) alef
    (0x06D6, 0x06ED),  # Quranic annotation marks
    (0x0640, 0x0640),  # tatweel
    (0x200B, 0x200F),  # zero-width space/non-joiner/joiner, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2066, 0x2069),  # bidi isolates
    (0x061C, 0x061C),  # Arabic letter mark
    (0xFEFF, 0xFEFF),  # BOM / zero-width no-break space
    (0x00AD, 0x00AD),  # soft hyphen
)
REMOVED = frozenset(cp for lo, hi in _REMOVED_RANGES for cp in range(lo, hi + 1))

LETTER_FOLDS = {
    araby.ALEF_HAMZA_ABOVE: araby.ALEF,
    araby.ALEF_HAMZA_BELOW: araby.ALEF,
    araby.ALEF_MADDA: araby.ALEF,
    araby.ALEF_WASLA: araby.ALEF,
    "\u0672": araby.ALEF,  # alef with wavy hamza above
    "\u0673": araby.ALEF,  # alef with wavy hamza below
    araby.ALEF_MAKSURA: araby.YEH,
    araby.TEH_MARBUTA: araby.HEH,
    araby.WAW_HAMZA: araby.HAMZA,
    araby.YEH_HAMZA: araby.HAMZA,
    "\u06a9": araby.KAF,  # Persian keheh ک
    "\u06aa": araby.KAF,  # swash kaf ڪ
    "\u06cc": araby.YEH,  # Farsi yeh ی
    "\u06d0": araby.YEH,  # yeh ې
    "\u06d5": araby.HEH,  # ae ە
    "\u06c0": araby.HEH,  # heh with yeh above ۀ
    "\u06c1": araby.HEH,  # heh goal ہ
    "\u06be": araby.HEH,  # heh doachashmee ھ
    "\u066b": ".",  # Arabic decimal separator: ٣٫٥ = 3.5
    "\u066c": ",",  # Arabic thousands separator
}


def _fold_char(char: str) -> str:
    """Fold one character through NFKC, the letter folds, mark removal, digits and case."""
    out = []
    for part in unicodedata.normalize("NFKC", char):
        if ord(part) in REMOVED:
            continue
        part = LETTER_FOLDS.get(part, part)
        if part.isdecimal():
            part = str(unicodedata.decimal(part))
        out.append(part.casefold())
    return "".join(out)


class _FoldTable(dict):
    """A `str.translate` table filled on first sight of each code point.

    Computing the fold lazily keeps import instant and the table small (only characters that
    occur), while the per-character cost after the first sight is one dict lookup.
    """

    def __missing__(self, codepoint: int) -> str:
        folded = _fold_char(chr(codepoint))
        self[codepoint] = folded
        return folded


_TABLE = _FoldTable()
_COMBINING_HAMZA = frozenset("\u0653\u0654\u0655")


def normalize(text: str) -> str:
    """Return the search form of `text`: every rule in the module docstring applied."""
    if text.isascii():
        return text.lower()
    if not _COMBINING_HAMZA.isdisjoint(text):  # decomposed و+ٔ: compose before folding
        text = unicodedata.normalize("NFC", text)
    return text.translate(_TABLE)


def strip_marks(text: str) -> str:
    """Remove diacritics, tatweel and invisible controls only, keeping the letters as written."""
    return "".join(c for c in text if ord(c) not in REMOVED)


ARABIC_LETTERS = frozenset("ءابتثجحخدذرزسشصضطظعغفقكلمنهوي")


def is_arabic_word(normalized: str) -> bool:
    """True when a normalized token consists of Arabic letters only (so the stemmer applies)."""
    return bool(normalized) and all(c in ARABIC_LETTERS for c in normalized)
