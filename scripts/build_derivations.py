"""Build search/data/derivations.tsv.gz: the forms of one verb (فاز، فازت، فازوا، يفوز) with
each other, and augmented verbs' forms with their verbal noun (ينتخب–انتخاب، يستخدم–استخدام).

A question asks "متى انتخب الرئيس" and the answer says "منذ انتخابه", or "من فاز" and the
answer "فازوا": light stemming never strips a verb's person or tense, and a verb and its verbal
noun (masdar) share their meaning but no stem. The verbs come from the Arramooz dictionary (GPL,
the `arramooz-pysqlite` package, needed only to run this script), with the vowel of their
present, and each masdar names its verb; only augmented verbs' masdars are used, those that
their pattern gives (درّب → تدريب): form I's follow no rule. A verb is written out in the
forms news text uses most (past: he, she, they; present: he, she, we, they), and a form is kept
when the news lexicon (search/data/lexicon.tsv.gz) has it at least --min-count times, almost
never with the article (علم, "knew", is mostly "science, flag"), and no other verb of the
dictionary has it (يعد: وعد or عدّ). The search expands a word with its pairs at query time
(search/derivations.py).

    .venv/bin/pip install -e '.[data]' && .venv/bin/python scripts/build_derivations.py
"""

import argparse
import gzip
import sqlite3
from itertools import combinations
from pathlib import Path

import arramooz

from search.normalize import is_arabic_word, normalize
from search.stemmer import ARTICLE_SHARE, WordCounts, lexicon, stem

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "search" / "data" / "derivations.tsv.gz"
DICTIONARY = Path(arramooz.__file__).parent / "data" / "arabicdictionary.sqlite"
MIN_LETTERS = 3
SUKUN, SHADDA = "\u0652", "\u0651"
WEAK_LETTERS = frozenset("اوي")
PRESENT_VOWELS = {"ضمة": "و", "كسرة": "ي", "فتحة": "ا"}  # قال يقول، باع يبيع، خاف يخاف
PAST_ENDINGS = ("", "ت", "وا")
PRESENT_FORMS = (("ي", ""), ("ت", ""), ("ن", ""), ("ي", "ون"), ("ي", "وا"))


def present_base(vocalized: str, vowel: str | None) -> str | None:
    """The letters of a verb's present tense after its prefix, unvocalized and normalized, given
    the vowel of its present (the dictionary's future_type); None when it cannot be told.

    انتخب → ينتخب and استخدم → يستخدم lose the alef of forms VII–X; أعلن → يعلن (form IV, a
    hamza with sukun after the next letter) loses its hamza; a weak verb of form I follows its
    vowel: وعد → يعد، قال → يقول، باع → يبيع، خاف → يخاف، دعا → يدعو، رمى → يرمي; every
    other verb keeps its letters (كتب → يكتب، درّس → يدرس، تعاون → يتعاون).
    """
    bare = normalize(vocalized)
    if vocalized.startswith("ا"):  # hamzat al-wasl: forms VII to X
        return bare[1:]
    if vocalized.startswith("أ") and len(vocalized) > 3 and vocalized[3] == SUKUN:
        return bare[1:]  # أَعْلَنَ: form IV
    if len(bare) != 3 or SHADDA in vocalized or not set(bare) & WEAK_LETTERS:
        return bare
    if vowel not in PRESENT_VOWELS:
        return None
    if bare[0] == "و":
        return bare[1:] if vowel == "كسرة" else bare
    if bare[1] == "ا":
        return bare[0] + PRESENT_VOWELS[vowel] + bare[2]
    if bare[2] in "اي":
        return bare[:2] + ("و" if vowel == "ضمة" else "ي")
    return bare


def verb_forms(vocalized: str, vowel: str | None) -> set[str]:
    """The normalized past and present forms of a verb news text writes most often (only the
    past when its present cannot be told)."""
    forms = {normalize(vocalized) + end for end in PAST_ENDINGS}
    present = present_base(vocalized, vowel)
    if present is None:
        return forms
    return forms | {pre + present + end for pre, end in PRESENT_FORMS}


