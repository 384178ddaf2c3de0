"""An index's own settings, end to end: a news archive adds a country facet, a searchable summary,
synonyms, a protected name and a recency boost, and every face of Fahras follows (issue 12).

The archive is the ANT slice (real news), each article given the countries its text names (a
list, written as one string split at "،") and its abstract as `summary`; counts are checked
against the same records counted by hand.
"""

import json
import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import build_index, write_jsonl
from flask.testing import FlaskClient
from playwright.sync_api import Browser
from werkzeug.serving import make_server

from search.analysis import terms_of
from search.cli import main
from search.dates import parse_date
from search.engine import SearchEngine, SearchRequest
from search.normalize import normalize
from search.query import Clause, parse_query
from search.recency import MICROSECONDS_A_DAY
from search.rules import AnalysisRules, applied
from search.settings import SettingsError, parse_settings
from search.synonyms import expand
from search.tokenize import iter_tokens
from webapp import create_app
from webapp.arabic import RESULTS, counted

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
COUNTRIES = ("لبنان", "سوريا", "مصر", "العراق", "السعودية", "الأردن")
LEBANON = "لبنان"
SETTINGS = """\
# A news archive
[fields.country]
kind = "facet"
label = "بلد"
aliases = ["بلد", "دولة"]
split = "،"
shown = true

[fields.summary]
kind = "text"
label = "الملخص"
aliases = ["ملخص"]
weight = 0.8

[fields.page_number]
kind = "stored"
label = "رقم الصفحة"

[synonyms]
groups = [["أمريكا", "أميركا", "الولايات المتحدة"], ["داعش", "تنظيم الدولة"]]
boost = 0.5

[protected]
words = ["سليمان"]

[ranking]
recency_half_life_days = 30

[facets]
order = ["country", "category", "source", "year"]
limit = { country = 8 }
"""


def countries_of(record: dict) -> list[str]:
    text = f"{record['title']} {record['body']}"
    return [country for country in COUNTRIES if country in text]


def news_records(ant_slice: Path, limit: int | None = None) -> list[dict]:
    records = []
    for line in ant_slice.read_text(encoding="utf-8").splitlines()[:limit]:
        record = json.loads(line)
        found = countries_of(record)
        if found:
            record["country"] = "، ".join(found)
        record["summary"] = record.pop("abstract", "")
        records.append(record)
    return records


