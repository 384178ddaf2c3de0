"""The web app's settings: one table, read from `FAHRAS_*` environment variables.

Settings are data (name, default, help, parser) so the README table, the validation and the
defaults cannot drift apart: `settings_markdown()` renders the table that docs/settings.md
carries, and a test fails if the two differ.
"""

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from webapp.hosts import parse_host_names, parse_public_url
from webapp.origins import parse_origins

PREFIX = "FAHRAS_"


class SettingsError(ValueError):
    """A setting has a value the app cannot use; the message names the variable and the fix."""


@dataclass(frozen=True, slots=True)
class Setting:
    name: str  # without the prefix
    default: object
    help: str
    parse: Callable[[str], object] = str

    @property
    def key(self) -> str:
        return PREFIX + self.name


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        wanted = f"a whole number from {low} to {high}"
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(wanted) from None
        if not low <= value <= high:
            raise ValueError(wanted)
        return value

    return parse


def _text(raw: str) -> str:
    if not raw.strip():
        raise ValueError("a non-empty text")
    return raw.strip()


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw.strip().lower() not in choices:
            raise ValueError(" or ".join(f"`{choice}`" for choice in choices))
        return raw.strip().lower()

    return parse


def _addresses(raw: str) -> str:
    """IP addresses, space- or comma-separated, in their canonical spelling."""
    try:
        return " ".join(str(ipaddress.ip_address(a)) for a in raw.replace(",", " ").split())
    except ValueError:
        raise ValueError("IP addresses such as `127.0.0.1 ::1`, space-separated") from None


