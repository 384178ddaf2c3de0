"""Build search/data/derivations.tsv.gz: verbs in the forms news text writes them, each with
its verbal noun (انتخب–انتخاب، يستخدم–استخدام، تأسست–تأسس).

A question asks "متى تأسست الشركة" and the answer says "منذ تأسيسها", or the other way round:
a verb and its verbal noun (masdar) share their meaning but no light stem. The pairs come from
the Arramooz dictionary (GPL, the `arramooz-pysqlite` package, needed only to run this script):
each masdar names the verb it comes from. The verb is written out in the forms news text uses
most (past: he, she, they; present: he, she, we, they), and a form is kept when the news
lexicon (search/data/lexicon.tsv.gz) has it at least --min-count times and almost never with
the article: علم ("knew", but mostly "science, flag") or عمل would join unrelated nouns.
The search expands a word with its pair at query time (search/derivations.py).

    .venv/bin/pip install -e '.[data]' && .venv/bin/python scripts/build_derivations.py
"""

import argparse
import gzip
import sqlite3
from pathlib import Path

import arramooz

from search.normalize import is_arabic_word, normalize
from search.stemmer import ARTICLE_SHARE, WordCounts, lexicon

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "search" / "data" / "derivations.tsv.gz"
DICTIONARY = Path(arramooz.__file__).parent / "data" / "arabicdictionary.sqlite"
MIN_LETTERS = 3
SUKUN, SHADDA = "\u0652", "\u0651"
WEAK_LETTERS = frozenset("اويي")
PAST_ENDINGS = ("", "ت", "وا")
PRESENT_FORMS = (("ي", ""), ("ت", ""), ("ن", ""), ("ي", "ون"), ("ي", "وا"))


def present_base(vocalized: str) -> str:
    """The letters of a verb's present tense after its prefix, unvocalized and normalized.

    انتخب → ينتخب and استخدم → يستخدم lose the alef of forms VII–X; أعلن → يعلن (form IV, a
    hamza with sukun after the next letter) loses its hamza; every other verb keeps its letters
    (كتب → يكتب، درّس → يدرس، تعاون → يتعاون). Hollow and weak verbs come out wrong (قال → يقال)
    and are left to the lexicon to reject.
    """
    bare = normalize(vocalized)
    if vocalized.startswith("ا"):  # hamzat al-wasl: forms VII to X
        return bare[1:]
    if vocalized.startswith("أ") and len(vocalized) > 3 and vocalized[3] == SUKUN:
        return bare[1:]  # أَعْلَنَ: form IV
    return bare


def verb_forms(vocalized: str) -> set[str]:
    """The normalized past and present forms of a verb news text writes most often.

    A weak verb of three letters changes its present (قال → يقول، وقف → يقف): only its past.
    """
    past = normalize(vocalized)
    forms = {past + end for end in PAST_ENDINGS}
    if len(past) == 3 and set(past) & WEAK_LETTERS:
        return forms
    present = present_base(vocalized)
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


def dictionary_verbs(path: Path) -> set[str]:
    """Every verb of the dictionary, vocalized, and every verb its masdars name."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        verbs = {verb.strip() for (verb,) in db.execute("select vocalized from verbs")}
    return verbs | {verb for _, verb in dictionary_pairs(path)}


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

    found = dictionary_pairs(DICTIONARY)
    plurals = broken_plurals(DICTIONARY)
    pairs = {
        (form, masdar)
        for masdar, verb in found
        if common(masdar) and masdar not in plurals and masdar == regular_masdar(verb)
        for form in verb_forms(verb)
        if form != masdar and common(form) and verb_mostly(form, counts)
    }
    # حصلوا is حصل (got) or حصّل (collected), يعد وعد or أعدّ: a form of two verbs joins neither
    verbs: dict[str, set[str]] = {}
    for verb in dictionary_verbs(DICTIONARY):
        for form in verb_forms(verb):
            verbs.setdefault(form, set()).add(regular_masdar(verb) or normalize(verb))
    kept = sorted((form, masdar) for form, masdar in pairs if len(verbs.get(form, ())) <= 1)
    with gzip.GzipFile(OUTPUT, "wb", mtime=0) as raw:
        raw.write("".join(f"{form}\t{masdar}\n" for form, masdar in kept).encode("utf-8"))
    print(f"{len(kept):,} verb forms with their masdar (of {len(found):,} masdars) -> {OUTPUT}")


if __name__ == "__main__":
    main()
