"""Build search/data/lexicon.tsv.gz: article-free word frequencies that guard the stemmer.

The stemmer strips a clitic only when what remains is itself a common word (see
search/stemmer.py). The counts come from the ANT news corpora (Apache-2.0), read in place from
../shared/corpus; only word counts are kept, never text. Re-run after changing normalization, then
bump ANALYSIS_VERSION in search/analysis.py (existing indexes must be rebuilt).

It writes search/data/own_article.txt.gz first: the words that only look like a particle before
the article (كاليفورنيا، فالنسيا، والده، بالغة), whose remainder the news never uses with the
article or without it, so that the counts below keep them whole.

    python scripts/build_lexicon.py [--min-count 3]
"""

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path

from search.normalize import is_arabic_word, normalize
from search.stemmer import ARTICLE_PREFIXES, own_article_words, strip_article
from search.tokenize import iter_tokens

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ("ant_multisource.jsonl.gz", "ant_jawharafm.jsonl.gz")
OUTPUT = ROOT / "search" / "data" / "lexicon.tsv.gz"
OWN_ARTICLE_OUTPUT = ROOT / "search" / "data" / "own_article.txt.gz"
# A word keeps its ال when it is this common and its remainder, with the article or bare, is
# rarer than OWN_ARTICLE_RATIO times the word: كاليفورنيا (477) has no اليفورنيا nor يفورنيا,
# while بالنسبة (2,502) has النسبة and نسبة (2,187). Fewer occurrences prove nothing: the
# article of a rare noun (والمعقمات) may simply not be seen without its و.
OWN_ARTICLE_MIN = 20
OWN_ARTICLE_RATIO = 0.1
# Particles before the article; a bare ال and the ل of لل (see stemmer.strip_article) are not
# judged here.
PARTICLE_ARTICLES = tuple(p for p in ARTICLE_PREFIXES if len(p) > 2 and not p.endswith("لل"))


def count_forms(corpus_dir: Path) -> Counter[str]:
    """How often each normalized Arabic word occurs, as written (clitics and all)."""
    forms: Counter[str] = Counter()
    for name in CORPORA:
        with gzip.open(corpus_dir / name, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                text = f"{record.get('title') or ''}\n{record.get('body') or ''}"
                for token, _, _ in iter_tokens(text):
                    word = normalize(token)
                    if is_arabic_word(word):
                        forms[word] += 1
    return forms


def own_article(forms: Counter[str]) -> list[str]:
    """The words whose leading particle and ال are letters of their own (كاليفورنيا)."""
    own = []
    for word, count in forms.items():
        prefix = next((p for p in PARTICLE_ARTICLES if word.startswith(p)), None)
        if prefix is None or count < OWN_ARTICLE_MIN or len(word) - len(prefix) < 2:
            continue
        remainder = word[len(prefix) :]
        if forms["ال" + remainder] + forms[remainder] < OWN_ARTICLE_RATIO * count:
            own.append(word)
    return sorted(own)


def count_words(forms: Counter[str]) -> tuple[Counter[str], Counter[str]]:
    """Count article-free forms, and separately how often each one carried an article."""
    counts: Counter[str] = Counter()
    with_article: Counter[str] = Counter()
    for word, count in forms.items():
        bare = strip_article(word)
        counts[bare] += count
        if bare != word:
            with_article[bare] += count
    return counts, with_article


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-dir", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--min-count", type=int, default=3)
    args = parser.parse_args()
    forms = count_forms(args.corpus_dir)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    own = own_article(forms)
    with gzip.GzipFile(OWN_ARTICLE_OUTPUT, "wb", mtime=0) as raw:
        raw.write("".join(f"{word}\n" for word in own).encode("utf-8"))
    print(f"{len(own):,} words keep their particle and ال -> {OWN_ARTICLE_OUTPUT}")
    own_article_words.cache_clear()  # strip_article reads the list just written
    counts, with_article = count_words(forms)
    kept = sorted(
        (w for w, c in counts.items() if c >= args.min_count), key=lambda w: (-counts[w], w)
    )
    with gzip.GzipFile(OUTPUT, "wb", mtime=0) as raw:
        rows = (f"{w}\t{counts[w]}\t{with_article[w]}\n" for w in kept)
        raw.write("".join(rows).encode("utf-8"))
    print(f"{len(kept):,} words (of {len(counts):,}) with count >= {args.min_count} -> {OUTPUT}")


if __name__ == "__main__":
    main()
