"""Answers to searches asked again, kept until the next commit (Solr's queryResultCache).

A news site's readers ask the same few searches over and over (the top of `fahras stats`: the
day's names and events, the pages behind a link), and an answer cannot change until a commit
opens a new generation: the generation's number is part of each key, and the engine empties
the cache when it switches. Answers cut short by the request's deadline are never kept, so a
busy moment does not fix a poorer answer in place. Least recently asked answers go first.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

Answer = TypeVar("Answer")


class AnswerCache(Generic[Answer]):
    """Up to `size` answers (0: none kept), safe to share between a worker's threads."""

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"an answer cache holds 0 or more answers, not {size}")
        self.size = size
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Answer | None:
        if not self.size:
            return None
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: Hashable, answer: Answer) -> None:
        if not self.size:
            return
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def __len__(self) -> int:
        return len(self._answers)