def regular_masdar(vocalized: str) -> str | None:
    """The verbal noun an augmented verb's pattern gives, normalized; None for a verb of form I,
    whose verbal nouns follow no rule and whose forms are nouns too (علم، عمل، ذكر).

    درّب → تدريب، ساعد → مساعدة، أعلن → إعلان، تعاون → تعاون، انتخب → انتخاب، استخدم → استخدام.
    """
    past = normalize(vocalized)
    if len(past) == 3 and SHADDA in vocalized:  # form II
        return "ت" + past[:2] + "ي" + past[2]
    if len(past) == 4 and past[1] == "ا":  # form III
        return "م" + past + "ه"
    if past.startswith("ت") and len(past) in (4, 5):  # forms V and VI: the verb's own letters
        return past
    if past.startswith("ا") and len(past) in (4, 5, 6):  # forms IV, VII, VIII, X
        return past[:-1] + "ا" + past[-1]
    return None


def dictionary_pairs(path: Path) -> set[tuple[str, str]]:
    """(masdar, vocalized verb) of every verbal noun that names its verb."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "select unvocalized, original from nouns where wordtype like '%مصدر' and original != ''"
        )
        return {
            (normalize(masdar), verb.strip())
            for masdar, verb in rows
            if is_arabic_word(normalize(masdar))
            and len(normalize(masdar)) >= MIN_LETTERS
            and not masdar.endswith("ات")  # حملات: a plural, listed as a masdar
        }


def dictionary_verbs(path: Path) -> dict[str, str | None]:
    """Every verb of the dictionary, vocalized, and every verb its masdars name, with the vowel
    of its present (None when the dictionary does not say)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("select vocalized, future_type from verbs")
        verbs: dict[str, str | None] = {verb.strip(): vowel for verb, vowel in rows}
    return {verb: None for _, verb in dictionary_pairs(path)} | verbs


def broken_plurals(path: Path) -> set[str]:
    """Every broken plural of the dictionary, normalized: أخبار (news) is no masdar of أخبر."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("select broken_plural from nouns where broken_plural != ''")
        return {normalize(p) for (plurals,) in rows for p in plurals.replace(";", " ").split()}


def verb_mostly(word: str, counts: dict[str, WordCounts]) -> bool:
    """Whether a form is a verb: nouns are seen with the article (العلم), verbs hardly ever."""
    return counts[word].with_article <= ARTICLE_SHARE * counts[word].total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-count", type=int, default=20)
    args = parser.parse_args()
    counts = lexicon()

    def common(word: str) -> bool:
        entry = counts.get(word)
        return entry is not None and entry.total >= args.min_count

    # يعد is وعد or أعدّ: a form of two verbs joins neither; حصلوا is حصل (got) or حصّل
    # (collected), one verb's forms but two masdars
    verbs: dict[str, set[str]] = {}
    senses: dict[str, set[str]] = {}
    vowels = dictionary_verbs(DICTIONARY)
    for verb, vowel in vowels.items():
        for form in verb_forms(verb, vowel):
            verbs.setdefault(form, set()).add(normalize(verb))
            senses.setdefault(form, set()).add(regular_masdar(verb) or normalize(verb))

    def verb_form(form: str, of: dict[str, set[str]]) -> bool:
        """A form news text uses as a verb, of one verb, whose stem is the form itself or
        another form of that verb: عدوا (they counted) stems to عدو (enemy), كلفت (she
        charged) to لفت (drew)."""
        stemmed = stem(form)
        return (
            common(form)
            and verb_mostly(form, counts)
            and len(of.get(form, ())) == 1
            and (stemmed == form or of.get(stemmed) == of[form])
        )

    found = dictionary_pairs(DICTIONARY)
    plurals = broken_plurals(DICTIONARY)
    masdars = {
        (form, masdar)
        for masdar, verb in found
        if common(masdar) and masdar not in plurals and masdar == regular_masdar(verb)
        for form in verb_forms(verb, vowels.get(verb))
        if form != masdar and verb_form(form, senses)
    }
    families: dict[str, set[str]] = {}  # a verb's forms: فاز، فازت، فازوا
    for form, (verb, *others) in verbs.items():
        if not others and verb_form(form, verbs):
            families.setdefault(verb, set()).add(form)
    tenses = {pair for forms in families.values() for pair in combinations(sorted(forms), 2)}
    kept = sorted(masdars | tenses)
    with gzip.GzipFile(OUTPUT, "wb", mtime=0) as raw:
        raw.write("".join(f"{a}\t{b}\n" for a, b in kept).encode("utf-8"))
    print(
        f"{len(masdars):,} verb forms with their masdar (of {len(found):,} masdars), "
        f"{len(tenses):,} pairs of forms of {len(families):,} verbs -> {OUTPUT}"
    )


if __name__ == "__main__":
    main()
