"""Per-request answer cache (SQLite).

Why: a re-run, or a run resumed after a budget stop or a crash, must not pay again for answers
it already received. The key is a hash of everything that determines the answer (model,
sampling parameters, the exact messages), so a changed prompt or temperature is a miss, never a
stale hit. Only answers that parsed are stored (the backend calls `put` after parsing): a
garbled answer is worth asking for again.

All tasks of one run share one event-loop thread, so writes are naturally serialised; a lock
keeps that true if a caller ever shares the cache across threads, and WAL mode plus a busy
timeout let two codeback processes share one file.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from ..errors import BackendError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    content TEXT NOT NULL,
    finish_reason TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    created REAL NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    content: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


def request_key(model: str, params: dict, messages: list[dict]) -> str:
    """sha256 over a canonical encoding (sorted keys) of model, parameters and messages."""
    blob = orjson.dumps(
        {"model": model, "params": params, "messages": messages}, option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(blob).hexdigest()


class AnswerCache:
    """SQLite store of parsed answers keyed by `request_key`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=10.0, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except (OSError, sqlite3.Error) as e:
            raise BackendError(f"cannot open the answer cache {self.path}: {e}") from None
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> CachedAnswer | None:
        with self._lock:
            row = self._db.execute(
                "SELECT content, finish_reason, prompt_tokens, completion_tokens "
                "FROM answers WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return CachedAnswer(*row)

    def put(self, key: str, model: str, answer: CachedAnswer) -> None:
        with self._lock:
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        model,
                        answer.content,
                        answer.finish_reason,
                        answer.prompt_tokens,
                        answer.completion_tokens,
                        time.time(),
                    ),
                )
                self._db.commit()
            except sqlite3.Error as e:
                raise BackendError(f"cannot write the answer cache {self.path}: {e}") from None

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
