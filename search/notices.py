"""Notices: things a search did differently from what was typed, for the reader to know.

Each has a stable `code` that faces translate (the web UI words them in Arabic), an English
`message` for the CLI and logs, and the `detail` the message names (a limit, a value).
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Notice:
    code: str  # one per function below: query_cut, words_cut, date_ignored, facet_quotes…
    message: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


def query_cut(limit: int) -> Notice:
    return Notice("query_cut", f"query cut to its first {limit} characters", str(limit))


def words_cut(limit: int) -> Notice:
    return Notice("words_cut", f"only the first {limit} words were used", str(limit))


def date_ignored(value: str) -> Notice:
    message = f"date:{value} ignored: not a date (try date:2020 or date:2019..2021)"
    return Notice("date_ignored", message, value)


def typo_tolerated(typed: str, added: str) -> Notice:
    message = f"{typed} matches almost nothing: {added} was searched too"
    return Notice("typo_tolerated", message, f"{typed} {added}")


def prefix_capped(prefix: str, limit: int) -> Notice:
    message = f"{prefix}*: only the first {limit} words were considered"
    return Notice("prefix_capped", message, prefix)


def facet_quotes(suggested: str) -> Notice:
    message = f"no such value; a value with spaces goes in quotes: {suggested}"
    return Notice("facet_quotes", message, suggested)


def phrase_timeout() -> Notice:
    return Notice("phrase_timeout", "the phrase search took too long: some matches may be missing")


def phrase_capped(limit: int) -> Notice:
    message = f"the phrase's words are very common: only {limit} documents were checked for it"
    return Notice("phrase_capped", message, str(limit))


def budget_spent(skipped: str) -> Notice:
    message = f"the search used its time budget: {skipped} skipped"
    return Notice("budget_spent", message, skipped)


def search_timeout() -> Notice:
    message = "the search took too long: the last words of the query were not fully used"
    return Notice("search_timeout", message)


def rebuild_needed(reasons: list[str]) -> Notice:
    detail = ", ".join(reasons)
    message = (
        f"the index's settings changed since it was built ({detail}): searches use the old "
        "rules until it is rebuilt with `fahras index --index DIR --rebuild-from-index`"
    )
    return Notice("rebuild_needed", message, detail)