@pytest.fixture(scope="module")
def news(ant_slice: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The ANT slice indexed with SETTINGS by `fahras index --settings`."""
    folder = tmp_path_factory.mktemp("news")
    records = news_records(ant_slice)
    source = write_jsonl(folder / "news.jsonl", records)
    settings = folder / "news.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    index_dir = folder / "index"
    assert main(["index", str(source), "--index", str(index_dir), "--settings", str(settings)]) == 0
    return {"records": records, "index": index_dir, "settings": settings, "folder": folder}


@pytest.fixture(scope="module")
def engine(news: dict) -> Iterator[SearchEngine]:
    opened = SearchEngine(news["index"])
    yield opened
    opened.close()


def by_id(records: list[dict]) -> dict[str, dict]:
    return {record["id"]: record for record in records}


# --- the settings file ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "line", "setting"),
    [
        (('kind = "facet"', 'kind = "facets"'), 3, "fields.country.kind"),
        (("[fields.summary]", "[fields.source]"), 9, "fields.source"),
        (('["داعش", "تنظيم الدولة"]', '["داعش"]'), 20, "synonyms.groups"),
        (("recency_half_life_days = 30", "recency_half_life_days = 0"), 27, "ranking"),
        (("weight = 0.8", "weight = 0"), 13, "fields.summary.weight"),
        (('order = ["country"', 'order = ["nation"'), 30, "facets.order.nation"),
    ],
)
def test_bad_settings_name_the_line_and_the_setting(
    change: tuple[str, str], line: int, setting: str
) -> None:
    text = SETTINGS.replace(*change)
    assert text != SETTINGS
    with pytest.raises(SettingsError, match=rf"^news\.toml:{line}: {re.escape(setting)}"):
        parse_settings(text, "news.toml")


def test_the_readme_example_is_valid_and_complete() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.DOTALL)
    assert example is not None
    settings = parse_settings(example[1], "README.md")
    registry = settings.registry()
    assert registry.get("country").label == "بلد"  # type: ignore[union-attr]
    assert registry.resolve("ملخص") == "summary"
    assert settings.synonyms.groups and settings.synonyms.expand and settings.rules.protected
    assert settings.rules.stems and settings.rules.stop_added and settings.half_life_days


def test_settings_check_and_show(news: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings", "check", "--index", str(news["index"])]) == 0
    assert "valid" in capsys.readouterr().out
    assert main(["settings", "show", "--index", str(news["index"]), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    country = next(f for f in shown["fields"] if f["name"] == "country")
    assert country["label"] == "بلد" and country["kind"] == "facet" and not country["builtin"]
    assert shown["facet_order"][:4] == ["country", "category", "source", "year"]
    assert shown["rebuild_needed"] == []
    bad = news["folder"] / "bad.toml"
    bad.write_text(SETTINGS.replace("recency_half_life_days = 30", "recency_half_life_days = 0"))
    assert main(["settings", "check", str(bad)]) == 1
    assert f"{bad}:27: ranking.recency_half_life_days" in capsys.readouterr().err


# --- the engine: facets, filters, query language, text fields, synonyms, protection, recency ---


def test_country_counts_match_a_count_by_hand(news: dict, engine: SearchEngine) -> None:
    by_hand = Counter(c for record in news["records"] for c in countries_of(record))
    result = engine.search(SearchRequest(facet_limit=100))
    counted = {v.value: v.count for v in result.facets["country"].values}
    assert counted == dict(list(by_hand.most_common())[:8])  # facets.limit.country = 8
    assert list(result.facets)[:4] == ["country", "category", "source", "year"]
    lebanon = by_hand[LEBANON]
    assert lebanon > 10
    filtered = engine.search(SearchRequest(filters={"country": [LEBANON]}, per_page=100))
    assert filtered.total == lebanon
    assert all(LEBANON in hit.facets["country"] for hit in filtered.hits)
    for query in (f"country:{LEBANON}", f"بلد:{LEBANON}", f"دولة:{LEBANON}"):
        assert engine.search(SearchRequest(q=query)).total == lebanon, query


def test_summary_is_a_searchable_field(news: dict, engine: SearchEngine) -> None:
    word = "البرنامج"
    wanted = normalize(word)
    by_hand = {
        r["id"]
        for r in news["records"]
        if wanted in {normalize(t) for t, _, _ in iter_tokens(r["summary"])}
    }
    found = engine.search(SearchRequest(q=f"ملخص:={word}", per_page=100))
    assert found.total == len(by_hand) > 0
    assert {hit.id for hit in found.hits} == by_hand
    page = engine.document(found.hits[0].id)
    assert page is not None and page.extra["summary"]


def test_synonyms_widen_a_query_and_rank_below_the_typed_word(
    news: dict, engine: SearchEngine
) -> None:
    typed = engine.search(SearchRequest(q="أمريكا", per_page=100))
    synonym = engine.search(SearchRequest(q="أميركا", per_page=100))
    assert synonym.total == typed.total  # one group: either word finds the same documents
    records = by_id(news["records"])
    only_typed = [
        hit
        for hit in typed.hits
        if "أميركا" not in records[hit.id]["body"] + records[hit.id]["title"]
        and "الولايات المتحدة" not in records[hit.id]["body"] + records[hit.id]["title"]
    ]
    assert only_typed
    scores = {hit.id: hit.score for hit in synonym.hits}
    both = [hit for hit in only_typed if hit.id in scores]  # on the first page of each
    assert both
    for hit in both:  # found only through the synonym: half the score of typing it
        assert scores[hit.id] == pytest.approx(hit.score * 0.5, rel=1e-3)
    highlighted = next(hit for hit in synonym.hits if hit.id == both[0].id)
    assert "<mark>" in highlighted.title + highlighted.snippet


def test_a_protected_name_is_not_stemmed(news: dict, engine: SearchEngine) -> None:
    rules = AnalysisRules.from_words(["سليمان"])
    with applied(rules):
        assert rules.stem_of(normalize("وسليمان")) == "سليمان"
    name_docs = {
        r["id"]
        for r in news["records"]
        if any(
            normalize(t) in ("سليمان", "وسليمان", "بسليمان") for t, _, _ in iter_tokens(r["body"])
        )
    }
    assert name_docs
    stem = engine.search(SearchRequest(q="سليم", per_page=100))
    assert not name_docs & {hit.id for hit in stem.hits} - _with_word(news, "سليم")
    name = engine.search(SearchRequest(q="سليمان", per_page=100))
    assert name_docs <= {hit.id for hit in name.hits}
    assert terms_of("سليمان")[1] == "سليم"  # another index in this process keeps the default


def _with_word(news: dict, stem: str) -> set[str]:
    """Documents with a word that is not سليمان yet has the stem `stem` (سليم, السليمة…)."""
    from search.analysis import stem_of

    found = set()
    for r in news["records"]:
        for token, _, _ in iter_tokens(r["title"] + " " + r["body"] + " " + r["summary"]):
            form = normalize(token)
            if "سليمان" not in form and stem_of(form) == stem:
                found.add(r["id"])
    return found


def test_recency_boost_follows_the_half_life(news: dict, engine: SearchEngine) -> None:
    boosted = engine.search(SearchRequest(q="الانتخابات", per_page=20))
    no_recency = news["folder"] / "no_recency.toml"
    no_recency.write_text(SETTINGS.replace("recency_half_life_days = 30\n", ""), encoding="utf-8")
    try:  # a change that needs no rebuild: installed at once, seen by the next search
        index = str(news["index"])
        assert main(["index", "--index", index, "--settings", str(no_recency)]) == 0
        plain = engine.search(SearchRequest(q="الانتخابات", per_page=100))
    finally:
        assert main(["index", "--index", index, "--settings", str(news["settings"])]) == 0
    newest = max(parse_date(r["date"]) for r in news["records"] if r.get("date"))
    plain_scores = {hit.id: hit.score for hit in plain.hits}
    checked = 0
    for hit in boosted.hits:
        if hit.id in plain_scores and hit.date:
            age = (newest - parse_date(hit.date)).total_seconds() * 1e6 / MICROSECONDS_A_DAY
            factor = 1 + 2 ** (-age / 30)
            assert hit.score == pytest.approx(plain_scores[hit.id] * factor, rel=1e-3)
            checked += 1
    assert checked >= 10
    assert [h.id for h in boosted.hits] != [h.id for h in plain.hits[:20]]


def test_changing_protected_words_says_a_rebuild_is_needed(
    news: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = news["folder"] / "changed.toml"
    changed.write_text(SETTINGS.replace('["سليمان"]', '["سليمان", "فرعون"]'), encoding="utf-8")
    index = str(news["index"])
    assert main(["index", "--index", index, "--settings", str(changed)]) == 1
    error = capsys.readouterr().err
    assert (
        "must be rebuilt" in error
        and "protected words" in error
        and "--rebuild-from-index" in error
    )
    installed = news["index"] / "settings.toml"
    kept = installed.read_text(encoding="utf-8")
    shutil.copy(changed, installed)  # edited in place, by hand
    try:
        fresh = SearchEngine(news["index"])
        result = fresh.search(SearchRequest(q="سليمان"))
        fresh.close()
        assert [n.code for n in result.notices] == ["rebuild_needed"]
        assert "protected words" in result.notices[0].message
        assert result.total > 0  # still searchable, with the rules it was built with
        assert main(["settings", "check", "--index", index]) == 0
        assert "must be rebuilt: protected words" in capsys.readouterr().out
    finally:
        installed.write_text(kept, encoding="utf-8")


def test_a_facet_added_to_an_old_index_is_empty_then_rebuilt_from_the_index(
    ant_slice: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = news_records(ant_slice, limit=300)
    source = write_jsonl(tmp_path / "news.jsonl", records)
    index_dir = tmp_path / "index"
    assert main(["index", str(source), "--index", str(index_dir)]) == 0  # no settings yet
    settings = tmp_path / "news.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    shutil.copy(settings, index_dir / "settings.toml")  # a facet added without a rebuild
    before = SearchEngine(index_dir)
    stale = before.search(SearchRequest(q=f"country:{LEBANON}", filters={"country": [LEBANON]}))
    before.close()
    assert stale.total == 0 and stale.facets["country"].values[0].count == 0
    assert stale.notices[0].code == "rebuild_needed"
    assert "field country added" in stale.notices[0].message
    capsys.readouterr()
    argv = ["index", "--index", str(index_dir), "--settings", str(settings)]
    assert main(argv) == 1
    assert "--rebuild-from-index" in capsys.readouterr().err
    assert main([*argv, "--rebuild-from-index"]) == 0
    after = SearchEngine(index_dir)
    rebuilt = after.search(SearchRequest(filters={"country": [LEBANON]}))
    summary = after.search(SearchRequest(q="ملخص:البرنامج"))
    after.close()
    assert rebuilt.total == sum(LEBANON in countries_of(r) for r in records) > 0
    assert rebuilt.notices == [] and summary.total > 0


# --- the faces: CLI, JSON API, pages, widget, browser ----------------------------------------


def fahras(*argv: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process: `search` and `stats` leave their engine to exit."""
    command = [sys.executable, "-m", "search.cli", *argv]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_cli_search_json_and_stats_carry_the_new_facet(news: dict) -> None:
    index = str(news["index"])
    found = fahras("search", LEBANON, "--index", index, "--filter", f"country={LEBANON}", "--json")
    assert found.returncode == 0, found.stderr
    answer = json.loads(found.stdout)
    assert answer["facets"]["country"]["label"] == "بلد"
    assert answer["results"] and all(LEBANON in h["facets"]["country"] for h in answer["results"])
    unknown = fahras("search", "x", "--index", index, "--filter", "nation=x")
    assert unknown.returncode == 1 and "unknown filter: nation" in unknown.stderr
    stats = fahras("stats", "--index", index)
    assert re.search(rf"country \(بلد\): .*{LEBANON} \(", stats.stdout), stats.stdout


@pytest.fixture
def news_client(news: dict) -> Iterator[FlaskClient]:
    app = create_app({"FAHRAS_INDEX": str(news["index"]), "TESTING": True})
    yield app.test_client()
    app.extensions["fahras"].close()


def test_pages_api_and_widget_follow_the_settings(news: dict, news_client: FlaskClient) -> None:
    lebanon = sum(LEBANON in countries_of(r) for r in news["records"])
    api = news_client.get("/api/search", query_string={"country": LEBANON, "per_page": 100})
    assert api.status_code == 200
    data = api.get_json()
    assert data["total"] == lebanon
    assert all(LEBANON in hit["facets"]["country"] for hit in data["results"])
    assert {"category", "source", "author", "tags"} <= set(data["results"][0])
    page = news_client.get("/search", query_string={"country": LEBANON})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<legend>بلد</legend>" in html
    assert f"بلد: {LEBANON}" in html  # the chip
    assert f'name="country" value="{LEBANON}" form="search-form" checked' in html  # no-JS form
    home = news_client.get("/").get_data(as_text=True)
    assert home.index("<legend>بلد</legend>") < home.index("<legend>التصنيف</legend>")
    query = news_client.get("/api/search", query_string={"q": f"بلد:{LEBANON}"}).get_json()
    assert query["total"] == lebanon
    frame = news_client.get("/embed", query_string={"country": LEBANON, "q": "الحكومة"})
    assert frame.status_code == 200
    within = news_client.get("/api/search", query_string={"country": LEBANON, "q": "الحكومة"})
    everywhere = news_client.get("/api/search", query_string={"q": "الحكومة"})
    assert 0 < within.get_json()["total"] < everywhere.get_json()["total"]
    assert counted(within.get_json()["total"], RESULTS) in frame.get_data(as_text=True)
    assert news_client.get("/embed", query_string={"nation": "x"}).status_code == 400
    assert news_client.get("/search", query_string={"nation": "x"}).status_code == 400
    hit = data["results"][0]
    document = news_client.get(f"/doc/{hit['id']}").get_data(as_text=True)
    assert "<dt>بلد</dt>" in document and "الملخص" in document


def test_facet_panel_in_a_browser(news: dict, browser: Browser) -> None:
    app = create_app({"FAHRAS_INDEX": str(news["index"])})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{httpd.server_port}/search?q=الحكومة&country={LEBANON}")
        panel = page.locator("fieldset.facet").first
        assert panel.locator("legend").inner_text() == "بلد"
        assert panel.locator("input:checked").get_attribute("value") == LEBANON
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "settings-facet-panel.png", full_page=True)
        context.close()
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()
        app.extensions["fahras"].close()


