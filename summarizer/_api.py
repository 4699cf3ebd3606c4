"""The public functions: `summarize`, `summarize_detailed` and their async forms.

Thin wrappers over a `Summarizer`: a call without options uses a default instance (made
when first needed, and again whenever the environment's settings change); a call with
options, or a client, uses a one-off instance closed when the call ends.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Unpack

from summarizer._client import CacheOption, Options, Progress, Summarizer, article_text
from summarizer._config import resolve
from summarizer._input._page import Page
from summarizer._result import Result
from summarizer.schemas import Brief

if TYPE_CHECKING:
    import openai

__all__ = ["Options", "article_text", "asummarize", "asummarize_detailed", "summarize"]
__all__ += ["read_source", "summarize_detailed"]

_default: Summarizer | None = None
_default_lock = threading.Lock()


def _shared() -> Summarizer:
    """The default instance for the settings the environment gives now."""
    global _default
    settings = resolve()
    with _default_lock:
        if _default is None or _default.settings != settings:
            # A replaced instance is not closed: another thread may be mid-call on it.
            _default = Summarizer()
        return _default


def _given(options: Options) -> bool:
    return any(value is not None for value in options.values())


def summarize_detailed(
    article: str | bytes | Page,
    *,
    client: openai.OpenAI | None = None,
    progress: Progress | None = None,
    cache: CacheOption = None,
    **options: Unpack[Options],
) -> Result:
    """Summarise one article into a Brief, with meta on how it was made.

    Each option left out (or None) is taken from the environment, else its default
    (see the README). `max_answers` counts model answers (first + re-asks; `max_attempts`
    is its old name); `max_retries` counts transport retries per answer. A ready
    `openai.OpenAI` client may be passed as `client`: it is the OpenAI-compatible path
    (name its `model`; no grammar unless `llama_grammar=True`), with its own retries
    switched off. `article` is text, or bytes decoded as files are (UTF-8, or UTF-16
    with a BOM), or a `Page` from `read_source` (a path, - or a URL), whose source
    then travels with the result as `Result.source`. `cache` as for `Summarizer` (off by
    default).
    """
    if client is None and cache is None and not _given(options):
        return _shared().brief_detailed(article, progress=progress)
    with Summarizer(client=client, cache=cache, **options) as one_off:
        return one_off.brief_detailed(article, progress=progress)


def summarize(
    article: str | bytes | Page,
    *,
    client: openai.OpenAI | None = None,
    progress: Progress | None = None,
    **options: Unpack[Options],
) -> Brief:
    """Summarise one article into a Brief. Options as for `summarize_detailed`."""
    return summarize_detailed(article, client=client, progress=progress, **options).brief


async def asummarize_detailed(
    article: str | bytes | Page,
    *,
    async_client: openai.AsyncOpenAI | None = None,
    progress: Progress | None = None,
    **options: Unpack[Options],
) -> Result:
    """`summarize_detailed` on `openai.AsyncOpenAI`: never blocks the event loop.

    `async_client` is a ready `openai.AsyncOpenAI`, as `client` is for the sync form.
    """
    if async_client is None and not _given(options):
        return await _shared().abrief_detailed(article, progress=progress)
    async with Summarizer(async_client=async_client, **options) as one_off:
        return await one_off.abrief_detailed(article, progress=progress)


async def asummarize(
    article: str | bytes | Page,
    *,
    async_client: openai.AsyncOpenAI | None = None,
    progress: Progress | None = None,
    **options: Unpack[Options],
) -> Brief:
    """`summarize` on `openai.AsyncOpenAI`. Options as for `summarize_detailed`."""
    result = await asummarize_detailed(
        article, async_client=async_client, progress=progress, **options
    )
    return result.brief


def read_source(source: str | os.PathLike[str], *, timeout: float = 30.0) -> Page:
    """The article at `source` as the model will see it, with its `Source`: a path, "-"
    for standard input, or an http(s) URL, fetched within `timeout` seconds (at most 5
    redirects, 10 MB, HTML or text only) and reduced to its article text. Raises
    InputError (exit 2: PageRefusedError for a page that cannot be used) or
    PageUnreachableError (exit 3)."""
    # Imported here: the fetcher and the extractor are not needed to brief bare text.
    from summarizer._input._source import read_source as read

    return read(source, timeout=timeout)
