"""Build search/data/lexicon.tsv.gz: article-free word frequencies that guard the stemmer.

The stemmer strips a clitic only when what remains is itself a common word (see
search/stemmer.py). The counts come from the ANT news corpora (Apache-2.0), read in place from
../shared/corpus; only word counts are kept, never text. Re-run after changing normalization, then
bump ANALYSIS_VERSION in search/analysis.py (existing indexes must be rebuilt).

    python scripts/build_lexicon.py [--min-count 3]
"""

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path

from search.normalize import is_arabic_word, normalize
from search.stemmer import strip_article
from search.tokenize import iter_tokens

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ("ant_multisource.jsonl.gz", "ant_jawharafm.jsonl.gz")
OUTPUT = ROOT / "search" / "data" / "lexicon.tsv.gz"


def count_words(corpus_dir: Path) -> tuple[Counter[str], Counter[str]]:
    """Count article-free forms, and separately how often each one carried an article."""
    counts: Counter[str] = Counter()
    with_article: Counter[str] = Counter()
    for name in CORPORA:
        with gzip.open(corpus_dir / name, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                text = f"{record.get('title') or ''}\n{record.get('body') or ''}"
                for token, _, _ in iter_tokens(text):
                    word = normalize(token)
                    if is_arabic_word(word):
                        bare = strip_article(word)
                        counts[bare] += 1
                        if bare != word:
                            with_article[bare] += 1
    return counts, with_article


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-dir", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--min-count", type=int, default=3)
    args = parser.parse_args()
    counts, with_article = count_words(args.corpus_dir)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    kept = sorted(
        (w for w, c in counts.items() if c >= args.min_count), key=lambda w: (-counts[w], w)
    )
    with gzip.GzipFile(OUTPUT, "wb", mtime=0) as raw:
        rows = (f"{w}\t{counts[w]}\t{with_article[w]}\n" for w in kept)
        raw.write("".join(rows).encode("utf-8"))
    print(f"{len(kept):,} words (of {len(counts):,}) with count >= {args.min_count} -> {OUTPUT}")


if __name__ == "__main__":
    main()
