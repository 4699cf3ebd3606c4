"""The records input produces: an article's text and what is known about where it came from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

__all__ = ["Page", "Source"]


@dataclass(frozen=True)
class Source:
    """Where an article came from, and what its page says about itself.

    `origin` is what was given (a path, "standard input", a URL); `url` is the address a
    fetched page was finally read from, after redirects. The other fields come from the
    page's markup (meta tags, JSON-LD, <html lang>) and are None when it does not give
    them, or for plain text. They are the page's claims, untrusted like its text: shown
    to the reader, never sent to the model.
    """

    origin: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: datetime.date | None = None
    site: str | None = None
    canonical_url: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Page:
    """An article's text, as the model will see it, with its source."""

    text: str
    source: Source
