"""Turn a search's JSON-shaped answer into what the templates show: Arabic words, links, panels.

The templates stay free of logic; everything here is plain data, so the page's wording and its
links can be tested without rendering HTML.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from flask import url_for

from search.dates import parse_date_bound
from search.engine import MAX_RESULTS_DEPTH
from search.fields import BUILTIN, FieldRegistry, Kind
from webapp import arabic
from webapp.messages import SORT_LABELS, facet_value_label, notice
from webapp.params import SearchParams

TYPO_NOTICE = "typo_tolerated"  # shown as its own sentence, with a link (typo_sentences)

Result = dict[str, Any]  # SearchResult.as_dict(): the JSON API's answer

PAGER_RADIUS = 2  # pages shown either side of the current one


@dataclass(frozen=True, slots=True)
class FacetOption:
    id: str  # stable across updates, so htmx can give focus back after a swap
    value: str
    label: str
    count: str
    selected: bool


@dataclass(frozen=True, slots=True)
class FacetPanel:
    name: str
    label: str
    options: list[FacetOption]


@dataclass(frozen=True, slots=True)
class Chip:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class PageLink:
    label: str
    url: str | None  # None: the current page or a gap
    current: bool = False
    rel: str = ""


def search_url(params: SearchParams) -> str:
    return url_for("pages.search", **params.args())


def option_id(facet: str, value: str) -> str:
    """An HTML id from the value itself, so the same checkbox keeps its id across updates."""
    return f"f-{facet}-{hashlib.blake2s(value.encode(), digest_size=5).hexdigest()}"


def facet_panels(result: Result, fields: FieldRegistry = BUILTIN) -> list[FacetPanel]:
    """The index's facets in its panel order (search/fields.py), those with values."""
    panels = []
    for item in fields.of_kind(Kind.FACET, Kind.DATE_PART):
        name = item.name
        values = result["facets"][name]["values"] if item.panel else []
        if values:
            options = [
                FacetOption(
                    id=option_id(name, v["value"]),
                    value=v["value"],
                    label=facet_value_label(name, v["value"]),
                    count=arabic.number(v["count"]),
                    selected=v["selected"],
                )
                for v in values
            ]
            panels.append(FacetPanel(name, item.label, options))
    return panels


def chips(params: SearchParams, fields: FieldRegistry = BUILTIN) -> list[Chip]:
    """One removable chip per active filter value and date bound."""
    labels = fields.labels()
    found = [
        Chip(
            f"{labels[name]}: {facet_value_label(name, value)}",
            search_url(params.without(name, value)),
        )
        for name, values in params.filters.items()
        for value in values
    ]
    if params.date_from:
        found.append(
            Chip(
                f"من {arabic.day(params.date_from)}", search_url(params.with_changes(date_from=""))
            )
        )
    if params.date_to:
        found.append(
            Chip(f"إلى {arabic.day(params.date_to)}", search_url(params.with_changes(date_to="")))
        )
    return found


def clear_all_url(params: SearchParams) -> str:
    return search_url(params.with_changes(filters={}, date_from="", date_to=""))


def pager(params: SearchParams, result: Result) -> list[PageLink]:
    """Previous, a window of page numbers with the first and last, next."""
    per_page = result["per_page"]
    last = min(result["pages"], (MAX_RESULTS_DEPTH + per_page) // per_page)
    page = result["page"]
    if last <= 1 or page > last:
        return []

    def link(number: int, label: str = "", rel: str = "") -> PageLink:
        url = search_url(params.with_changes(page=number))
        return PageLink(label or arabic.number(number), url, rel=rel)

    links = [link(page - 1, "السابق", "prev")] if page > 1 else []
    window = range(max(1, page - PAGER_RADIUS), min(last, page + PAGER_RADIUS) + 1)
    if window.start > 1:
        links.append(link(1))
        if window.start > 2:
            links.append(PageLink("…", None))
    for number in window:
        links.append(
            PageLink(arabic.number(number), None, True) if number == page else link(number)
        )
    if window.stop <= last:
        if window.stop < last:
            links.append(PageLink("…", None))
        links.append(link(last))
    if page < last:
        links.append(link(page + 1, "التالي", "next"))
    return links


def status_text(result: Result) -> str:
    """The sentence the live region announces after each update."""
    total = result["total"]
    if not total:
        return "لا نتائج"
    took = arabic.number(result["took_ms"], 1)
    text = f"{arabic.counted(total, arabic.RESULTS)} (خلال {took} ميلي ثانية)"
    if result["pages"] > 1:
        text += f"، الصفحة {arabic.number(result['page'])} من {arabic.number(result['pages'])}"
    return text


def date_input(bound: str, *, end: bool) -> str:
    """A date bound as the YYYY-MM-DD a date input shows: to=2019 reads 2019-12-31."""
    return parse_date_bound(bound, end=end).date().isoformat() if bound else ""


def typo_sentences(params: SearchParams, result: Result) -> list[dict[str, str]]:
    """Each word searched with its neighbour (search/typos.py), with the link that searches
    the typed words only: the page says this itself, so the engine's notice is not repeated."""
    only_typed = search_url(params.with_changes(typos=False))
    return [typo | {"only_url": only_typed} for typo in result.get("typos", [])]


def search_context(
    params: SearchParams, result: Result, home: bool = False, fields: FieldRegistry = BUILTIN
) -> dict[str, object]:
    """Everything search.html and its fragment need; `home` shows the welcome, not results.

    `fields` is the index's registry: its facets, their labels and which a hit shows.
    """
    suggestion = result["suggestion"]
    corrected = params.with_changes(q=suggestion, typos=True)  # a new query: tolerance back on
    return {
        "home": home,
        "params": params,
        "result": result,
        "panels": facet_panels(result, fields),
        "chips": chips(params, fields),
        "hit_facets": [f.name for f in fields.of_kind(Kind.FACET) if f.shown],
        "clear_all_url": clear_all_url(params),
        "pager": pager(params, result),
        "status": status_text(result),
        "notices": [notice(item) for item in result["notices"] if item["code"] != TYPO_NOTICE],
        "typos": typo_sentences(params, result),
        "suggestion_url": search_url(corrected) if suggestion else None,
        "first_number": (result["page"] - 1) * result["per_page"] + 1,
        "first_page_url": search_url(params.with_changes()),
        "state": params.args(),  # carried to document links, for highlights and the way back
        "sort_options": list(SORT_LABELS.items()),
        "date_inputs": (
            date_input(params.date_from, end=False),
            date_input(params.date_to, end=True),
        ),
    }