SETTINGS = (
    Setting("INDEX", "index", "Directory of the index to serve (built by `fahras index`).", _text),
    Setting("SITE_TITLE", "فهرس", "Site name in the header, page titles and OpenSearch.", _text),
    Setting("PER_PAGE", 10, "Results per page (a reader may ask for 1–100).", _int_between(1, 100)),
    Setting(
        "FACET_LIMIT",
        10,
        "Values listed per facet, most frequent first (selected ones always shown).",
        _int_between(1, 100),
    ),
    Setting("SUGGEST_LIMIT", 8, "Autocomplete suggestions under the box.", _int_between(1, 20)),
    Setting(
        "SNIPPET_CHARS",
        160,
        "Length of each snippet fragment, in characters.",
        _int_between(40, 1000),
    ),
    Setting(
        "ANSWERS_KEPT",
        500,
        "Answers each worker keeps for searches asked again, until the next commit (least"
        " recently asked go first; about 40 KB each; `0`: none kept).",
        _int_between(0, 100_000),
    ),
    Setting(
        "TYPING_DELAY_MS",
        300,
        "Pause after the last keystroke before searching as you type.",
        _int_between(0, 5000),
    ),
    Setting(
        "PUBLIC_URL",
        "",
        "The address readers use, such as `https://fahras.example`: absolute links (OpenSearch,"
        " the widget snippet, redirects) use it whatever the request's Host says; its host is"
        " trusted. Empty: links use the request's (trusted) Host.",
        parse_public_url,
    ),
    Setting(
        "TRUSTED_HOSTS",
        "localhost 127.0.0.1 ::1",
        "Host names requests may carry, space-separated (`.example.org`: and its subdomains;"
        " `*`: any); another gets a 400. Set it, or `FAHRAS_PUBLIC_URL`, to serve under a name.",
        parse_host_names,
    ),
    Setting(
        "EMBED_ORIGINS",
        "*",
        "Sites allowed to embed the search widget and to call `/api/search` and `/api/suggest`"
        " from a browser (CORS): origins such as `https://example.com`, space-separated;"
        " `*`: any. See docs/embed.md.",
        parse_origins,
    ),
    Setting(
        "API_RATE_LIMIT",
        120,
        "Requests a minute each client may make to `/api/*`, in bursts of up to a quarter of"
        " that, per gunicorn worker; beyond it a 429 with Retry-After (`0`: no limit).",
        _int_between(0, 1_000_000),
    ),
    Setting(
        "SEARCH_COST_LIMIT",
        600,
        "Search cost a minute each client may spend on the pages, the API and the widget"
        " (a word costs 1, a phrase 3, a prefix `ab*` 4), in bursts of up to a quarter of"
        " that, per gunicorn worker; beyond it a 429 with Retry-After (`0`: no limit).",
        _int_between(0, 1_000_000),
    ),
    Setting(
        "RATE_LIMIT_EXEMPT",
        "127.0.0.1 ::1",
        "Client addresses never rate-limited, space-separated (empty: none); a request"
        " through a proxy (X-Forwarded-For…) while `FAHRAS_PROXY_HOPS` is `0` is never exempt.",
        _addresses,
    ),
    Setting(
        "PROXY_HOPS",
        0,
        "Reverse proxies in front of the app whose X-Forwarded-For names the client (for rate"
        " limits); `0`: the connecting address is the client. Set it behind nginx.",
        _int_between(0, 5),
    ),
    Setting(
        "SEARCH_SLOTS",
        16,
        "Searches one gunicorn worker runs or queues at once (its threads are two more, kept"
        " for /healthz and static files); beyond it an immediate 503 with Retry-After.",
        _int_between(1, 64),
    ),
    Setting(
        "EXPENSIVE_SEARCHES",
        1,
        "Expensive searches (several prefixes or phrases) one gunicorn worker runs at once; two"
        " more may wait for each turn, up to 2.4 s; any other gets a 503 with Retry-After at once.",
        _int_between(1, 64),
    ),
    Setting(
        "WORKER_MEMORY_MB",
        3072,
        "Private memory above which a gunicorn worker is restarted after its current request"
        " (`0`: never). A worker serving the 31,525 ANT articles uses about 600 MB.",
        _int_between(0, 1_000_000),
    ),
    Setting(
        "SEARCH_KEYS",
        "open",
        "`required`: the JSON API (but `/api/suggest`, which the pages use) and the widget need"
        " a read key (`Authorization: Bearer KEY`; the widget's `data-key`), for a private"
        " archive; the HTML pages stay open. `open`: only writing needs a key. See README:"
        " Publishing from your CMS.",
        _choice("open", "required"),
    ),
    Setting(
        "PUBLISH_WRITER",
        "thread",
        "Who applies the writes of `POST /api/documents`: `thread`, a background thread of one"
        " web worker (elected by a lock file); `off`, a `fahras worker` you run yourself (and"
        " read replicas).",
        _choice("thread", "off"),
    ),
    Setting(
        "PUBLISH_MAX_MB",
        10,
        "Largest body of one `POST /api/documents`, in megabytes (413 beyond it).",
        _int_between(1, 1024),
    ),
    Setting(
        "PUBLISH_RATE_LIMIT",
        60,
        "Write requests a minute each API key may make (`POST`/`DELETE /api/documents`), per"
        " gunicorn worker; beyond it a 429 with Retry-After (`0`: no limit).",
        _int_between(0, 1_000_000),
    ),
    Setting(
        "QUERY_LOG",
        "off",
        "`on`: log each search's normalized query, filters, result count and time (never who"
        " asked) with the index, for `fahras stats --queries` and `/admin`; kept 90 days, at most"
        " 200,000 searches. See docs/deploy.md.",
        _choice("off", "on"),
    ),
)


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, object] | None = None
) -> dict[str, object]:
    """Every setting keyed `FAHRAS_NAME`: default, then environment, then `overrides`."""
    environ = os.environ if environ is None else environ
    overrides = overrides or {}
    values: dict[str, object] = {}
    for setting in SETTINGS:
        raw = overrides.get(setting.key, environ.get(setting.key))
        if raw is None:
            values[setting.key] = setting.default
            continue
        try:
            values[setting.key] = setting.parse(str(raw))
        except ValueError as exc:
            raise SettingsError(f"{setting.key}={raw!r} is not valid: use {exc}") from None
    return values


def _shown(default: object) -> str:
    return f"`{default}`" if default != "" else "none"


def settings_markdown() -> str:
    """The settings table for the README and docs/settings.md."""
    lines = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    lines += [f"| `{s.key}` | {_shown(s.default)} | {s.help} |" for s in SETTINGS]
    return "\n".join(lines) + "\n"
