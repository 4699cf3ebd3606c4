"""The records input produces: an article's text and what is known about where it came from."""

from __future__ import annotations

from dataclasses import dataclass

from summarizer._result import Source

__all__ = ["Page", "Source"]


@dataclass(frozen=True)
class Page:
    """An article's text, as the model will see it, with its source."""

    text: str
    source: Source
