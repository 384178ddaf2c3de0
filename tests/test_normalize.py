"""Tests for search.normalize: one table row (at least) per rule of the module docstring."""

import gzip
import itertools
import json
import unicodedata
from pathlib import Path

import pytest

from search.normalize import REMOVED, is_arabic_word, normalize, strip_marks
from search.tokenize import iter_tokens

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ant_multisource.jsonl.gz"

DIACRITIC_RANGES = [(0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED)]
DIACRITICS = [cp for lo, hi in DIACRITIC_RANGES for cp in range(lo, hi + 1)]
CONTROL_RANGES = [
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069),
    (0x061C, 0x061C), (0xFEFF, 0xFEFF), (0x00AD, 0x00AD),
]  # fmt: skip
CONTROLS = [cp for lo, hi in CONTROL_RANGES for cp in range(lo, hi + 1)]

RULES = [
    # compatibility forms (NFKC): presentation forms, ligatures, full-width Latin
    ("ﺍﻟﻜﺘﺎﺏ", "الكتاب"),
    ("ﻣﺪﺭﺳﺔ", "مدرسه"),
    ("ﻻ", "لا"),
    ("ﻷ", "لا"),
    ("ﻹ", "لا"),
    ("ﻵ", "لا"),
    ("ﻼ", "لا"),  # final lam-alef
    ("ﷲ", "الله"),
    ("ＡＢＣ", "abc"),
    # diacritics, real words
    ("كِتَابٌ", "كتاب"),
    ("مُدَرِّسَةٌ", "مدرسه"),
    ("هٰذا", "هذا"),  # dagger alef U+0670
    ("صلىٰ", "صلي"),
    ("ٱلْحَمْدُ", "الحمد"),
    # tatweel
    ("الكتـــاب", "الكتاب"),
    ("جـميـل", "جميل"),
    # invisible controls inside a word
    ("مدرسة\u200cها", "مدرسهها"),
    ("\u200fكتاب\u200e", "كتاب"),
    ("\ufeffكتاب", "كتاب"),
    ("كتا\u00adب", "كتاب"),
    # alef variants
    ("أحمد", "احمد"),
    ("إسلام", "اسلام"),
    ("آمن", "امن"),
    ("ٱلله", "الله"),
    ("ٲ", "ا"),
    ("ٳ", "ا"),
    ("قرآن", "قران"),
    # alef maqsura, teh marbuta
    ("مستشفى", "مستشفي"),
    ("على", "علي"),
    ("مدرسة", "مدرسه"),
    # Persian and Urdu letter shapes
    ("کتاب", "كتاب"),
    ("ڪتاب", "كتاب"),
    ("ایران", "ايران"),
    ("ېمن", "يمن"),
    ("مدرسە", "مدرسه"),
    ("خانۀ", "خانه"),
    ("مدرسہ", "مدرسه"),
    ("ھذا", "هذا"),
    # hamza on a carrier
    ("مسؤول", "مسءول"),
    ("مسئول", "مسءول"),
    ("شؤون", "شءون"),
    ("رئيس", "رءيس"),
    ("سؤال", "سءال"),
    # digits of several scripts
    ("٢٠٢٠", "2020"),
    ("۱۴۰۰", "1400"),
    ("४२", "42"),
    ("১২", "12"),
    ("１２", "12"),
    ("عام ٢٠٢٠", "عام 2020"),
    # Latin case folding, ASCII fast path and mixed text
    ("COVID", "covid"),
    ("iPhone الجديد", "iphone الجديد"),
    ("Straße", "strasse"),
    ("ÉCOLE", "école"),
    # everything at once
    ("ﺍﻟﻤُﺴْﺘَﺸْﻔَﻰ الكبيـــرة في عام ٢٠٢٠", "المستشفي الكبيره في عام 2020"),
]


