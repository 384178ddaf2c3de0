"""A search widget's options: the `data-` attributes of its snippet, carried in the /embed URL.

widget.js knows no option by name: it forwards every `data-` attribute of the snippet as a URL
parameter of the frame (`data-per-page="3"` becomes `per-page=3`). They are checked here, with
Arabic messages shown inside the widget where the site owner sees them, so each option is
defined once for the frame, its theme stylesheet, the demo page and the snippet it writes.
"""

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import escape

from search.facets import ALL_FACETS
from webapp.arabic import number
from webapp.params import MAX_VALUE_CHARS, ParamError

MAX_PLACEHOLDER_CHARS = 80
PER_PAGE = (1, 20)  # a widget is a glimpse: more results are one link away, on our site
FONT_SIZES = (12, 24)  # pixels
THEMES = ("light", "dark", "auto")  # auto: follow the reader's system setting
TARGETS = ("new", "same")  # where a result opens: a new tab, or this tab instead of the host page
COLOURS = ("accent", "background", "color")
SWITCH = {
    **dict.fromkeys(("on", "true", "yes", "1"), True),
    **dict.fromkeys(("off", "false", "no", "0"), False),
}
OPTION_NAMES = ("placeholder", "per-page", "facets", "theme", *COLOURS, "font-size", "target")
OPTION_NAMES += ("key",)  # a read key, where FAHRAS_SEARCH_KEYS=required (webapp/auth.py)
MAX_KEY_CHARS = 200
THEME_COLOURS = {  # as in embed.css
    "light": {"accent": "#0b57a4", "background": "#ffffff", "color": "#1b1f24"},
    "dark": {"accent": "#8ab4f8", "background": "#15191f", "color": "#e8eaed"},
}
DARK_INK = THEME_COLOURS["light"]["color"]  # the text on a light accent
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


@dataclass(frozen=True, slots=True)
class EmbedOptions:
    placeholder: str = ""  # empty: the site's own wording
    fixed: Mapping[str, str] = field(default_factory=dict)  # facet -> the one value always applied
    per_page: int = 5
    facets: bool = False
    theme: str = "light"
    accent: str = ""  # colours: empty keeps the theme's
    background: str = ""
    color: str = ""
    font_size: int = 16
    target: str = "new"
    key: str = ""

    def attributes(self) -> list[tuple[str, str]]:
        """The options that differ from the defaults, as (name, value) in a stable order.

        They are the snippet's `data-` attributes, the frame's hidden form fields (so every
        search in the frame keeps them) and the parameters of the frame's URL.
        """
        pairs = [("placeholder", self.placeholder)] if self.placeholder else []
        pairs += list(self.fixed.items())
        if self.per_page != DEFAULTS.per_page:
            pairs.append(("per-page", str(self.per_page)))
        if self.facets:
            pairs.append(("facets", "on"))
        if self.theme != DEFAULTS.theme:
            pairs.append(("theme", self.theme))
        pairs += [(name, value) for name, value in self.colours().items() if value]
        if self.font_size != DEFAULTS.font_size:
            pairs.append(("font-size", str(self.font_size)))
        if self.target != DEFAULTS.target:
            pairs.append(("target", self.target))
        if self.key:
            pairs.append(("key", self.key))
        return pairs

    def colours(self) -> dict[str, str]:
        return {"accent": self.accent, "background": self.background, "color": self.color}

    def theme_colours(self) -> dict[str, str]:
        """The colours the theme has without custom ones (light ones for `auto`)."""
        return THEME_COLOURS.get(self.theme, THEME_COLOURS["light"])

    def theme_args(self) -> dict[str, str]:
        """The parameters of the theme stylesheet; empty when the theme's defaults are kept."""
        names = (*COLOURS, "font-size")
        return {name: value for name, value in self.attributes() if name in names}


DEFAULTS = EmbedOptions()


