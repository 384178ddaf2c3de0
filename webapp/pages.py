"""HTML pages: home, search (whole page or htmx fragment), one document, OpenSearch description."""

from flask import Blueprint, Response, abort, render_template, request, url_for

from webapp import arabic
from webapp.documents_api import related_hits
from webapp.extension import engine, request_params, run_search
from webapp.htmx import wants_fragment
from webapp.inert import web_link, without_bidi_controls
from webapp.params import ParamError, SearchParams
from webapp.presenter import search_context

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """The search page before a search: a welcome, and the facets of the whole archive."""
    params = SearchParams()
    context = search_context(params, run_search(params), home=True, fields=engine().fields)
    context["status"] = ""  # nothing searched yet: nothing to announce
    articles = arabic.counted(engine().doc_count(), arabic.ARTICLES)
    return render_template("search.html", articles=articles, **context)


@bp.get("/search")
def search() -> str:
    params = request_params()
    context = search_context(params, run_search(params), fields=engine().fields)
    return render_template("fragment.html" if wants_fragment() else "search.html", **context)


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str) -> str:
    try:
        params = request_params()
    except ParamError:
        params = SearchParams(q=request.args.get("q", ""))  # a mangled link: keep the words
    view = engine().document(doc_id, q=params.q, typos=params.typos)
    if view is None:
        abort(404)
    view.title = without_bidi_controls(view.title)
    view.body = without_bidi_controls(view.body)
    view.facets = {
        name: [without_bidi_controls(v) for v in values] for name, values in view.facets.items()
    }
    back = url_for("pages.search", **params.args()) if request.args else None
    return render_template(
        "document.html",
        doc=view,
        params=params,
        back_url=back,
        original_url=web_link(view.url),
        related=related_hits(doc_id) or [],
        facet_labels=engine().fields.labels(),
    )


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    body = render_template("opensearch.xml")
    return Response(body, mimetype="application/opensearchdescription+xml")
