"""A light Arabic stemmer guarded by word frequencies: pure text functions on normalized words.

Light stemming strips clitics and inflectional suffixes, never reaching for the root, so كتاب,
كاتب and مكتب stay apart while والكتاب، بالكتاب، كتابه and كتابها all become كتاب. Unlike Lucene's
ArabicStemmer (light10, one prefix), proclitics may stack: و/ف, then ب/ك/ل, then ال.

The hard part is not stripping what only looks like a clitic: وزير is not و+زير, لبنان is not
ل+بنان nor لبن+ان. Fixed length limits cannot tell these apart (وقال is و+قال, same shape as
وزير), so every strip of a single-letter proclitic or a suffix must leave a word that is itself
common: `lexicon()` holds how often each article-free form occurs in 10 million words of news
(scripts/build_lexicon.py), and a strip is taken only when the remainder occurs at least
`KEEP_RATIO` times as often as the word it came from. زير occurs 4 times for 8,004 وزير, so وزير
stays; قال occurs 11,469 times for 21,358 وقال, so وقال becomes قال. A word that is seen with
the article (الوزير، الفكرة) is a noun, whose first letter no clitic can be; so is a suffixed form
of such a noun (كتابين of كتاب). Of a word the lexicon has never seen, only a leading و/ف is
taken as a clitic.

Input is the output of `search.normalize.normalize` (ة already folded to ه, ى to ي).
"""

import gzip
from dataclasses import dataclass
from functools import cache, lru_cache

from search.datafiles import read_data
from search.normalize import is_arabic_word

# Definite article with the particles that can precede it, longest first.
ARTICLE_PREFIXES = (
    "وبال",
    "فبال",
    "وكال",
    "فكال",
    "ولل",
    "فلل",
    "بال",
    "كال",
    "فال",
    "وال",
    "لل",
    "ال",
)
CONJUNCTIONS = ("و", "ف")
PREPOSITIONS = ("ب", "ك", "ل")
PRONOUN_SUFFIXES = ("هما", "كما", "هم", "هن", "كم", "كن", "نا", "ها", "ه")
# Plural, dual and feminine endings with the share of the word's own frequency that the
# remainder must reach (0 = strip whenever three letters remain). ات and ة/ه also end words
# whose stem is no word (شركات، شركة → شرك), so they are unguarded; ان ends many names
# (لبنان، إيران، السودان), so it needs a remainder half as common as the word.
ENDING_SUFFIXES = (("ات", 0.0), ("ون", 0.05), ("ين", 0.05), ("ان", 0.5), ("ه", 0.0))
DUAL_PLURAL = frozenset({"ين", "ان"})

MIN_STEM = 3  # Arabic roots have three letters; a shorter remainder is rarely the same word.
MIN_ARTICLE_STEM = 2  # but ال may leave two letters: اليد → يد.
CONJUNCTION_RATIO = 0.05
PREPOSITION_RATIO = 0.1
PRONOUN_RATIO = 0.05
# A word seen with the definite article is a noun in its own right (الوزير، الفكرة، البريد), so its
# first letter is no clitic: no article can stand before و or ب.
ARTICLE_SHARE = 0.02

# Words that the rules above still damage (كلية would become كلي, "total"); the name of God
# keeps its letters with any particle before it (والله، بالله، لله).
PROTECTED = frozenset({"الله", "كليه"})
ALLAH_FORMS = frozenset(
    {"الله", "والله", "فالله", "بالله", "وبالله", "تالله", "لله", "ولله", "فلله"}
)


@dataclass(frozen=True, slots=True)
class WordCounts:
    """How often an article-free form occurs, and how often it carried the article."""

    total: int
    with_article: int


UNSEEN = WordCounts(0, 0)


@cache
def lexicon() -> dict[str, WordCounts]:
    """Article-free word -> its counts in the news corpora (loaded once per process)."""
    data = read_data("data/lexicon.tsv.gz")
    counts: dict[str, WordCounts] = {}
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        word, total, with_article = line.split("\t")
        counts[word] = WordCounts(int(total), int(with_article))
    return counts


def strip_article(word: str) -> str:
    """Remove a definite article and the particles before it: وبالكتاب → كتاب."""
    for prefix in ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_ARTICLE_STEM:
            return word[len(prefix) :]
    return word


def _common_enough(remainder: str, word: str, ratio: float, counts: dict[str, WordCounts]) -> bool:
    """True when `remainder` occurs at least `ratio` times as often as `word` (and at all)."""
    seen = counts.get(remainder, UNSEEN).total
    return seen >= max(1.0, ratio * counts.get(word, UNSEEN).total)


def _strip_proclitic(
    word: str, clitics: tuple[str, ...], ratio: float, counts: dict[str, WordCounts]
) -> str:
    remainder = word[1:]
    if word[:1] not in clitics or len(remainder) < MIN_STEM:
        return word
    own = counts.get(word)
    if own is None:  # an unseen word: a leading conjunction is far likelier than a rare name
        return remainder if word[0] in CONJUNCTIONS else word
    if _takes_article(own):
        return word
    return remainder if _common_enough(remainder, word, ratio, counts) else word


def _takes_article(entry: WordCounts | None) -> bool:
    return entry is not None and entry.with_article >= max(3.0, ARTICLE_SHARE * entry.total)


def _inflects_noun(word: str, counts: dict[str, WordCounts]) -> bool:
    """True when `word` is a suffixed form of a noun (كتابين of كتاب, وزيرتها of وزير)."""
    base = _strip_ending(_strip_pronoun(word, counts), counts)
    return base != word and _takes_article(counts.get(base))


def _strip_pronoun(word: str, counts: dict[str, WordCounts]) -> str:
    for suffix in PRONOUN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            remainder = word[: -len(suffix)]
            if remainder.endswith("ت"):  # مدينتها → مدينة: ة is written ت before a pronoun
                restored = remainder[:-1] + "ه"
                if _common_enough(restored, word, PRONOUN_RATIO, counts):
                    return restored
            if _common_enough(remainder, word, PRONOUN_RATIO, counts):
                return remainder
            return word
    return word


def _strip_ending(word: str, counts: dict[str, WordCounts]) -> str:
    for suffix, ratio in ENDING_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            remainder = word[: -len(suffix)]
            if suffix in DUAL_PLURAL and remainder.endswith("ت"):  # دولتين → دولة → دول
                feminine = remainder[:-1] + "ه"
                if _common_enough(feminine, word, ratio, counts):
                    return remainder[:-1]
            if ratio == 0.0 or _common_enough(remainder, word, ratio, counts):
                return remainder
            return word
    return word


@lru_cache(maxsize=500_000)
def stem(word: str) -> str:
    """Return the light stem of a normalized word; non-Arabic tokens come back unchanged."""
    if word in ALLAH_FORMS:
        return "الله"
    if not is_arabic_word(word) or word in PROTECTED:
        return word
    counts = lexicon()
    stemmed = strip_article(word)
    if stemmed == word and not _inflects_noun(word, counts):
        stemmed = _strip_proclitic(stemmed, CONJUNCTIONS, CONJUNCTION_RATIO, counts)
        stemmed = _strip_proclitic(stemmed, PREPOSITIONS, PREPOSITION_RATIO, counts)
    if stemmed in PROTECTED:
        return stemmed
    return _strip_ending(_strip_pronoun(stemmed, counts), counts)
