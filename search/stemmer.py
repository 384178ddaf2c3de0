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
from search.stopwords import STOPWORDS

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
ACCUSATIVE_RATIO = 1.0  # the accusative's alef goes when the rest is at least as common
KEEP_TA_MARBUTA = True
NISBA_RATIO = 0.1
NISBA_BARE = False  # a relative adjective's noun must be this common, relative to it
# Of a word the lexicon has never seen, the leading letter always taken as a clitic: و (Lucene's
# light10 takes no other); ف only before a noun (فكتاب), as it begins many names (فايل، فووز).
UNSEEN_CLITICS = ("و",)
# The ة of agreement: a feminine relative adjective (الغربية، الصينية) meets its masculine even
# when the dictionary also lists it as a noun, if the masculine is a noun this common relative
# to it; and the numbers (ثلاثة، ثلاث) are never nouns of their own.
AGREEMENT_TA = True
AGREEMENT_RATIO = 0.1
FEMININE_NUMBERS = frozenset({"ثلاثه", "اربعه", "خمسه", "سته", "سبعه", "ثمانيه", "تسعه", "عشره"})
# A sound plural in construct (لاعبي الفريق, "the players of") meets its noun when its full
# plural (لاعبين) and nominative (لاعبون) are this common, relative to it (see _strip_construct).
CONSTRUCT_RATIO = 0.5
NOMINATIVE_RATIO = 0.1

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


@cache
def ta_marbuta_nouns() -> frozenset[str]:
    """Nouns in ة (normalized to ه) that are words of their own, not a feminine ending:
    مدرسة (school) is not مدرس (teacher), مهمة (task) not مهم (important); جديدة is جديد."""
    data = gzip.decompress(read_data("data/ta_marbuta_nouns.txt.gz")).decode("utf-8")
    nouns = frozenset(data.split()) if KEEP_TA_MARBUTA else frozenset()
    return nouns - FEMININE_NUMBERS if AGREEMENT_TA else nouns


def strip_article(word: str) -> str:
    """Remove a definite article and the particles before it: وبالكتاب → كتاب.

    ل before the article drops its alef (للكتاب), and before a noun that begins with ل the
    article's ل merges too: للجنة is ل + اللجنة, للاعب ل + اللاعب. Of the two readings the more
    common noun wins, so للجنة meets لجنة (committee), not جنة (paradise).
    """
    for prefix in ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_ARTICLE_STEM:
            remainder = word[len(prefix) :]
            if prefix.endswith("لل") and _lam_noun("ل" + remainder, remainder):
                return "ل" + remainder
            return remainder
    return word


def _lam_noun(with_lam: str, without: str) -> bool:
    """True when `with_lam` (لجنه) is at least as common as `without` (جنه) in the news."""
    counts = lexicon()
    return counts.get(with_lam, UNSEEN).total >= max(1, counts.get(without, UNSEEN).total)


def _common_enough(remainder: str, word: str, ratio: float, counts: dict[str, WordCounts]) -> bool:
    """True when `remainder` occurs at least `ratio` times as often as `word` (and at all)."""
    seen = counts.get(remainder, UNSEEN).total
    return seen >= max(1.0, ratio * counts.get(word, UNSEEN).total)


def _strip_proclitic(
    word: str,
    clitics: tuple[str, ...],
    ratio: float,
    counts: dict[str, WordCounts],
    refused: list[str],
) -> str:
    remainder = word[1:]
    if word[:1] not in clitics or len(remainder) < MIN_STEM or _stop(remainder, refused):
        return word
    own = counts.get(word)
    if own is None:  # an unseen word: a leading و is far likelier than a rare name
        noun = takes_article(counts.get(remainder))
        return (
            remainder if word[0] in UNSEEN_CLITICS or (noun and word[0] in CONJUNCTIONS) else word
        )
    if takes_article(own):
        return word
    return remainder if _common_enough(remainder, word, ratio, counts) else word


