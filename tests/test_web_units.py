"""The web app's pure parts: settings, Arabic formatting, parameter reading and URL building."""

from pathlib import Path

import pytest

from search import notices
from webapp import arabic
from webapp.messages import notice
from webapp.params import ParamError, SearchParams, parse_search_args
from webapp.settings import SETTINGS, SettingsError, load_settings, settings_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
README = Path(__file__).resolve().parents[1] / "README.md"


def test_settings_defaults_environment_and_overrides() -> None:
    values = load_settings({"FAHRAS_PER_PAGE": "20"}, {"FAHRAS_SITE_TITLE": "أرشيف"})
    assert values["FAHRAS_INDEX"] == "index"
    assert values["FAHRAS_PER_PAGE"] == 20
    assert values["FAHRAS_SITE_TITLE"] == "أرشيف"
    assert values["FAHRAS_EMBED_ORIGINS"] == "*"


@pytest.mark.parametrize(
    "environ", [{"FAHRAS_PER_PAGE": "ten"}, {"FAHRAS_PER_PAGE": "0"}, {"FAHRAS_INDEX": " "}]
)
def test_bad_settings_name_the_variable(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=next(iter(environ))):
        load_settings(environ)


def test_every_setting_is_documented() -> None:
    assert settings_markdown() in DOCS.read_text(encoding="utf-8")
    assert settings_markdown() in README.read_text(encoding="utf-8")
    assert all(setting.help for setting in SETTINGS)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(0, 0, "٠"), (3456, 0, "٣٬٤٥٦"), (1234567, 0, "١٬٢٣٤٬٥٦٧"), (4.5, 1, "٤٫٥")],
)
def test_numbers_in_arabic_digits(value: float, decimals: int, expected: str) -> None:
    assert arabic.number(value, decimals) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "نتيجة واحدة"),
        (2, "نتيجتان"),
        (3, "٣ نتائج"),
        (10, "١٠ نتائج"),
        (11, "١١ نتيجة"),
        (99, "٩٩ نتيجة"),
        (100, "١٠٠ نتيجة"),
        (103, "١٠٣ نتائج"),
        (3456, "٣٬٤٥٦ نتيجة"),
    ],
)
def test_counted_nouns_follow_arabic_plural_rules(n: int, expected: str) -> None:
    assert arabic.counted(n, arabic.RESULTS) == expected


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2019-10-04T00:00:00", "٤ أكتوبر ٢٠١٩"),
        ("2019-10-04", "٤ أكتوبر ٢٠١٩"),
        ("2019-10", "أكتوبر ٢٠١٩"),
        ("2019", "٢٠١٩"),
        ("2019-13-40", "٢٠١٩-١٣-٤٠"),
        (None, ""),
    ],
)
def test_dates_in_arabic(iso: str | None, expected: str) -> None:
    assert arabic.day(iso) == expected


def test_engine_notices_in_arabic_unknown_ones_kept() -> None:
    assert notice(notices.query_cut(500).as_dict()) == "اقتُطع الاستعلام إلى أول ٥٠٠ حرف."
    assert notice(notices.words_cut(24).as_dict()) == "استُخدمت أول ٢٤ كلمة فقط."
    assert notice(notices.phrase_timeout().as_dict()).startswith("استغرق")
    assert notice({"code": "new", "message": "something new"}) == "something new"


def test_parameters_round_trip_to_canonical_urls() -> None:
    args = {
        "q": ["كتاب"],
        "category": ["ثقافة", "ثقافة", " ", "صحة"],
        "from": ["2019"],
        "sort": ["newest"],
        "page": ["2"],
        "per_page": [""],
    }
    params = parse_search_args(args, 10)
    assert params == SearchParams(
        q="كتاب",
        filters={"category": ("ثقافة", "صحة")},
        date_from="2019",
        sort="newest",
        page=2,
    )
    assert params.args() == {
        "q": "كتاب",
        "category": ["ثقافة", "صحة"],
        "from": "2019",
        "sort": "newest",
        "page": "2",
    }
    assert params.without("category", "ثقافة").args() == {
        "q": "كتاب",
        "category": ["صحة"],
        "from": "2019",
        "sort": "newest",
    }


def test_defaults_leave_the_url_empty() -> None:
    assert parse_search_args({}, 10).args() == {}
    assert parse_search_args({"sort": ["relevance"], "page": ["1"]}, 10).args() == {}


def test_page_depth_follows_the_site_page_size() -> None:
    parse_search_args({"page": ["101"]}, 10)
    with pytest.raises(ParamError) as raised:
        parse_search_args({"page": ["102"]}, 10)
    assert raised.value.param == "page" and "١٬٠٠٠" in raised.value.message
    parse_search_args({"page": ["51"]}, 20)