def test_a_broken_settings_file_is_an_error_that_names_it(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "news.jsonl", [{"id": "1", "title": "عنوان", "body": "نص"}])
    index_dir = tmp_path / "index"
    build_index([source], index_dir)
    (index_dir / "settings.toml").write_text("[fields.country]\nkind = 'facets'\n")
    app = create_app({"FAHRAS_INDEX": str(index_dir), "TESTING": True})
    try:
        answer = app.test_client().get("/api/search", query_string={"q": "نص"})
        assert answer.status_code == 503 and answer.get_json()["error"]["status"] == 503
    finally:
        app.extensions["fahras"].close()
    command = fahras("search", "نص", "--index", str(index_dir))
    assert command.returncode == 1
    assert command.stderr == (
        f"fahras: error: {index_dir}/settings.toml:2: fields.country.kind: unknown kind "
        "'facets'; use facet, text or stored\n"
    )


RULES_SETTINGS = """\
[fields.country]
kind = "facet"
label = "بلد"
inputs = ["countries"]

[fields.summary]
kind = "text"
weight = 1

[synonyms.expand]
"الخليج" = ["السعودية"]

[protected.stems]
"أمريكي" = "أمريكا"

[stopwords]
add = ["تعلن"]
"""
RULES_RECORDS = [
    {"id": "adjective", "title": "بيان", "body": "الحكومة الأمريكية تعلن خطة"},
    {"id": "noun", "title": "بيان", "body": "أمريكا تعلن خطة"},
    {"id": "noun-alone", "title": "خبر", "body": "زيارة إلى أمريكا", "countries": ["لبنان"]},
    {"id": "saudi", "title": "خبر", "body": "وفد من السعودية", "summary": "زيارة رسمية"},
    {"id": "gulf", "title": "خبر", "body": "أمن الخليج", "summary": "زيارة رسمية ثانية"},
]


