"""The web app's settings: one table, read from `FAHRAS_*` environment variables.

Settings are data (name, default, help, parser) so the README table, the validation and the
defaults cannot drift apart: `settings_markdown()` renders the table that docs/settings.md
carries, and a test fails if the two differ.
"""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

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
        "TYPING_DELAY_MS",
        300,
        "Pause after the last keystroke before searching as you type.",
        _int_between(0, 5000),
    ),
    Setting(
        "EMBED_ORIGINS",
        "*",
        "Origins allowed to embed the search widget, space-separated (`*`: any).",
        _text,
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


def settings_markdown() -> str:
    """The settings table for the README and docs/settings.md."""
    lines = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    lines += [f"| `{s.key}` | `{s.default}` | {s.help} |" for s in SETTINGS]
    return "\n".join(lines) + "\n"
