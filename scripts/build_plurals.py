"""Build search/data/plurals.tsv.gz (singular–broken plural pairs: مدرسة–مدارس، سلاح–أسلحة)
and search/data/ta_marbuta_nouns.txt.gz (nouns in ة that are words of their own: مدرسة, مكتبة).

Light stemming cannot join a broken plural to its singular: the plural changes the word's
inside. The pairs come from the Arramooz Arabic dictionary (GPL, the `arramooz-pysqlite`
package, needed only to run this script): its nouns' broken-plural column, without elatives
(أحسن: حسنى is a feminine, not a plural). A pair is kept when both words occur in the news
lexicon (search/data/lexicon.tsv.gz) at least --min-count times and the plural is mostly a noun
(seen with the article) and no singular itself: the rest are classical forms that news text
never uses, or homographs (كتب "wrote") that would only add noise.
The search expands a word with its pair at query time (search/plurals.py).

    .venv/bin/pip install -e '.[data]' && .venv/bin/python scripts/build_plurals.py
"""

import argparse
import gzip
import sqlite3
from pathlib import Path

import arramooz

from search.normalize import is_arabic_word, normalize
from search.stemmer import WordCounts, lexicon

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "search" / "data" / "plurals.tsv.gz"
TA_MARBUTA_OUTPUT = ROOT / "search" / "data" / "ta_marbuta_nouns.txt.gz"
PRONOUN_EVIDENCE = 3
PLURAL_ARTICLE_SHARE = 0.25
MIN_LETTERS = 3  # اس (foundation) and such: too short to tell apart
DICTIONARY = Path(arramooz.__file__).parent / "data" / "arabicdictionary.sqlite"


def dictionary_pairs(path: Path) -> set[tuple[str, str]]:
    """(singular, plural) in normalized form, from the dictionary's broken-plural column."""
    pairs: set[tuple[str, str]] = set()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "select vocalized, broken_plural from nouns"
            " where broken_plural != '' and wordtype not like '%تفضيل%'"
        )  # an elative's "plurals" (أحسن: حسنى) are its feminine forms
        for singular, plurals in rows:
            for plural in plurals.replace(";", " ").split():
                if ":" in plural:  # "مؤ:" — the feminine forms follow, not plurals
                    break
                if not plural.startswith(("+", "و")):  # +ات is the stemmer's job
                    pairs.add((normalize(singular), normalize(plural)))
    return {
        (s, p)
        for s, p in pairs
        if s != p
        and len(s) >= MIN_LETTERS
        and len(p) >= len(s) - 1
        and p != "جمع"
        and is_arabic_word(s)
        and is_arabic_word(p)
    }


def ta_marbuta_nouns(path: Path) -> set[str]:
    """Words ending in ة that the dictionary lists as nouns of their own (normalized).

    مدرسة (school) and مكتبة (library) are entries; جديدة and كبيرة are not: they are only the
    feminine of جديد and كبير, and the stemmer may take their ة away.
    """
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("select unvocalized from nouns where unvocalized like '%ة'")
        return {normalize(word) for (word,) in rows if is_arabic_word(normalize(word))}


def noun_mostly(word: str, counts: dict[str, WordCounts]) -> bool:
    """Whether a plural is seen with the article in PLURAL_ARTICLE_SHARE of its occurrences:
    كتب (books) is mostly the verb "wrote", قطع (pieces) mostly "cut"."""
    return counts[word].with_article >= PLURAL_ARTICLE_SHARE * counts[word].total


def not_pronoun(word: str, counts: dict[str, WordCounts]) -> bool:
    """Whether a word in ه reads as the noun in ة rather than a pronoun on the noun before it.

    Normalized text cannot tell كتابة (writing) from كتابه (his book): the noun shows with the
    article (الكتابة), the pronoun reading by its siblings with ها and هم (كتابها، كتابهم).
    The noun must be PRONOUN_EVIDENCE times better attested: عمله stays "his work" although
    العملة (the currency) is common.
    """
    base = word[:-1]
    siblings = sum(counts[form].total for form in (base + "ها", base + "هم") if form in counts)
    return counts[word].with_article >= PRONOUN_EVIDENCE * siblings


def write_gzip(path: Path, lines: list[str]) -> None:
    with gzip.GzipFile(path, "wb", mtime=0) as raw:
        raw.write("".join(f"{line}\n" for line in lines).encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-count", type=int, default=20)
    args = parser.parse_args()
    counts = lexicon()

    def common(word: str) -> bool:
        entry = counts.get(word)
        return entry is not None and entry.total >= args.min_count

    found = dictionary_pairs(DICTIONARY)
    singulars = {s for s, _ in found}
    kept = sorted(
        (s, p)
        for s, p in found
        # كتاب is the plural of كاتب (writers) but far more often a singular (book) with a
        # plural of its own: a plural that is also a singular joins unrelated words
        if common(s) and common(p) and noun_mostly(p, counts) and p not in singulars
    )
    write_gzip(OUTPUT, [f"{s}\t{p}" for s, p in kept])
    print(f"{len(kept):,} pairs (of {len(found):,} in the dictionary) -> {OUTPUT}")
    nouns = sorted(
        word for word in ta_marbuta_nouns(DICTIONARY) if common(word) and not_pronoun(word, counts)
    )
    write_gzip(TA_MARBUTA_OUTPUT, nouns)
    print(f"{len(nouns):,} nouns in ة -> {TA_MARBUTA_OUTPUT}")


if __name__ == "__main__":
    main()
