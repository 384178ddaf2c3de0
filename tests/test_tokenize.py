"""Tests for search.tokenize: whole Arabic words, punctuation splits, URLs, numbers, offsets."""

import gzip
import itertools
import json
from pathlib import Path

import pytest

from search.tokenize import TOKEN_PATTERN, iter_tokens, token_pattern

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ant_multisource.jsonl.gz"


def words(text: str) -> list[str]:
    return [token for token, _, _ in iter_tokens(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # diacritized words stay whole
        ("مَدْرَسَةٌ", ["مَدْرَسَةٌ"]),
        ("ذَهَبَ الطُّلَّابُ إِلَى المَدْرَسَةِ", ["ذَهَبَ", "الطُّلَّابُ", "إِلَى", "المَدْرَسَةِ"]),
        ("ٱلْحَمْدُ لِلَّٰهِ", ["ٱلْحَمْدُ", "لِلَّٰهِ"]),
        # tatweel inside words
        ("الكتـــاب جميـل", ["الكتـــاب", "جميـل"]),
        # ZWNJ inside a word
        ("مدرسة\u200cها", ["مدرسة\u200cها"]),
        # Arabic punctuation splits
        ("أولاً، ثانياً", ["أولاً", "ثانياً"]),
        ("قال؛ ثم", ["قال", "ثم"]),
        ("لماذا؟نعم", ["لماذا", "نعم"]),
        ("«بيروت»", ["بيروت"]),
        ("قال:«نعم»،وذهب", ["قال", "نعم", "وذهب"]),
        ("في (بيروت) [قال]", ["في", "بيروت", "قال"]),
        # URLs: one token, trailing punctuation excluded
        ("زوروا https://example.com/a?b=1. ثم", ["زوروا", "https://example.com/a?b=1", "ثم"]),
        ("الموقع http://a.b/c?d=e، ثم", ["الموقع", "http://a.b/c?d=e", "ثم"]),
        ("(https://x.org/a)", ["https://x.org/a"]),
        ("«https://x.org/مقال»", ["https://x.org/مقال"]),
        # e-mail addresses
        ("راسلنا على info@fahras.org.", ["راسلنا", "على", "info@fahras.org"]),
        ("first.last+tag@mail.example.com", ["first.last+tag@mail.example.com"]),
        # numbers with decimal or thousands separators
        ("بلغ 3.5 مليون", ["بلغ", "3.5", "مليون"]),
        ("1,200 دولار", ["1,200", "دولار"]),
        ("2.000.000", ["2.000.000"]),
        ("٣٫٥ ٪", ["٣٫٥"]),
        ("٢٠٢٠", ["٢٠٢٠"]),
        ("۱۴۰۰", ["۱۴۰۰"]),
        # mixed Latin and digits
        ("شبكة 5G الجديدة", ["شبكة", "5G", "الجديدة"]),
        ("فيروس COVID19", ["فيروس", "COVID19"]),
        ("ملف mp3", ["ملف", "mp3"]),
        ("covid-19", ["covid", "19"]),
        # an Arabic letter directly followed by digits splits
        ("و3 سيارات", ["و", "3", "سيارات"]),
        ("و1,200", ["و", "1,200"]),
        ("ب٢٠٢٠", ["ب", "٢٠٢٠"]),
        ("وCOVID19", ["و", "COVID19"]),
        # presentation forms stay whole
        ("ﺍﻟﻜﺘﺎﺏ ﻻ", ["ﺍﻟﻜﺘﺎﺏ", "ﻻ"]),
        # Persian letters are Arabic-script word characters
        ("پژوهش", ["پژوهش"]),
        # nothing to index
        ("", []),
        ("، ؛ ؟ « » .", []),
    ],
)
def test_iter_tokens(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قرأتُ الكِتَابَ، ثم", [("قرأتُ", 0, 5), ("الكِتَابَ", 6, 15), ("ثم", 17, 19)]),
        ("الكتـــاب", [("الكتـــاب", 0, 9)]),
        ("و3", [("و", 0, 1), ("3", 1, 2)]),
        ("انظر https://a.org.", [("انظر", 0, 4), ("https://a.org", 5, 18)]),
    ],
)
def test_offsets(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert list(iter_tokens(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ذَهَبَ الطُّلَّابُ إِلَى المَدْرَسَةِ فِي الصَّبَاحِ، وَقَرَأُوا «الكِتَابَ»؟",
        "الكتـــاب\u200fالجديد ﺍﻟﻜﺘﺎﺏ ٢٠٢٠ info@x.org https://x.org/a.",
    ],
)
def test_offsets_point_at_original_text(text: str) -> None:
    tokens = list(iter_tokens(text))
    assert tokens
    for token, start, end in tokens:
        assert text[start:end] == token


def test_offsets_on_corpus_sample() -> None:
    if not CORPUS.exists():
        pytest.skip(f"corpus not found: {CORPUS}")
    checked = 0
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in itertools.islice(lines, 50):
            body = json.loads(line).get("body") or ""
            previous_end = 0
            for token, start, end in iter_tokens(body):
                assert body[start:end] == token
                assert start >= previous_end
                assert not any(c.isspace() for c in token)
                previous_end = end
                checked += 1
    assert checked > 1000


def test_the_pattern_for_texts_without_links_finds_the_same_tokens() -> None:
    """token_pattern() leaves out the URL and e-mail alternatives where they cannot match:
    on real articles, and on the same articles with a link or an address put inside."""
    if not CORPUS.exists():
        pytest.skip(f"corpus not found: {CORPUS}")
    links = " https://example.com/ar/مقال?id=7. و info@news.example.org، "
    faster = 0
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in itertools.islice(lines, 400):
            record = json.loads(line)
            text = f"{record.get('title') or ''}\n{record.get('body') or ''}"
            middle = len(text) // 2
            for variant in (text, text[:middle] + links + text[middle:], text + " a@b"):
                assert token_pattern(variant).findall(variant) == TOKEN_PATTERN.findall(variant)
            faster += token_pattern(text) is not TOKEN_PATTERN
    assert faster > 300  # nearly every article holds neither
    assert words("راسلونا: info@news.example.org") == ["راسلونا", "info@news.example.org"]
    assert words("انظر https://x.org/a،") == ["انظر", "https://x.org/a"]