def ids(engine: SearchEngine, q: str) -> set[str]:
    return {hit.id for hit in engine.search(SearchRequest(q=q)).hits}


def test_stem_overrides_stop_words_one_way_synonyms_inputs_and_weights(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "news.jsonl", RULES_RECORDS)
    plain_dir, ruled_dir = tmp_path / "plain", tmp_path / "ruled"
    build_index([source], plain_dir)
    settings = tmp_path / "rules.toml"
    settings.write_text(RULES_SETTINGS, encoding="utf-8")
    assert main(["index", str(source), "--index", str(ruled_dir), "--settings", str(settings)]) == 0
    plain, ruled = SearchEngine(plain_dir), SearchEngine(ruled_dir)
    try:
        # الأمريكية stems to أمريكي, which the override makes أمريكا
        assert ids(plain, "أمريكا") == {"noun", "noun-alone"}
        assert ids(ruled, "أمريكا") == {"adjective", "noun", "noun-alone"}
        # تعلن is a stop word here: it no longer counts; without the rules, the document with
        # both words comes first, then those with one of them
        both = plain.search(SearchRequest(q="تعلن أمريكا")).hits
        assert [h.id for h in both][:1] == ["noun"]
        assert {h.id for h in both} == {"noun", "noun-alone", "adjective"}
        assert ids(ruled, "تعلن أمريكا") == {"adjective", "noun", "noun-alone"}
        # one way: الخليج also finds السعودية, not the other way round
        assert ids(ruled, "الخليج") == {"gulf", "saudi"}
        assert ids(ruled, "السعودية") == {"saudi"}
        # `countries` adds to the country facet
        assert ids(ruled, "country:لبنان") == {"noun-alone"}
        before = {h.id: h.score for h in ruled.search(SearchRequest(q="summary:زيارة")).hits}
        settings.write_text(RULES_SETTINGS.replace("weight = 1", "weight = 2"), encoding="utf-8")
        assert main(["index", "--index", str(ruled_dir), "--settings", str(settings)]) == 0
        after = {h.id: h.score for h in ruled.search(SearchRequest(q="summary:زيارة")).hits}
        assert set(before) == set(after) == {"saudi", "gulf"}
        # BM25F: a field's weight multiplies its word counts before saturation, so a heavier
        # field raises every score, by less than its factor
        assert all(before[i] < after[i] < 2 * before[i] for i in before)
    finally:
        plain.close()
        ruled.close()


