"""Counted nouns in the pages follow Arabic grammar (issue 9 §4): one and two are phrases of
their own (نتيجة واحدة، نتيجتان), 3-10 take the plural (٣ نتائج), 11-99 the singular as tamyiz
(accusative where it shows: ١١ مقالًا), and round hundreds the singular (١٠٠ مقال); a number is
read by its last two digits, so 103 counts like 3 and 111 like 11 (CLDR's Arabic rules)."""

import pytest

from webapp import arabic

TABLE = [
    # n, RESULTS, ARTICLES, PAGES
    (1, "نتيجة واحدة", "مقال واحد", "صفحة واحدة"),
    (2, "نتيجتان", "مقالان", "صفحتان"),
    (3, "٣ نتائج", "٣ مقالات", "٣ صفحات"),
    (10, "١٠ نتائج", "١٠ مقالات", "١٠ صفحات"),
    (11, "١١ نتيجة", "١١ مقالًا", "١١ صفحة"),
    (25, "٢٥ نتيجة", "٢٥ مقالًا", "٢٥ صفحة"),
    (99, "٩٩ نتيجة", "٩٩ مقالًا", "٩٩ صفحة"),
    (100, "١٠٠ نتيجة", "١٠٠ مقال", "١٠٠ صفحة"),
    (101, "١٠١ نتيجة", "١٠١ مقال", "١٠١ صفحة"),
    (102, "١٠٢ نتيجة", "١٠٢ مقال", "١٠٢ صفحة"),
    (103, "١٠٣ نتائج", "١٠٣ مقالات", "١٠٣ صفحات"),
    (111, "١١١ نتيجة", "١١١ مقالًا", "١١١ صفحة"),
    (200, "٢٠٠ نتيجة", "٢٠٠ مقال", "٢٠٠ صفحة"),
    (1000, "١٬٠٠٠ نتيجة", "١٬٠٠٠ مقال", "١٬٠٠٠ صفحة"),
    (31525, "٣١٬٥٢٥ نتيجة", "٣١٬٥٢٥ مقالًا", "٣١٬٥٢٥ صفحة"),
]


@pytest.mark.parametrize(("n", "results", "articles", "pages"), TABLE)
def test_counted_forms(n: int, results: str, articles: str, pages: str) -> None:
    assert arabic.counted(n, arabic.RESULTS) == results
    assert arabic.counted(n, arabic.ARTICLES) == articles
    assert arabic.counted(n, arabic.PAGES) == pages