def parse_options(
    args: Mapping[str, Sequence[str]],
    other: Collection[str] = (),
    facets: Collection[str] = ALL_FACETS,
) -> EmbedOptions:
    """Check a widget's options; raise ParamError (Arabic) for the first bad or unknown one.

    `args` maps each parameter to all its values; names in `other` belong to the caller, and
    `facets` are the index's filters (`data-country` where the index has a country facet).
    Empty values count as absent, as an empty form field does.
    """
    known = (*OPTION_NAMES, *facets)
    unknown = sorted(set(args) - set(known) - set(other))
    if unknown:
        raise ParamError(
            unknown[0], f"خيار غير معروف «{unknown[0]}». الخيارات: {'، '.join(known)}."
        )
    given = {name: [v.strip() for v in args[name] if v.strip()] for name in known if name in args}
    first = {name: values[0] for name, values in given.items() if values}
    placeholder = first.get("placeholder", "")
    if len(placeholder) > MAX_PLACEHOLDER_CHARS:
        raise ParamError(
            "placeholder",
            f"نص الخانة (placeholder) أطول من {number(MAX_PLACEHOLDER_CHARS)} حرفًا؛ اختصره.",
        )
    return EmbedOptions(
        placeholder=placeholder,
        fixed=_fixed(given, facets),
        per_page=_whole(first, "per-page", PER_PAGE, "عدد النتائج") or DEFAULTS.per_page,
        facets=_switch(first, "facets"),
        theme=_choice(first, "theme", THEMES) or DEFAULTS.theme,
        accent=_colour(first, "accent"),
        background=_colour(first, "background"),
        color=_colour(first, "color"),
        font_size=_whole(first, "font-size", FONT_SIZES, "حجم الخط") or DEFAULTS.font_size,
        target=_choice(first, "target", TARGETS) or DEFAULTS.target,
        key=first.get("key", "")[:MAX_KEY_CHARS],
    )


def theme_css(options: EmbedOptions) -> str:
    """The stylesheet that applies custom colours and size through embed.css's variables.

    A stylesheet from our own origin, not a style attribute, so the strict CSP holds; every
    value in it was checked by `parse_options`, so nothing else can get into the CSS.
    """
    declarations = []
    if options.accent:
        declarations += [
            f"--accent: {options.accent};",
            f"--on-accent: {on_colour(options.accent)};",
        ]
    if options.background:
        declarations.append(f"--bg: {options.background};")
    if options.color:
        declarations.append(f"--ink: {options.color};")
    if options.font_size != DEFAULTS.font_size:
        declarations.append(f"--font-size: {options.font_size}px;")
    body = "".join(f"  {line}\n" for line in declarations)
    # As specific as embed.css's dark rules, and loaded after them: custom colours win.
    return f":root[data-theme] {{\n{body}}}\n"


def on_colour(background: str) -> str:
    """White or the default ink, whichever reads better on `background` (WCAG contrast ratio)."""
    shade = _luminance(background) + 0.05
    white_contrast = 1.05 / shade
    ink_contrast = shade / (_luminance(DARK_INK) + 0.05)
    return "#ffffff" if white_contrast >= ink_contrast else DARK_INK


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rgb or #rrggbb colour."""
    hex_digits = colour[1:] if len(colour) == 7 else "".join(d * 2 for d in colour[1:])
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def snippets(widget_url: str, options: EmbedOptions) -> tuple[str, str]:
    """The HTML a site owner pastes: one script tag, or a placeholder and the script."""
    attributes = "".join(f' data-{name}="{escape(value)}"' for name, value in options.attributes())
    loader = f'<script src="{escape(widget_url)}" async></script>'
    one_line = f'<script src="{escape(widget_url)}" data-fahras-search{attributes} async></script>'
    return one_line, f"<div data-fahras-search{attributes}></div>\n{loader}"


def _fixed(given: Mapping[str, list[str]], facets: Collection[str]) -> dict[str, str]:
    fixed = {}
    for name in facets:
        values = given.get(name, [])
        if len(values) > 1:
            raise ParamError(name, f"ثبّت قيمة واحدة فقط لـ«{name}».")
        if values and len(values[0]) > MAX_VALUE_CHARS:
            raise ParamError(name, f"قيمة «{name}» أطول من {number(MAX_VALUE_CHARS)} حرف.")
        if values:
            fixed[name] = values[0]
    return fixed


def _whole(first: Mapping[str, str], name: str, bounds: tuple[int, int], what: str) -> int | None:
    if name not in first:
        return None
    low, high = bounds
    try:
        value = int(first[name])
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ParamError(
            name, f"{what} ({name}) يجب أن يكون عددًا صحيحًا من {number(low)} إلى {number(high)}."
        )
    return value


def _switch(first: Mapping[str, str], name: str) -> bool:
    raw = first.get(name, "off").lower()
    if raw not in SWITCH:
        raise ParamError(name, f"قيمة «{name}» يجب أن تكون on أو off.")
    return SWITCH[raw]


def _choice(first: Mapping[str, str], name: str, choices: Sequence[str]) -> str | None:
    raw = first.get(name)
    if raw is not None and raw.lower() not in choices:
        raise ParamError(name, f"قيمة «{name}» يجب أن تكون إحدى: {'، '.join(choices)}.")
    return raw.lower() if raw is not None else None


def _colour(first: Mapping[str, str], name: str) -> str:
    raw = first.get(name, "")
    if raw and not _COLOUR.fullmatch(raw):
        raise ParamError(name, f"اللون «{raw}» في «{name}» غير مفهوم؛ اكتبه هكذا: #0b57a4")
    return raw.lower()
