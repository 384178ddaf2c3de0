"""/admin: what readers search for and do not find, and the health of the index, for editors.

The page and its JSON twin (/api/admin) render one dict (`admin_data`). Both need a write-scope
API key from `fahras keys create --scope write` (webapp/auth.py checks it): scripts send
`Authorization: Bearer KEY`; a browser is asked for it by its own login prompt (HTTP Basic,
the key as the password, any user name), so the page needs no form, cookie or script. Serve it
over HTTPS: the key travels with every request.
"""

import base64
import binascii
import json
from datetime import UTC, datetime

from flask import Blueprint, Response, g, jsonify, make_response, render_template, request
from whoosh.index import TOC

from search.keys import Scope
from search.querylog import QueryLogMissingError
from search.store import INDEX_NAME, read_meta
from search.tasks import TASKS_FILE, TaskQueue
from webapp import analytics
from webapp.arabic import Noun, counted, digits, number
from webapp.arabic import day as arabic_day
from webapp.auth import BAD_KEY, READ_ONLY_KEY, key_store, require_key
from webapp.errors import error_answer
from webapp.extension import engine
from webapp.params import ParamError

bp = Blueprint("admin", __name__)

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 365
ROWS = 20  # queries listed per table
CHART_WIDTH, CHART_HEIGHT = 600, 160
SEARCHES = Noun("عملية بحث واحدة", "عمليتا بحث", "عمليات بحث", "عملية بحث", "عملية بحث")
DAYS = Noun("يوم واحد", "يومان", "أيام", "يومًا", "يوم")
DATE_LABELS = {"from": "من", "to": "إلى"}
BASIC_CHALLENGE = 'Basic realm="fahras admin", charset="UTF-8"'
NO_ADMIN_KEY = (
    "هذه الصفحة للمحررين: أدخل مفتاح كتابة من `fahras keys create --scope write` كلمةً للمرور.",
    "This page needs a write-scope API key: as a Bearer token, or as the Basic password.",
)


@bp.get("/admin")
def page() -> Response | str:
    refusal = admin_key_refusal()
    if refusal is not None:
        return refusal
    days = requested_days()
    data = admin_data(days)
    queries, health = data["queries"], data["health"]
    response = make_response(
        render_template("admin.html", **data, **wording(days, queries, health))  # type: ignore[arg-type]
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/admin")
@require_key(Scope.WRITE)
def api() -> Response:
    response = jsonify(admin_data(requested_days()))
    response.headers["Cache-Control"] = "no-store"
    return response


def admin_key_refusal() -> Response | None:
    """The 401/403 answer unless the request carries a write key (Bearer, or Basic password)."""
    token = _presented_key()
    if not token:
        return _refuse(401, NO_ADMIN_KEY)
    key = key_store().verify(token)
    if key is None:
        return _refuse(401, BAD_KEY)
    if not key.scope.allows(Scope.WRITE):
        return _refuse(403, READ_ONLY_KEY)
    g.fahras_api_key = key
    return None


def _presented_key() -> str:
    kind, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() == "bearer":
        return credentials.strip()
    if kind.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2].strip()


def _refuse(status: int, wording: tuple[str, str]) -> Response:
    arabic, english = wording
    response = make_response(error_answer(status, arabic, detail=english))
    if status == 401:  # the browser asks for the key in its own login prompt
        response.headers["WWW-Authenticate"] = BASIC_CHALLENGE
    return response


def wording(days: int, queries: dict | None, health: dict) -> dict[str, object]:
    """What the page says in Arabic about the numbers (counted nouns, dates), and its chart."""
    committed = health["last_commit"]
    return {
        "periods": {choice: f"آخر {counted(choice, DAYS)}" for choice in PERIODS},
        "period": f"آخر {counted(days, DAYS)}",
        "searches": counted(queries["searches"], SEARCHES) if queries else "",
        "commit_time": digits(committed[11:16]) if committed else "",
        "chart": day_chart(queries),
        "filters_text": filters_text,
    }


def filters_text(raw: str) -> str:
    """A logged search's filters as the page says them: التصنيف: رياضة · من: 2020."""
    if not raw:
        return ""
    labels = engine().fields.labels() | DATE_LABELS
    chosen = json.loads(raw)
    return " · ".join(
        f"{labels.get(name, name)}: {'، '.join(values) if isinstance(values, list) else values}"
        for name, values in chosen.items()
    )


def requested_days() -> int:
    raw = request.args.get("days", str(DEFAULT_DAYS))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise ParamError("days", f"المدة بالأيام عدد من ١ إلى {number(MAX_DAYS)}.")
    return int(raw)


def admin_data(days: int) -> dict[str, object]:
    """Index health and the query log's report for the last `days` days."""
    log = analytics.query_log()
    queries = None
    if log is not None:
        try:
            queries = log.report(days=days, limit=ROWS).as_dict()
        except QueryLogMissingError:
            queries = None  # nothing searched since logging was turned on
    return {
        "days": days,
        "health": index_health(),
        "query_log": "on" if log is not None else "off",
        "queries": queries,
    }


def index_health() -> dict[str, object]:
    """Documents, generation and last commit of what this server serves; queued writes."""
    served = engine()
    index_dir = served.index_dir
    generation = served.generation()
    toc = index_dir / TOC._filename(INDEX_NAME, generation)
    try:
        committed: str | None = _iso(toc.stat().st_mtime)
    except OSError:  # a newer generation replaced it a moment ago
        committed = None
    meta = read_meta(index_dir)
    tasks = TaskQueue(index_dir).counts() if (index_dir / TASKS_FILE).exists() else None
    return {
        "documents": served.doc_count(),
        "generation": generation,
        "last_commit": committed,
        "index_bytes": sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file()),
        "snapshot": meta.get("snapshot"),
        "restored": meta.get("restored"),
        "tasks": tasks,
    }


def day_chart(queries: dict | None) -> dict[str, object] | None:
    """Bars of searches per day for an inline SVG (no script, nothing inline for the CSP).

    Days run from right (oldest) to left (today), as the page reads; the part of each bar that
    found nothing is drawn over it in its own colour.
    """
    if not queries:
        return None
    days = queries["per_day"]
    tallest = max((d["searches"] for d in days), default=0) or 1
    slot = CHART_WIDTH / len(days)
    bars = []
    for position, counts in enumerate(days):
        height = CHART_HEIGHT * counts["searches"] / tallest
        zero = CHART_HEIGHT * counts["without_results"] / tallest
        bars.append(
            {
                "x": round(CHART_WIDTH - (position + 1) * slot + slot * 0.1, 2),
                "width": round(slot * 0.8, 2),
                "y": round(CHART_HEIGHT - height, 2),
                "height": round(height, 2),
                "zero_y": round(CHART_HEIGHT - zero, 2),
                "zero_height": round(zero, 2),
                "label": f"{arabic_day(counts['day'])}: {number(counts['searches'])} بحث، "
                f"{number(counts['without_results'])} بلا نتائج",
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bars": bars,
        "tallest": tallest,
        "first": days[0]["day"],
        "last": days[-1]["day"],
    }


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