@pytest.mark.parametrize(("text", "expected"), RULES)
def test_normalize_rules(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize("codepoint", DIACRITICS, ids=lambda cp: f"U+{cp:04X}")
def test_every_diacritic_is_removed(codepoint: int) -> None:
    assert normalize("ك" + chr(codepoint) + "تاب") == "كتاب"
    assert strip_marks("ك" + chr(codepoint) + "تاب") == "كتاب"


@pytest.mark.parametrize("codepoint", CONTROLS, ids=lambda cp: f"U+{cp:04X}")
def test_every_invisible_control_is_removed(codepoint: int) -> None:
    assert normalize("ك" + chr(codepoint) + "تاب") == "كتاب"
    assert strip_marks("ك" + chr(codepoint) + "تاب") == "كتاب"


def test_removed_set_is_exactly_the_documented_ranges() -> None:
    assert set(DIACRITICS) | set(CONTROLS) | {0x0640} == REMOVED


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("مستشفى", "مستشفي"),
        ("مسؤول", "مسئول"),
        ("شؤون", "شئون"),
        ("مدرسة", "مدرسه"),
        ("أحمد", "احمد"),
        ("کتاب", "كتاب"),
        ("٢٠٢٠", "2020"),
        ("ﺍﻟﻜﺘﺎﺏ", "الكتاب"),
        ("كِتَابٌ", "كتـــاب"),
    ],
)
def test_variants_meet(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("سؤال", "سوال"),  # hamza carrier stays distinct from bare و
        ("رئيس", "رييس"),  # and from bare ي
        ("كتاب", "كاتب"),
        ("ة", "ت"),
    ],
)
def test_distinct_words_stay_apart(a: str, b: str) -> None:
    assert normalize(a) != normalize(b)


@pytest.mark.parametrize("word", ["مسؤول", "رئيس"])
def test_decomposed_hamza_meets_precomposed(word: str) -> None:
    assert normalize(unicodedata.normalize("NFD", word)) == normalize(word)


def test_arabic_decimal_separator_meets_ascii() -> None:
    assert normalize("٣٫٥") == normalize("3.5")


@pytest.mark.parametrize("text", [text for text, _ in RULES])
def test_idempotent_on_rule_inputs(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


def test_idempotent_on_corpus_words() -> None:
    if not CORPUS.exists():
        pytest.skip(f"corpus not found: {CORPUS}")
    words: set[str] = set()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in itertools.islice(lines, 200):
            record = json.loads(line)
            text = f"{record.get('title') or ''} {record.get('body') or ''}"
            words.update(token for token, _, _ in iter_tokens(text))
    assert len(words) > 1000
    not_idempotent = [w for w in words if normalize(normalize(w)) != normalize(w)]
    assert not_idempotent == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("كِتَابٌ", "كتاب"),
        ("الكتـــاب", "الكتاب"),
        ("أَحْمَد", "أحمد"),  # letters kept as written: hamza alef stays
        ("مدرسةٌ", "مدرسة"),  # ة stays
        ("مستشفى", "مستشفى"),  # ى stays
        ("\u200fنص\u200b", "نص"),
        ("ﻻ", "ﻻ"),  # no NFKC
        ("COVID", "COVID"),  # no case folding
        ("٢٠٢٠", "٢٠٢٠"),  # digits as written
    ],
)
def test_strip_marks(text: str, expected: str) -> None:
    assert strip_marks(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("كتاب", True),
        ("سءال", True),
        ("مستشفي", True),
        ("", False),
        ("covid", False),
        ("كتاب1", False),
        ("2020", False),
        ("الكتاب الجديد", False),
        ("مدرسة", False),  # not normalized: ة
        ("أحمد", False),  # not normalized: أ
        ("كِتاب", False),  # not normalized: kasra
        ("ﻻ", False),  # not normalized: ligature
        ("پژوهش", False),  # Persian پ is outside the folded alphabet
    ],
)
def test_is_arabic_word(word: str, expected: bool) -> None:
    assert is_arabic_word(word) is expected