def _stop(remainder: str, refused: list[str]) -> bool:
    """True (and noted in `refused`) when a strip would reach a stop word: never take it.

    Clitics and endings do not attach to function words the way they do to nouns, so الأماكن
    is not ال+اما+كن and فقدان is not فقد+ان: the word keeps its letters and its meaning.
    """
    if remainder in STOPWORDS:
        refused.append(remainder)
        return True
    return False


def takes_article(entry: WordCounts | None) -> bool:
    return entry is not None and entry.with_article >= max(3.0, ARTICLE_SHARE * entry.total)


def _inflects_noun(word: str, counts: dict[str, WordCounts]) -> bool:
    """True when `word` is a suffixed form of a noun (كتابين of كتاب, وزيرتها of وزير)."""
    base = _strip_ending(_strip_pronoun(word, counts, []), counts, [])
    return base != word and takes_article(counts.get(base))


def _strip_pronoun(word: str, counts: dict[str, WordCounts], refused: list[str]) -> str:
    for suffix in PRONOUN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            remainder = word[: -len(suffix)]
            if _stop(remainder, refused) or (suffix == "ه" and word in ta_marbuta_nouns()):
                return word  # مهمة is a task, not مهم + ه
            if remainder.endswith("ت"):  # مدينتها → مدينة: ة is written ت before a pronoun
                restored = remainder[:-1] + "ه"
                if _common_enough(restored, word, PRONOUN_RATIO, counts):
                    return restored
            if _common_enough(remainder, word, PRONOUN_RATIO, counts):
                return remainder
            return word
    return word


def _strip_ending(word: str, counts: dict[str, WordCounts], refused: list[str]) -> str:
    if word.endswith("ا"):
        base = _strip_accusative(word, counts, refused)
        if base != word:  # اتجاها as اتجاه: the noun's own ending rules apply to what remains
            return _strip_ending(base, counts, refused)
    elif word.endswith("ات") and len(word) == MIN_STEM + 1:
        singular = word[:-2] + "ه"  # لغات → لغة: a two-letter stem with its ة
        base = singular if takes_article(counts.get(singular)) else word
    else:
        base = _strip_plural(word, counts, refused)
    if base in ta_marbuta_nouns():
        return _masculine(base, counts) if AGREEMENT_TA else base
    construct = _strip_construct(base, counts) if CONSTRUCT_RATIO else base
    if construct != base:
        return construct
    return _strip_nisba(base, counts, refused) if NISBA_RATIO else base


def _masculine(noun: str, counts: dict[str, WordCounts]) -> str:
    """الغربية → غربي: a feminine relative adjective that the dictionary lists as a noun too.

    Only the ة goes, never further to another noun in ة (جمعية stays apart from جمعة); words
    whose ي belongs to the root (ولاية، نهاية) keep it, as their masculine is no word.
    """
    masculine = noun[:-1]
    if noun in PROTECTED or not noun.endswith("يه") or not takes_article(counts.get(masculine)):
        return noun
    return masculine if _common_enough(masculine, noun, AGREEMENT_RATIO, counts) else noun


def _strip_construct(word: str, counts: dict[str, WordCounts]) -> str:
    """لاعبي → لاعب: a sound masculine plural that lost its ن before a noun (لاعبي الفريق).

    Taken when the rest is a noun whose full plural (لاعبين) is at least CONSTRUCT_RATIO as
    common as this form, and its nominative (لاعبون) a tenth as common: a relative adjective is
    far commoner than the plural of its noun (عالمي, عالمين), and a dual has no ون (بحري, بحرين).
    """
    remainder = word[:-1]
    if (
        not word.endswith("ي")
        or len(remainder) < MIN_STEM
        or not takes_article(counts.get(remainder))
    ):
        return word
    own = counts.get(word, UNSEEN).total
    oblique = counts.get(remainder + "ين", UNSEEN).total
    nominative = counts.get(remainder + "ون", UNSEEN).total
    if oblique >= max(1.0, CONSTRUCT_RATIO * own) and nominative >= max(
        1.0, NOMINATIVE_RATIO * own
    ):
        return remainder
    return word


