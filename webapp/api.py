"""JSON endpoints: search (as `fahras search --json`), autocomplete, analysis, health."""

from flask import Blueprint, Response, current_app, jsonify, request

from search.health import HealthCheck
from webapp.arabic import number
from webapp.extension import engine, request_params, run_search
from webapp.params import ParamError

bp = Blueprint("api", __name__)

MAX_SUGGEST_CHARS = 100  # a prefix longer than a few words completes nothing
MAX_ANALYZE_CHARS = 5000


@bp.get("/api/search")
def search() -> Response:
    return jsonify(run_search(request_params()))


@bp.get("/api/suggest")
def suggest() -> Response:
    """Completions of the whole query typed so far.

    `format=opensearch` answers in the OpenSearch suggestions format browsers ask for.
    """
    text = request.args.get("q", "")[:MAX_SUGGEST_CHARS]
    completions = complete_query(text, current_app.config["FAHRAS_SUGGEST_LIMIT"])
    answer_format = request.args.get("format", "json")
    if answer_format == "opensearch":
        response = jsonify([text, completions])
        response.mimetype = "application/x-suggestions+json"
        return response
    if answer_format != "json":
        raise ParamError("format", "صيغة غير معروفة؛ استخدم json أو opensearch.")
    return jsonify(query=text, suggestions=completions)


def complete_query(text: str, limit: int) -> list[str]:
    """The typed text with its last word (or last two, for a known phrase) completed.

    The engine completes a prefix of title words and two-word phrases; the reader's earlier
    words are kept as typed. Nothing is offered after a trailing space: the word is finished.
    """
    words = text.split()
    if not words or text[-1].isspace():
        return []
    found: dict[str, None] = {}
    for size in (2, 1):
        if len(words) < size:
            continue
        head = words[:-size]
        for completion in engine().suggest(" ".join(words[-size:]), limit):
            found.setdefault(" ".join([*head, completion]), None)
    typed = " ".join(words)
    return [c for c in found if c != typed][:limit]


@bp.route("/api/analyze", methods=["GET", "POST"])
def analyze() -> Response:
    """Tokens of `text`: in the query string, or (for up to MAX_ANALYZE_CHARS Arabic letters,
    more than a URL carries) in a POST body, as JSON `{"text": …}` or as a form."""
    text = _analyze_text()
    if len(text) > MAX_ANALYZE_CHARS:
        raise ParamError("text", f"النص أطول من {number(MAX_ANALYZE_CHARS)} حرف؛ حلّل جزءًا منه.")
    tokens = engine().explain(text)  # with the index's protected words and stems
    return jsonify(text=text, tokens=[report.as_dict() for report in tokens])


def _analyze_text() -> str:
    if request.method == "GET":
        found: object = request.args.get("text")
    elif request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ParamError("text", 'أرسل كائن JSON فيه النص: {"text": "…"}.')
        found = body.get("text")
    else:
        found = request.form.get("text")
    if found is None:
        raise ParamError("text", "أرسل النص المراد تحليله في المعامل text.")
    if not isinstance(found, str):
        raise ParamError("text", "المعامل text نص، لا رقم ولا قائمة.")
    return found


@bp.get("/healthz")
def health() -> Response:
    """200 and what is served when searches work; 503 saying what is wrong when they cannot.

    A missing index is a 503 from the error handler. The verdict is kept a few seconds
    (search/health.py), so a load balancer may ask as often as it likes.
    """
    fahras = current_app.extensions["fahras"]
    check = current_app.extensions.setdefault("fahras_health", HealthCheck(fahras.index_dir))
    verdict = check.verdict(engine)
    if verdict.ok:
        response = jsonify(status="ok", documents=verdict.documents, generation=verdict.generation)
    else:
        response = jsonify(
            status="damaged",
            problems=verdict.problems,
            advice=(
                f"`fahras check --index {fahras.index_dir}` names every damaged file; "
                "restore the index from a snapshot or rebuild it with `fahras index --rebuild`"
            ),
        )
        response.status_code = 503
    response.headers["Cache-Control"] = "no-store"
    return response
