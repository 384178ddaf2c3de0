"""The search widget other sites embed: the framed page, its theme, its loader and the demo page.

/embed is a compact page made to live in an iframe: its own stylesheet, no site header; searches
update it in place with htmx and *replace* the frame's URL, never push one, because a push
inside a frame adds an entry to the host page's Back button. Results open on our site, in a new
tab or in place of the host page (option `target`), never inside the small frame. widget.js
creates the frames and follows their height over postMessage (static/js/widget.js, embed.js).
"""

from dataclasses import replace

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from search.errors import QueryError
from webapp import arabic
from webapp.embed_options import (
    DEFAULTS,
    FONT_SIZES,
    PER_PAGE,
    THEME_COLOURS,
    EmbedOptions,
    parse_options,
    snippets,
    theme_css,
)
from webapp.extension import engine, run_search
from webapp.headers import content_security_policy
from webapp.htmx import wants_fragment
from webapp.messages import QUERY_REJECTED
from webapp.origins import Origins
from webapp.params import ParamError, SearchParams, parse_search_args
from webapp.presenter import FacetPanel, facet_panels

bp = Blueprint("embed", __name__)

READER_PARAMS = ("q", "pick", "typos")  # what the reader changes in the frame; the rest are options
CHIP_FACETS = ("category", "source")  # the facets a compact widget has room for
CHIPS_PER_FACET = 6
DEMO_FACETS = ("category", "source")  # offered as fixed filters on the demo page
WIDGET_MAX_AGE = 3600  # widget.js keeps its URL on every host: let fixes reach them in an hour
THEME_MAX_AGE = 86400  # a theme stylesheet's URL is its content


@bp.after_request
def _allow_framing(response: Response) -> Response:
    """Only /embed may be framed, by FAHRAS_EMBED_ORIGINS (errors included: they show in it)."""
    if request.endpoint == "embed.frame":
        origins = Origins.from_config(current_app.config)
        policy = content_security_policy(origins.frame_ancestors())
        response.headers["Content-Security-Policy"] = policy
    return response


@bp.get("/embed")
def frame() -> tuple[str, int]:
    """The widget: a search box, and results once the reader has typed or picked a chip.

    Bad options come back as an Arabic message inside the widget (status 400), where the site
    owner trying a snippet sees what to fix.
    """
    args = request.args.to_dict(flat=False)
    try:
        options = parse_options(args, other=READER_PARAMS, facets=engine().fields.filter_names)
    except ParamError as error:
        return _failed(DEFAULTS, error.message)
    try:
        return render_frame(options, **frame_search(options, args)), 200
    except ParamError as error:
        return _failed(options, error.message)
    except QueryError:
        return _failed(options, QUERY_REJECTED)


def _failed(options: EmbedOptions, message: str) -> tuple[str, int]:
    return render_frame(options, error=message, status=message), 400


def frame_search(options: EmbedOptions, args: dict[str, list[str]]) -> dict[str, object]:
    """The reader's search within the widget's fixed filters, as the templates show it."""
    q = (args.get("q") or [""])[0]
    picks = _picks(args.get("pick", []), options)
    if not q.strip() and not picks:
        return {"q": q}  # nothing asked yet: just the box
    wanted = {"q": [q], "per_page": [str(options.per_page)], **picks}
    if args.get("typos"):
        wanted["typos"] = args["typos"][:1]
    wanted.update({name: [value] for name, value in options.fixed.items()})
    params = parse_search_args(wanted, options.per_page, engine().fields.filter_names)
    result = run_search(params)
    site = replace(params, per_page=None)  # links to our pages use the site's page size
    total, hits = result["total"], result["results"]
    suggestion = result["suggestion"]
    return {
        "q": q,
        "searched": True,
        "result": result,
        "panels": chip_panels(result, options) if options.facets else [],
        "status": arabic.counted(total, arabic.RESULTS) if total else "لا نتائج",
        "site_args": site.args(),
        "more_url": url_for("pages.search", **site.args()) if total > len(hits) else None,
        "suggestion_url": frame_url(options, suggestion, picks) if suggestion else None,
        "only_typed_url": frame_url(options, q, picks, typos="off") if result["typos"] else None,
    }


