"""What one request returned and what a run may still spend: kept apart from the backend's
request machinery so that module stays about requests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Answer:
    content: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    cached: bool = False
    key: str = ""


@dataclass(slots=True)
class Budget:
    """Tokens used plus tokens reserved for requests in flight, against an optional limit."""

    limit: int | None
    used: int = 0
    reserved: int = 0
    exhausted: bool = False

    def reserve(self, n: int) -> bool:
        if self.exhausted:
            return False
        if self.limit is not None and self.used + self.reserved + n > self.limit:
            self.exhausted = True
            return False
        self.reserved += n
        return True

    def settle(self, reserved: int, actual: int) -> None:
        self.reserved -= reserved
        self.used += actual
