"""Synonyms at query time: a typed word or phrase gets its equivalents as lower-ranked alternatives.

One step between parsing and scoring: each OR-group whose word (or phrase) is in a synonym group
of the index's settings gains the group's other entries as extra alternatives, with a boost
below 1, so documents with the typed words rank above those with only a synonym. Entries are
analyzed like query words (أمريكا also matches وأمريكا, لأمريكا) and, being clauses of the
query, are highlighted like them. Consecutive typed words that spell a multi-word entry
(الولايات المتحدة) are read as that phrase, with its equivalents. Nothing is indexed, so a change of
synonyms needs no rebuild.
"""

from collections.abc import Iterable
from dataclasses import replace

from search.analysis import TokenReport
from search.query import Clause, ParsedQuery
from search.settings import Synonyms

Key = tuple[str, ...]  # an entry's words as the stemmed view sees them


def expand(parsed: ParsedQuery, synonyms: Synonyms) -> ParsedQuery:
    """`parsed` with synonyms added to its groups (unchanged when no entry matches)."""
    table = _table(synonyms)
    if not table or not parsed.groups:
        return parsed
    sizes = sorted({len(key) for key in table if len(key) > 1}, reverse=True)
    groups, position = [], 0
    while position < len(parsed.groups):
        merged = _phrase_at(parsed.groups, position, sizes, table, synonyms.boost)
        if merged is not None:
            group, used = merged
        else:
            group, used = _widened(parsed.groups[position], table, synonyms.boost), 1
        groups.append(group)
        position += used
    return replace(parsed, groups=groups)


def _table(synonyms: Synonyms) -> dict[Key, list[str]]:
    """Each entry's key → the entries it brings in (its group's others, its one-way targets)."""
    table: dict[Key, list[str]] = {}
    for group in synonyms.groups:
        for entry in group:
            _add(table, _key(entry), [other for other in group if other != entry])
    for word, targets in synonyms.expand.items():
        _add(table, _key(word), list(targets))
    return {key: entries for key, entries in table.items() if key}


def _add(table: dict[Key, list[str]], key: Key, entries: Iterable[str]) -> None:
    found = table.setdefault(key, [])
    found += [entry for entry in entries if entry not in found and _key(entry) != key]


def _key(text: str) -> Key:
    """An entry's key: its words analysed as a query's are (stop words by their form)."""
    return _words_key(Clause("word", text).words)


def _words_key(words: Iterable[TokenReport]) -> Key:
    return tuple(word.stem or word.normalized for word in words)


def _alternatives(entries: list[str], field: str | None, boost: float) -> list[Clause]:
    return [
        Clause("phrase" if len(entry.split()) > 1 else "word", entry, field, boost)
        for entry in entries
    ]


def _widened(group: list[Clause], table: dict[Key, list[str]], boost: float) -> list[Clause]:
    """The group with the synonyms of its words and phrases (exact forms and prefixes: none)."""
    widened = list(group)
    for clause in group:
        if clause.kind in ("word", "phrase") and clause.boost == 1.0:
            found = table.get(_words_key(clause.words), [])
            for extra in _alternatives(found, clause.field, boost):
                if all(extra.text != c.text for c in widened):
                    widened.append(extra)
    return widened


def _phrase_at(
    groups: list[list[Clause]], start: int, sizes: list[int], table: dict, boost: float
) -> tuple[list[Clause], int] | None:
    """Typed words from `start` that spell a multi-word entry: (its group, words used)."""
    for size in sizes:
        run = groups[start : start + size]
        if len(run) < size or any(len(g) != 1 or g[0].kind != "word" or g[0].field for g in run):
            continue
        text = " ".join(g[0].text for g in run)
        entries = table.get(_key(text))
        if entries:
            return [Clause("phrase", text), *_alternatives(entries, None, boost)], size
    return None
