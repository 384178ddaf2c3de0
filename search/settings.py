"""An index's own settings: a TOML file kept with the index (DIR/settings.toml).

It adds fields to the registry (search/fields.py), synonyms (search/synonyms.py), analysis rules
(search/rules.py), ranking weights and a recency boost, and the facet panel's order and sizes.
`fahras index --settings FILE` installs it, `fahras settings show|check` prints and checks it.

Some settings change what the index holds (fields: what is indexed and counted; protected words,
stem overrides and stop words: how words are analyzed). Those are recorded in the index's
metadata when it is built, as a fingerprint; settings that differ from that record are refused
by the indexer and make searches say that a rebuild is needed. Everything else (labels, weights,
synonyms, recency, facet order) applies to the next search, without a rebuild.
"""

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from search.errors import FahrasError
from search.fields import BUILTIN, RESERVED, Field, FieldRegistry, Kind
from search.normalize import normalize
from search.rules import NO_RULES, AnalysisRules

SETTINGS_FILE = "settings.toml"
SECTIONS = ("fields", "synonyms", "protected", "stopwords", "ranking", "facets")
FIELD_KINDS = {"facet": Kind.FACET, "text": Kind.TEXT, "stored": Kind.STORED}
FIELD_KEYS = ("kind", "label", "aliases", "inputs", "split", "shown", "weight")
DEFAULT_SYNONYM_BOOST = 0.5  # a synonym's match counts half as much as the word typed
# Names a facet cannot take: it becomes a URL parameter and a widget option, as these are.
TAKEN_NAMES = frozenset(
    {"q", "sort", "page", "per_page", "from", "to", "format", "text", "placeholder", "theme"}
    | {"accent", "background", "color", "target", "facets", "id", "url", "date"}
)
RULE_NAMES = {
    "protected": "protected words",
    "stems": "stem overrides",
    "stop_added": "stop words",
    "stop_removed": "stop words",
}
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


class SettingsError(FahrasError):
    """A settings file that cannot be used; the message names the file, line and setting."""


@dataclass(frozen=True, slots=True)
class Synonyms:
    groups: tuple[tuple[str, ...], ...] = ()  # each entry means every other one
    expand: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # one way: key → values
    boost: float = DEFAULT_SYNONYM_BOOST


@dataclass(frozen=True, slots=True)
class Settings:
    fields: tuple[Field, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)
    synonyms: Synonyms = Synonyms()
    rules: AnalysisRules = NO_RULES
    half_life_days: float | None = None
    facet_order: tuple[str, ...] = ()
    facet_limits: Mapping[str, int] = field(default_factory=dict)

    def registry(self) -> FieldRegistry:
        """The built-in fields plus these, with their weights, limits and panel order."""
        registry = BUILTIN.extended(self.fields)
        for name, weight in self.weights.items():
            registry = registry.with_changes(name, weight=weight)
        for name, limit in self.facet_limits.items():
            registry = registry.with_changes(name, limit=limit)
        return registry.reordered(self.facet_order)

    def index_record(self) -> dict[str, object]:
        """What the index's contents depend on, as recorded in its metadata when built."""
        record: dict[str, object] = {
            "fields": self.registry().index_signature(),
            "analysis": self.rules.as_dict(),
        }
        canonical = json.dumps(record, ensure_ascii=False, sort_keys=True)
        return record | {"fingerprint": hashlib.sha1(canonical.encode()).hexdigest()[:16]}


DEFAULT = Settings()


def settings_path(index_dir: Path) -> Path:
    return Path(index_dir) / SETTINGS_FILE


def load_settings(path: Path) -> Settings:
    """Read and check a settings file; SettingsError names the line and the setting."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the settings file: {exc}") from None
    return parse_settings(text, str(path))


def installed(index_dir: Path) -> Settings:
    """The index's settings (the defaults when it has no settings file)."""
    path = settings_path(index_dir)
    return load_settings(path) if path.exists() else DEFAULT


def install(index_dir: Path, source: Path) -> None:
    """Copy a (checked) settings file into the index folder atomically."""
    text = Path(source).read_text(encoding="utf-8")
    temporary = Path(index_dir) / f".{SETTINGS_FILE}.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, settings_path(index_dir))


