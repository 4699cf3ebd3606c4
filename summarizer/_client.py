"""The session object: `Summarizer` resolves settings once, keeps one connection, makes briefs.

As `httpx.Client` is to `httpx.get`: `summarize()` and friends (in _api) are thin
wrappers over an instance. openai and the pipeline are imported when the first brief
is asked for, not when this module is, so `import summarizer` stays fast.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypedDict, Unpack

from summarizer._config import Settings, resolve
from summarizer._input._page import Page
from summarizer._input._read import check_text, clean_article, decode_article
from summarizer._result import Result, Source
from summarizer.schemas import Brief

if TYPE_CHECKING:
    import openai

    from summarizer._pipeline._backend import Connection
    from summarizer._pipeline._retry import Gate

Progress = Callable[[str], None]


class Options(TypedDict, total=False):
    """The settings a caller may give; each left out (or None) comes from the environment,
    else its default (see the README and `_config.resolve`)."""

    model: str | None
    base_url: str | None
    api_key: str | None
    backend: str | None
    timeout: float | None
    max_answers: int | None
    max_attempts: int | None  # the old name of max_answers, for one release
    max_retries: int | None
    max_tokens: int | None
    temperature: float | None
    deadline: float | None
    retry_wait_base: float | None
    retry_wait_max: float | None
    llama_server: str | None
    cache_dir: str | Path | None
    context_size: int | None
    llama_grammar: bool | None


def article_text(article: object) -> str:
    """The article as text: a str as given, bytes under the file decoding policy."""
    if isinstance(article, str):
        return check_text(article)
    if isinstance(article, bytes | bytearray | memoryview):
        return clean_article(decode_article(bytes(article), origin="the article bytes"))
    raise TypeError(
        f"article must be str (text) or bytes (encoded text), not {type(article).__name__}"
    )


def _split(article: str | bytes | Page) -> tuple[str, Source | None]:
    if isinstance(article, Page):
        return check_text(article.text), article.source
    return article_text(article), None


def _with_source(result: Result, source: Source | None) -> Result:
    return result if source is None else dataclasses.replace(result, source=source)


class Summarizer:
    """Briefs from one configured model, over one connection kept for the object's life.

    Settings are resolved here, once (argument > environment > default). The first brief
    opens the connection; for the local backend that starts llama-server (or finds the one
    `summarizer server start` left), which then serves every later call of the process.
    `client` (an `openai.OpenAI`) and `async_client` (an `openai.AsyncOpenAI`) are the
    OpenAI-compatible path: their endpoint, key and transport are the caller's, their own
    retries are switched off, and they are not closed here. Safe to share between threads
    and between the tasks of one event loop; a 429 with Retry-After pauses every request
    this object sends next, sync or async, for that long.
    """

    def __init__(
        self,
        *,
        client: openai.OpenAI | None = None,
        async_client: openai.AsyncOpenAI | None = None,
        progress: Progress | None = None,
        **options: Unpack[Options],
    ) -> None:
        self.settings: Settings = resolve(
            **options, client=client is not None or async_client is not None
        )
        self._client = client
        self._async_client = async_client
        self._progress = progress
        self._conn: Connection | None = None
        self._gate: Gate | None = None
        self._lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        # Never the key: only what identifies the model.
        s = self.settings
        return f"Summarizer(backend={s.backend!r}, model={s.model!r})"

    def _connection(self, context: int | None = None) -> tuple[Connection, Gate]:
        """The connection, made on first use; for the local backend, made again when an
        article needs a larger context than its server holds (see `server_context`)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("this Summarizer is closed: make a new one")
            old = self._conn
            if old is not None and old.context is not None and (context or 0) > old.context:
                old.close()  # its server is about to be replaced by a larger one
                self._conn = None
            if self._conn is None or self._gate is None:
                from summarizer._pipeline._backend import connect
                from summarizer._pipeline._retry import Gate

                self._conn = connect(
                    self.settings,
                    client=self._client,
                    async_client=self._async_client,
                    progress=self._progress,
                    context=context,
                )
                self._gate = self._gate or Gate()
            return self._conn, self._gate

    def _context(self, text: str) -> int | None:
        if self.settings.backend != "local" or self._client or self._async_client:
            return None
        from summarizer._pipeline._run import context_needed

        return context_needed(text, self.settings)

    def brief_detailed(
        self, article: str | bytes | Page, *, progress: Progress | None = None
    ) -> Result:
        """One article's Brief, with meta on how it was made.

        `article` is text, bytes decoded as files are (UTF-8, or UTF-16 with a BOM), or a
        `Page` (from `read_source`), whose source then travels with the result.
        """
        from summarizer._pipeline._run import run

        text, source = _split(article)
        context = self._context(text)
        result = run(
            text,
            self.settings,
            connection=lambda: self._connection(context),
            progress=progress or self._progress,
        )
        return _with_source(result, source)

    def brief(self, article: str | bytes | Page, *, progress: Progress | None = None) -> Brief:
        """One article's Brief."""
        return self.brief_detailed(article, progress=progress).brief

    async def abrief_detailed(
        self, article: str | bytes | Page, *, progress: Progress | None = None
    ) -> Result:
        """`brief_detailed` on the async client: requests never block the event loop."""
        from summarizer._pipeline._run import arun

        text, source = _split(article)
        context = self._context(text)

        async def connection() -> tuple[Connection, Gate]:
            conn = self._conn
            if (
                conn is not None
                and self._gate is not None
                and not self._closed
                and (conn.context is None or (context or 0) <= conn.context)
            ):
                return conn, self._gate
            # Connecting may start llama-server (seconds): not on the event loop.
            return await asyncio.to_thread(self._connection, context)

        result = await arun(
            text,
            self.settings,
            connection=connection,
            progress=progress or self._progress,
        )
        return _with_source(result, source)

    async def abrief(
        self, article: str | bytes | Page, *, progress: Progress | None = None
    ) -> Brief:
        """`brief` on the async client."""
        return (await self.abrief_detailed(article, progress=progress)).brief

    def close(self) -> None:
        """Close the clients made here (a caller's clients are theirs to close). The local
        backend's llama-server is shared by the process and stops when it exits."""
        with self._lock:
            self._closed = True
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    async def aclose(self) -> None:
        """`close`, for the async client too."""
        with self._lock:
            self._closed = True
            conn, self._conn = self._conn, None
        if conn is not None:
            await conn.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
