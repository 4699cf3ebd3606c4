"""The public functions: `summarize`, `summarize_detailed` and their async forms."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import openai

from summarizer._config import resolve
from summarizer._input._read import check_text, clean_article, decode_article
from summarizer._pipeline._run import run
from summarizer._result import Result
from summarizer.schemas import Brief


def summarize_detailed(
    article: str | bytes,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    backend: str | None = None,
    timeout: float | None = None,
    max_attempts: int | None = None,
    max_retries: int | None = None,
    client: openai.OpenAI | None = None,
    progress: Callable[[str], None] | None = None,
    **options: float | int | str | None,
) -> Result:
    """Summarise one article into a Brief, with meta on how it was made.

    Each option left as None is taken from the environment, else its default
    (see the README). `max_attempts` counts model answers (first + re-asks);
    `max_retries` counts transport retries per answer. A ready `openai.OpenAI`
    client may be passed as `client`: it is the OpenAI-compatible path (name its
    `model`; no grammar unless `llama_grammar=True`), with its own retries switched off.
    `article` is text, or bytes decoded as files are (UTF-8, or UTF-16 with a BOM).
    """
    text = article_text(article)
    settings = resolve(
        model=model,
        base_url=base_url,
        api_key=api_key,
        backend=backend,
        timeout=timeout,
        max_attempts=max_attempts,
        max_retries=max_retries,
        client=client is not None,
        **options,  # type: ignore[arg-type]
    )
    return run(text, settings, client=client, progress=progress)


def article_text(article: object) -> str:
    """The article as text: a str as given, bytes under the file decoding policy."""
    if isinstance(article, str):
        return check_text(article)
    if isinstance(article, bytes | bytearray | memoryview):
        return clean_article(decode_article(bytes(article), origin="the article bytes"))
    raise TypeError(
        f"article must be str (text) or bytes (encoded text), not {type(article).__name__}"
    )


def summarize(article: str | bytes, **options: object) -> Brief:
    """Summarise one article into a Brief. Options as for `summarize_detailed`."""
    return summarize_detailed(article, **options).brief  # type: ignore[arg-type]


async def asummarize_detailed(article: str | bytes, **options: object) -> Result:
    """`summarize_detailed` without blocking the event loop (runs in a worker thread)."""
    return await asyncio.to_thread(summarize_detailed, article, **options)  # type: ignore[arg-type]


async def asummarize(article: str | bytes, **options: object) -> Brief:
    """`summarize` without blocking the event loop (runs in a worker thread)."""
    return (await asummarize_detailed(article, **options)).brief