def test_typed_words_that_spell_a_synonym_phrase_become_that_phrase() -> None:
    synonyms = parse_settings(SETTINGS).synonyms
    expanded = expand(parse_query("عقوبات الولايات المتحدة"), synonyms)
    assert expanded.groups == [
        [Clause("word", "عقوبات")],
        [
            Clause("phrase", "الولايات المتحدة"),
            Clause("word", "أمريكا", boost=0.5),
            Clause("word", "أميركا", boost=0.5),
        ],
    ]
    widened = expand(parse_query("وأمريكا"), synonyms)  # analyzed: the clitic does not matter
    assert [c.text for c in widened.groups[0]] == ["وأمريكا", "أميركا", "الولايات المتحدة"]
    exact = parse_query("=أمريكا")  # an exact form asks for this form only
    assert expand(exact, synonyms).groups == exact.groups


def test_analysis_shows_the_index_rules(news: dict, news_client: FlaskClient) -> None:
    tokens = news_client.get("/api/analyze", query_string={"text": "وسليمان"}).get_json()
    assert tokens["tokens"][0]["stem"] == "سليمان"
    command = fahras("analyze", "وسليمان", "--index", str(news["index"]), "--json")
    assert json.loads(command.stdout)[0]["stem"] == "سليمان"
    assert json.loads(fahras("analyze", "وسليمان", "--json").stdout)[0]["stem"] == "سليم"
