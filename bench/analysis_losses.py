"""Where Fahras's analysis joins fewer words than Lucene's light10 does, on the questions it loses.

For each question of a saved `bench/relevance.py` run whose answer Fahras ranks below 3rd, every
content word of the question is compared with the words of the relevant document: a document
word with the question word's light10 stem (Lucene's ArabicStemmer rules) but another Fahras
stem (and not its broken plural) is a conflation Lucene makes and Fahras does not. The pairs
are counted over all sets, most frequent first, to find general patterns, never single queries.

    .venv/bin/python bench/analysis_losses.py RUN [--top 60]
"""

import argparse
import json
from collections import Counter
from pathlib import Path

from search.analysis import terms_of
from search.normalize import normalize
from search.plurals import number_forms
from search.tokenize import iter_tokens

EVAL_DIR = Path("/work/shared/eval")
RUNS = Path(__file__).resolve().parent / "out" / "runs"
# Lucene's ArabicStemmer (light10): one prefix, then every suffix that fits, in this order.
LIGHT10_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
LIGHT10_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "يه", "ه", "ه", "ي")


def light10(word: str) -> str:
    """Lucene's ArabicStemmer on a normalized word (ة already ه, as its normalizer leaves it)."""
    for prefix in LIGHT10_PREFIXES:
        needed = 4 if len(prefix) == 1 else len(prefix) + 2
        if word.startswith(prefix) and len(word) >= needed:
            word = word[len(prefix) :]
            break
    for suffix in LIGHT10_SUFFIXES:
        if word.endswith(suffix) and len(word) >= len(suffix) + 2:
            word = word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    return [w for w in (normalize(t) for t, _, _ in iter_tokens(text)) if w]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run")
    parser.add_argument("--top", type=int, default=60)
    args = parser.parse_args()
    run = json.loads((RUNS / f"{args.run}.json").read_text(encoding="utf-8"))
    missed: Counter[tuple[str, str, str, str]] = Counter()
    losses = 0
    for name in ("xquad_ar", "arcd_train", "xquad_r_ar"):
        docs = {}
        for line in (EVAL_DIR / name / "docs.jsonl").open(encoding="utf-8"):
            doc = json.loads(line)
            docs[doc["id"]] = words(doc["title"] + " " + doc["text"])
        ranks = run[f"{name}/alone"]["ranks"]
        for line in (EVAL_DIR / name / "queries.jsonl").open(encoding="utf-8"):
            item = json.loads(line)
            if ranks.get(item["qid"], 0.0) > 1 / 3:
                continue
            losses += 1
            doc_words = {w for d in item["relevant"] for w in docs[d]}
            for token, _, _ in iter_tokens(item["query"]):
                exact, ours = terms_of(token)
                if ours is None:
                    continue
                for word in doc_words:
                    theirs = terms_of(word)[1]
                    if theirs is None or theirs == ours or theirs in number_forms(ours):
                        continue
                    if light10(word) == light10(exact):
                        missed[(exact, word, ours, theirs)] += 1
    print(f"{losses} questions with the answer below 3rd; Lucene-only conflations:")
    for (query_word, doc_word, ours, theirs), count in missed.most_common(args.top):
        print(f"{count:3d}  {query_word} ({ours})  ~  {doc_word} ({theirs})")


if __name__ == "__main__":
    main()
