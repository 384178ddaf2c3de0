"""Documents over HTTP for a newsroom's CMS: publish, delete, read, follow the tasks (issue 13).

    POST   /api/documents             write key; one JSON object, an array, or NDJSON → 202
    DELETE /api/documents/<id>        write key → 202
    GET    /api/tasks/<task>          write key: queued, applied (generation) or failed (problem)
    GET    /api/documents/<id>        the indexed document (a read key if FAHRAS_SEARCH_KEYS)
    GET    /api/documents/<id>/related  up to five related articles (likewise)

A write is answered only once it is stored durably (search/tasks.py); the single writer
(search/publisher.py, webapp/writer.py) applies it a moment later. Records follow the rules of
`fahras index` (search/intake.py); each gets its own task, so a bad one fails alone. Every
refusal is JSON with an Arabic `message` and an English `detail`.
"""

import math

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    request,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge

from search.intake import BodyError, writes_of
from search.tasks import Action, Task, TaskQueue, Write
from webapp.auth import current_key, require_key
from webapp.errors import error_answer
from webapp.extension import engine
from webapp.inert import without_bidi_controls
from webapp.ratelimit import TokenBuckets
from webapp.writer import start_writer

bp = Blueprint("documents_api", __name__)

MAX_RELATED = 5
WRITE_ENDPOINTS = frozenset({"documents_api.publish", "documents_api.delete"})

TOO_LARGE = (
    "حجم الطلب أكبر من {mb} ميغابايت؛ أرسل المقالات على دفعات أصغر.",
    "The body is larger than {mb} MB: send the records in smaller batches.",
)
NOT_TEXT = (
    "نص الطلب ليس UTF-8 صالحًا.",
    "The body is not valid UTF-8 text.",
)
NO_RECORD = (
    "لم نجد في الطلب أي مقال: أرسل كائن JSON أو مصفوفة JSON أو NDJSON.",
    "{reason}",
)
ALL_REFUSED = (
    "لم يُقبل أي مقال من هذا الطلب؛ سبب كل رفض مذكور في tasks.",
    "No record of this body can be indexed; each task says why.",
)
TOO_MANY_WRITES = (
    "أرسل هذا المفتاح طلبات كتابة كثيرة في وقت قصير. انتظر قليلًا ثم أعد المحاولة.",
    "This key sent too many write requests: wait and retry (see Retry-After).",
)
NO_DOCUMENT = (
    "لا يوجد في الفهرس مقال بهذا المعرّف (ربما لم تُطبَّق كتابته بعد).",
    "No document with this id in the index (its write may not be applied yet).",
)
NO_TASK = (
    "لا توجد مهمة بهذا الرقم.",
    "No task with this number.",
)


def refusal(status: int, wording: tuple[str, str], **values: object) -> Response:
    arabic, english = wording
    answer = error_answer(status, arabic.format(**values), detail=english.format(**values))
    return make_response(answer)


@bp.url_value_preprocessor
def _body_limit(endpoint: str | None, values: dict[str, object] | None) -> None:
    """Allow a publishing body up to FAHRAS_PUBLISH_MAX_MB (searches stay at a few KB).

    This runs before the app's size check (webapp/limits.py), which then uses this limit.
    """
    if endpoint != "documents_api.publish":
        return
    request.max_content_length = _max_bytes()
    if (request.content_length or 0) > request.max_content_length:
        abort(refusal(413, TOO_LARGE, mb=_max_mb()))


@bp.post("/api/documents")
@require_key("write")
def publish() -> Response:
    limited = _limited()
    if limited is not None:
        return limited
    try:
        text = request.get_data(cache=False).decode("utf-8-sig")
    except RequestEntityTooLarge:  # a chunked body without Content-Length
        return refusal(413, TOO_LARGE, mb=_max_mb())
    except UnicodeDecodeError:
        return refusal(400, NOT_TEXT)
    try:
        writes = writes_of(text, request.content_type or "", engine().fields)
    except BodyError as exc:
        return refusal(400, NO_RECORD, reason=str(exc))
    return _accepted(writes)


@bp.delete("/api/documents/<path:doc_id>")
@require_key("write")
def delete(doc_id: str) -> Response:
    limited = _limited()
    if limited is not None:
        return limited
    return _accepted([Write(Action.DELETE, doc_id, 1)])


@bp.get("/api/tasks/<int:task_id>")
@require_key("write")
def task(task_id: int) -> Response:
    found = TaskQueue(current_app.config["FAHRAS_INDEX"]).get(task_id)
    if found is None:
        return refusal(404, NO_TASK)
    return jsonify(_task_view(found))


@bp.get("/api/documents/<path:doc_id>")
def document(doc_id: str) -> Response:
    view = engine().document(doc_id)
    if view is None:
        return refusal(404, NO_DOCUMENT)
    return jsonify(
        id=view.id,
        title=without_bidi_controls(view.title),
        body=without_bidi_controls(view.body),
        date=view.date,
        url=view.url,
        **view.facets,
        extra=view.extra,
    )


@bp.get("/api/documents/<path:doc_id>/related")
def related(doc_id: str) -> Response:
    hits = related_hits(doc_id)
    if hits is None:
        return refusal(404, NO_DOCUMENT)
    return jsonify(id=doc_id, related=hits)


def related_hits(doc_id: str) -> list[dict[str, object]] | None:
    """The related articles of `doc_id` as the API and the document page show them."""
    hits = engine().related(doc_id, MAX_RELATED)
    if hits is None:
        return None
    found = [hit.as_dict() for hit in hits]
    for values in found:
        values["title"] = without_bidi_controls(str(values["title"]))
        values["snippet"] = without_bidi_controls(str(values["snippet"]))
    return found


def _accepted(writes: list[Write]) -> Response:
    key = current_key()
    tasks = TaskQueue(current_app.config["FAHRAS_INDEX"]).enqueue(
        writes, key.key_id if key else None
    )
    queued = sum(1 for t in tasks if t.problem is None)
    body = {"accepted": queued, "refused": len(tasks) - queued}
    body["tasks"] = [_task_view(t) for t in tasks]
    if not queued:
        answer = refusal(400, ALL_REFUSED)
        return make_response(jsonify(answer.get_json() | body), 400)
    start_writer(current_app._get_current_object())  # type: ignore[attr-defined]
    response = jsonify(body)
    response.status_code = 202
    if len(tasks) == 1:
        response.headers["Location"] = body["tasks"][0]["url"]  # type: ignore[index]
    return response


def _task_view(found: Task) -> dict[str, object]:
    return found.as_dict() | {"url": url_for("documents_api.task", task_id=found.task_id)}


def _limited() -> Response | None:
    buckets: TokenBuckets | None = current_app.extensions.get("fahras_write_limit")
    key = current_key()
    if buckets is None or key is None:
        return None
    wait = buckets.take(key.key_id)
    if not wait:
        return None
    response = refusal(429, TOO_MANY_WRITES)
    response.headers["Retry-After"] = str(math.ceil(wait))
    return response


def _max_mb() -> int:
    return int(current_app.config["FAHRAS_PUBLISH_MAX_MB"])


def _max_bytes() -> int:
    return _max_mb() * 2**20


def init_app(app: Flask) -> None:
    per_minute = int(app.config["FAHRAS_PUBLISH_RATE_LIMIT"])
    if per_minute:
        # A CMS publishes in bursts (a morning's articles at once): a key may spend its whole
        # minute's allowance at once, unlike a reader's searches.
        app.extensions["fahras_write_limit"] = TokenBuckets(per_minute, burst_share=1)
    app.register_blueprint(bp)
