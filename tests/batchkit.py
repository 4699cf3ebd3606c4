"""Helpers for the batch tests: results to return, and brief functions that play the model.

The model client belongs to the session object, so the runner is driven here by async
functions with the real signature, `async (text) -> Result`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from summarizer import Brief, Meta, Result


def result_for(text: str, **meta: Any) -> Result:
    """A valid Result whose headline is the article's first line (so tests can tell them apart)."""
    data: dict[str, Any] = {
        "headline": text.splitlines()[0][:100] or "untitled",
        "event": {
            "summary": "Something happened.",
            "category": "other",
            "when": None,
            "where": None,
            "evidence": [],
        },
        "actors": [{"name": "Ilse Brandt", "kind": "person", "role": "mayor", "evidence": []}],
        "status": {"phase": "ongoing", "summary": "It goes on.", "evidence": []},
        "uncertainties": [],
    }
    fields: dict[str, Any] = {
        "model": "fake",
        "backend": "openai",
        "prompt_version": "p",
        "schema_version": "1.0",
        "attempts": 1,
    }
    fields.update(meta)
    return Result(Brief.model_validate(data), Meta(**fields))


class FakeBrief:
    """An async brief function: answers `result_for(text)`, or raises what `fail` says.

    Counts calls, and the most calls in flight at once; `delay` is each call's duration.
    """

    def __init__(
        self,
        *,
        delay: float = 0.0,
        fail: Callable[[str], BaseException | None] | None = None,
    ):
        self.delay = delay
        self.fail = fail
        self.calls: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def __call__(self, text: str) -> Result:
        self.calls.append(text)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            error = self.fail(text) if self.fail else None
            if error is not None:
                raise error
            return result_for(text)
        finally:
            self.in_flight -= 1