def _picks(values: list[str], options: EmbedOptions) -> dict[str, list[str]]:
    """The reader's chips, `facet:value`, by facet; a fixed facet offers none to pick."""
    picks: dict[str, list[str]] = {}
    for value in values:
        facet, _, chosen = value.partition(":")
        if facet not in CHIP_FACETS or facet in options.fixed or not chosen:
            raise ParamError("pick", f"اختيار غير صالح «{value}».")
        picks.setdefault(facet, []).append(chosen)
    return picks


def chip_panels(result: dict[str, object], options: EmbedOptions) -> list[FacetPanel]:
    """Chip rows for the facets the widget does not fix: the commonest values and any picked."""
    return [
        replace(
            panel,
            options=[o for i, o in enumerate(panel.options) if i < CHIPS_PER_FACET or o.selected],
        )
        for panel in facet_panels(result)
        if panel.name in CHIP_FACETS and panel.name not in options.fixed
    ]


def frame_url(options: EmbedOptions, q: str, picks: dict[str, list[str]], **more: str) -> str:
    pick = [f"{facet}:{value}" for facet, values in picks.items() for value in values]
    return url_for("embed.frame", **dict(options.attributes()), q=q, pick=pick, **more)


def render_frame(options: EmbedOptions, **context: object) -> str:
    """The whole frame, or for htmx only its results and live region."""
    theme = options.theme_args()
    return render_template(
        "embed_fragment.html" if wants_fragment() else "embed.html",
        options=options,
        origins=" ".join(Origins.from_config(current_app.config).listed),
        theme_url=url_for("embed.theme", **theme) if theme else None,
        link_target="_blank" if options.target == "new" else "_top",
        **{"q": "", "searched": False, "status": "", **context},
    )


@bp.get("/embed/theme.css")
def theme() -> Response:
    """Custom colours and font size, as CSS variables (see `theme_css`)."""
    options = parse_options(request.args.to_dict(flat=False))
    response = Response(theme_css(options), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = THEME_MAX_AGE
    return response


@bp.get("/widget.js")
def widget() -> Response:
    """The loader hosts include from their pages, hence readable from any origin (CORP)."""
    folder = str(current_app.static_folder)
    response = send_from_directory(folder, "js/widget.js", max_age=WIDGET_MAX_AGE)
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/embed/demo")
def demo() -> str:
    """Pick options, see the live widget, copy its snippet (htmx updates the code and preview)."""
    args = request.args.to_dict(flat=False)
    custom_colours = bool(args.pop("colours", None))
    error = None
    try:
        options = parse_options(args, facets=engine().fields.filter_names)
    except ParamError as bad:
        options, error = DEFAULTS, bad.message
    # Colours left as the theme has them stay out of the snippet.
    defaults = options.theme_colours()
    kept = {
        k: v if custom_colours and v != defaults[k] else "" for k, v in options.colours().items()
    }
    options = replace(options, **kept)
    one_line, placeholder = snippets(url_for("embed.widget", _external=True), options)
    output = {"options": options, "error": error, "one_line": one_line, "placeholder": placeholder}
    if wants_fragment():  # the code and the preview; the form stays as the owner set it
        return render_template("_embed_demo_output.html", **output)
    archive = run_search(SearchParams())["facets"]
    return render_template(
        "embed_demo.html",
        **output,
        custom_colours=custom_colours,
        colours={name: value or defaults[name] for name, value in options.colours().items()},
        theme_colours=THEME_COLOURS,
        choices={name: [v["value"] for v in archive[name]["values"]] for name in DEMO_FACETS},
        facet_labels=engine().fields.labels(),
        per_page_range=PER_PAGE,
        font_sizes=FONT_SIZES,
    )