def rebuild_reasons(built: Mapping[str, object] | None, settings: Settings) -> list[str]:
    """What differs between the settings an index was built with and `settings`."""
    before = built or DEFAULT.index_record()
    now = settings.index_record()
    if before.get("fingerprint") == now["fingerprint"]:
        return []
    reasons = []
    old_fields = {row[0]: row for row in before.get("fields", [])}  # type: ignore[union-attr]
    new_fields = {row[0]: row for row in now["fields"]}  # type: ignore[union-attr]
    for name in sorted(new_fields.keys() - old_fields.keys()):
        reasons.append(f"field {name} added")
    for name in sorted(old_fields.keys() - new_fields.keys()):
        reasons.append(f"field {name} removed")
    for name in sorted(old_fields.keys() & new_fields.keys()):
        if list(old_fields[name]) != list(new_fields[name]):
            reasons.append(f"field {name} changed")
    old_rules = AnalysisRules.from_dict(before.get("analysis") or {}).as_dict()  # type: ignore
    new_rules = settings.rules.as_dict()
    for key, what in RULE_NAMES.items():
        if old_rules[key] != new_rules[key]:
            reasons.append(what)
    return list(dict.fromkeys(reasons))


def parse_settings(text: str, where: str = SETTINGS_FILE) -> Settings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{where}: {exc}") from None
    check = _Checker(text, where)
    for section in data:
        if section not in SECTIONS:
            check.fail((section,), f"unknown section; use {', '.join(SECTIONS)}")
    fields = tuple(check.field(name, spec) for name, spec in check.table(data, ("fields",)).items())
    registry = BUILTIN.extended(fields)
    check.aliases(registry)
    return Settings(
        fields=fields,
        weights=check.weights(data, registry),
        synonyms=check.synonyms(data),
        rules=check.rules(data),
        half_life_days=check.half_life(data),
        facet_order=check.facet_order(data, registry),
        facet_limits=check.facet_limits(data, registry),
    )