def _strip_plural(word: str, counts: dict[str, WordCounts], refused: list[str]) -> str:
    nouns = ta_marbuta_nouns()
    for suffix, ratio in ENDING_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            remainder = word[: -len(suffix)]
            if _stop(remainder, refused) or (suffix == "ه" and word in nouns):
                return word
            if suffix == "ات" and remainder + "ه" in nouns:  # مدارس aside, مدرسات → مدرسة
                return remainder + "ه"
            if suffix in DUAL_PLURAL and remainder.endswith("ت"):  # دولتين → دولة → دول
                feminine = remainder[:-1] + "ه"
                if _common_enough(feminine, word, ratio, counts):
                    return feminine if feminine in nouns else remainder[:-1]
            if ratio == 0.0 or _common_enough(remainder, word, ratio, counts):
                return remainder
            return word
    return word


def _strip_accusative(word: str, counts: dict[str, WordCounts], refused: list[str]) -> str:
    """تدريبًا، صورًا، سفيرا → تدريب، صور، سفير: the indefinite accusative's alef.

    Taken only when the rest is a noun (seen with the article) at least as common as the word,
    and the word itself never takes the article: روسيا (Russia) is commoner than روسي and stays,
    as do جدا (very) and أيضا (also), whose remainders are rare.
    """
    remainder = word[:-1]
    if len(remainder) < MIN_STEM or _stop(remainder, refused):
        return word
    own = counts.get(word, UNSEEN)
    base = counts.get(remainder)
    if takes_article(own) or not takes_article(base):
        return word
    return remainder if _common_enough(remainder, word, ACCUSATIVE_RATIO, counts) else word


def _strip_nisba(word: str, counts: dict[str, WordCounts], refused: list[str]) -> str:
    """بلاستيكي → بلاستيك، زراعي → زراع (of زراعة): the relative adjective meets its noun."""
    remainder = word[:-1]
    if not word.endswith("ي") or len(remainder) < MIN_STEM or _stop(remainder, refused):
        return word
    needed = max(1.0, NISBA_RATIO * counts.get(word, UNSEEN).total)
    noun = remainder + "ه"  # رياضي → رياضة (sport), not رياض (Riyadh)
    if noun in ta_marbuta_nouns() and counts.get(noun, UNSEEN).total >= needed:
        return noun
    if not NISBA_BARE:
        return word
    seen = sum(
        counts[form].total
        for form in (remainder, noun)
        if form in counts and takes_article(counts[form])
    )
    return remainder if seen >= needed else word


@lru_cache(maxsize=500_000)
def stem(word: str) -> str:
    """Return the light stem of a normalized word; non-Arabic tokens come back unchanged."""
    return _stem(word, [])


def stop_word_collision(word: str) -> str | None:
    """The stop word that stripping `word` would have reached and did not (الاماكن → اما)."""
    refused: list[str] = []
    _stem(word, refused)
    return refused[0] if refused else None


def _stem(word: str, refused: list[str]) -> str:
    if word in ALLAH_FORMS:
        return "الله"
    if not is_arabic_word(word) or word in PROTECTED:
        return word
    counts = lexicon()
    stemmed = strip_article(word)
    if stemmed != word and _stop(stemmed, refused):
        return "ال" + stemmed  # الأم، بألوان: the article (or أل) stays, particles go
    if stemmed == word and not _inflects_noun(word, counts):
        stemmed = _strip_proclitic(stemmed, CONJUNCTIONS, CONJUNCTION_RATIO, counts, refused)
        stemmed = _strip_proclitic(stemmed, PREPOSITIONS, PREPOSITION_RATIO, counts, refused)
    if stemmed in PROTECTED:
        return stemmed
    return _strip_ending(_strip_pronoun(stemmed, counts, refused), counts, refused)