class _Checker:
    """Reads the parts of a parsed settings file, failing with the line of the setting."""

    def __init__(self, text: str, where: str) -> None:
        self.lines = text.splitlines()
        self.where = where

    def fail(self, path: tuple[str, ...], message: str) -> None:
        line = _line_of(self.lines, path)
        place = f"{self.where}:{line}" if line else self.where
        raise SettingsError(f"{place}: {'.'.join(path)}: {message}")

    def table(self, data: Mapping, path: tuple[str, ...]) -> dict:
        value = _get(data, path)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(path, "expected a table")
        return value

    def strings(self, data: Mapping, path: tuple[str, ...]) -> list[str]:
        value = _get(data, path)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(path, "expected a list of non-empty strings")
        return [v.strip() for v in value]

    def known_keys(self, table: Mapping, path: tuple[str, ...], keys: tuple[str, ...]) -> None:
        for key in table:
            if key not in keys:
                self.fail((*path, key), f"unknown setting; use {', '.join(keys)}")

    def field(self, name: str, spec: object) -> Field:
        path = ("fields", name)
        if BUILTIN.get(name) is not None or name in RESERVED:
            self.fail(path, f"{name!r} clashes with a built-in field; rename it")
        if not _NAME.fullmatch(name):
            self.fail(path, "a field name is lower-case latin letters, digits and _")
        if not isinstance(spec, dict):
            self.fail(path, 'expected a table, e.g. [fields.country] kind = "facet"')
        self.known_keys(spec, path, FIELD_KEYS)
        kind = FIELD_KINDS.get(spec.get("kind"))  # type: ignore[arg-type]
        if kind is None:
            self.fail(
                (*path, "kind"), f"unknown kind {spec.get('kind')!r}; use facet, text or stored"
            )
        if kind is Kind.FACET and name in TAKEN_NAMES:
            self.fail(path, f"{name!r} is a search parameter or widget option: name the facet else")
        label = spec.get("label", name)
        if not isinstance(label, str) or not label.strip():
            self.fail((*path, "label"), "expected a non-empty string")
        split = spec.get("split")
        if split is not None and (
            kind is not Kind.FACET or not isinstance(split, str) or not split
        ):
            self.fail((*path, "split"), "only a facet's values are split, by a non-empty string")
        weight = spec.get("weight", 1.0)
        if "weight" in spec and kind is not Kind.TEXT:
            self.fail((*path, "weight"), "only text fields have a weight")
        self.positive(weight, (*path, "weight"))
        shown = spec.get("shown", False)
        if not isinstance(shown, bool):
            self.fail((*path, "shown"), "expected true or false")
        return Field(
            name,
            kind,  # type: ignore[arg-type]
            label.strip(),
            aliases=tuple(self.strings(spec, ("aliases",)) if "aliases" in spec else ()),
            inputs=tuple(self.strings(spec, ("inputs",)) if "inputs" in spec else ()),
            split=split,
            shown=shown,
            weight=float(weight),
            builtin=False,
        )

    def aliases(self, registry: FieldRegistry) -> None:
        seen: dict[str, str] = {}
        for item in registry.fields:
            for alias in (item.name, *item.aliases):
                other = seen.setdefault(alias.lower(), item.name)
                if other != item.name:
                    self.fail(("fields", item.name, "aliases"), f"{alias!r} already names {other}")

    def positive(self, value: object, path: tuple[str, ...]) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            self.fail(path, f"expected a number above 0, not {value!r}")
        return float(value)  # type: ignore[arg-type]

    def weights(self, data: Mapping, registry: FieldRegistry) -> dict[str, float]:
        table = self.table(data, ("ranking", "weights"))
        for name in table:
            if name not in registry.text_names:
                self.fail(("ranking", "weights", name), f"not a text field: {registry.text_names}")
        return {name: self.positive(v, ("ranking", "weights", name)) for name, v in table.items()}

    def half_life(self, data: Mapping) -> float | None:
        ranking = self.table(data, ("ranking",))
        self.known_keys(ranking, ("ranking",), ("weights", "recency_half_life_days"))
        value = ranking.get("recency_half_life_days")
        return (
            None if value is None else self.positive(value, ("ranking", "recency_half_life_days"))
        )

    def synonyms(self, data: Mapping) -> Synonyms:
        section = self.table(data, ("synonyms",))
        self.known_keys(section, ("synonyms",), ("groups", "expand", "boost"))
        groups = []
        raw_groups = section.get("groups", [])
        if not isinstance(raw_groups, list):
            self.fail(("synonyms", "groups"), "expected a list of lists of words")
        for number, group in enumerate(raw_groups, 1):
            path = ("synonyms", "groups")
            if not isinstance(group, list) or not all(isinstance(w, str) for w in group):
                self.fail(path, f"group {number}: expected a list of words or phrases")
            words = list(dict.fromkeys(w.strip() for w in group if normalize(w).strip()))
            if len(words) < 2:
                self.fail(path, f"group {number} {group!r}: a group needs two words or more")
            groups.append(tuple(words))
        expand = {}
        for key in self.table(section, ("expand",)):
            values = self.strings(section, ("expand", key))
            if not values or not normalize(key).strip():
                self.fail(("synonyms", "expand", key), "expected a word and a list of words")
            expand[key.strip()] = tuple(values)
        boost = section.get("boost", DEFAULT_SYNONYM_BOOST)
        if self.positive(boost, ("synonyms", "boost")) >= 1:
            self.fail(
                ("synonyms", "boost"), "a synonym ranks below the typed word: use 0 < boost < 1"
            )
        return Synonyms(tuple(groups), expand, float(boost))

    def rules(self, data: Mapping) -> AnalysisRules:
        protected = self.table(data, ("protected",))
        self.known_keys(protected, ("protected",), ("words", "stems"))
        stems = self.table(protected, ("stems",))
        for word, target in stems.items():
            if not isinstance(target, str) or not normalize(target).strip():
                self.fail(("protected", "stems", word), "expected the stem as a string")
        stopwords = self.table(data, ("stopwords",))
        self.known_keys(stopwords, ("stopwords",), ("add", "remove"))
        return AnalysisRules.from_words(
            self.strings(protected, ("words",)),
            stems,
            self.strings(stopwords, ("add",)),
            self.strings(stopwords, ("remove",)),
        )

    def facet_order(self, data: Mapping, registry: FieldRegistry) -> tuple[str, ...]:
        section = self.table(data, ("facets",))
        self.known_keys(section, ("facets",), ("order", "limit"))
        order = self.strings(section, ("order",))
        self.facet_names(order, ("facets", "order"), registry)
        return tuple(order)

    def facet_limits(self, data: Mapping, registry: FieldRegistry) -> dict[str, int]:
        limits = self.table(data, ("facets", "limit"))
        self.facet_names(list(limits), ("facets", "limit"), registry)
        for name, value in limits.items():
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
                self.fail(("facets", "limit", name), "expected a whole number from 1 to 1000")
        return dict(limits)

    def facet_names(self, names: list[str], path: tuple[str, ...], registry: FieldRegistry) -> None:
        for name in names:
            if name not in registry.filter_names:
                self.fail((*path, name), f"not a facet; facets: {', '.join(registry.filter_names)}")


def _get(data: Mapping, path: tuple[str, ...]) -> object:
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)  # type: ignore[assignment]
    return data


def _line_of(lines: list[str], path: tuple[str, ...]) -> int | None:
    """The line where the setting `path` is written: its key, else its nearest table header."""
    header = re.compile(r"\s*\[+\s*([^\]]+?)\s*\]+")
    current: tuple[str, ...] = ()
    best: int | None = None
    for number, line in enumerate(lines, 1):
        found = header.match(line)
        if found:
            current = tuple(_unquote(part) for part in found[1].split("."))
            if path[: len(current)] == current:
                best = number
            continue
        if "=" not in line or path[: len(current)] != current:
            continue
        keys = tuple(_unquote(part) for part in line.split("=", 1)[0].split("."))
        rest = path[len(current) :]
        if rest and rest[: len(keys)] == keys:
            return number
    return best


def _unquote(part: str) -> str:
    return part.strip().strip("\"'")
