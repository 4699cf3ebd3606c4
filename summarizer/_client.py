"""The session object: `Summarizer` resolves settings once, keeps one connection, makes briefs.

As `httpx.Client` is to `httpx.get`: `summarize()` and friends (in _api) are thin
wrappers over an instance. openai and the pipeline are imported when the first brief
is asked for, not when this module is, so `import summarizer` stays fast.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
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

    from summarizer._cache import BriefCache, CacheKey
    from summarizer._pipeline._backend import Connection
    from summarizer._pipeline._retry import Gate

Progress = Callable[[str], None]
Article = str | bytes | Page
# The brief cache: off (None, False), in the cache folder (True), or in this folder.
CacheOption = bool | str | os.PathLike[str] | None
DEFAULT_JOBS = 4


@dataclass(frozen=True)
class MapResult:
    """One article's outcome in `Summarizer.map`: its `key` (the position in the
    iterable, or the mapping's key), and its `result` or the `error` it raised."""

    key: int | str
    result: Result | None
    error: Exception | None

    @property
    def ok(self) -> bool:
        return self.error is None


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

    `cache`: keep briefs in the brief cache and answer a text already briefed with these
    settings from it, with no request (`meta.cached` is then true; the rest of meta is
    the original call's). Off by default in the library, where a caller may want a fresh
    answer every time and may not expect files written; `True` uses the cache folder,
    a path names another folder. The command line turns it on (`--no-cache` off).
    """

    def __init__(
        self,
        *,
        client: openai.OpenAI | None = None,
        async_client: openai.AsyncOpenAI | None = None,
        progress: Progress | None = None,
        cache: CacheOption = None,
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
        self._cache: BriefCache | None = None
        if cache is not None and cache is not False:
            from summarizer._cache import BriefCache, default_folder

            # Opened now: a cache that cannot be used is a ConfigurationError here, not
            # a failure of every brief later.
            folder = default_folder(self.settings) if cache is True else Path(cache)
            self._cache = BriefCache(folder)

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

    def _look_up(self, text: str) -> tuple[BriefCache | None, CacheKey | None, Result | None]:
        """The cache (if on), the key of `text` in it, and the cached result if any."""
        from summarizer._cache import CacheKey

        with self._lock:
            if self._closed:
                raise RuntimeError("this Summarizer is closed: make a new one")
            cache = self._cache
        if cache is None:
            return None, None, None
        settings = self.settings
        given = self._client or self._async_client
        if given is not None:  # the caller's endpoint, not the configured one
            settings = replace(settings, backend="openai", base_url=str(given.base_url))
        key = CacheKey.of(text, settings)
        return cache, key, cache.get(key)

    def _context(self, text: str) -> int | None:
        if self.settings.backend != "local" or self._client or self._async_client:
            return None
        from summarizer._pipeline._length import context_needed

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
        cache, key, hit = self._look_up(text)
        if hit is not None:
            return _with_source(hit, source)
        context = self._context(text)
        result = run(
            text,
            self.settings,
            connection=lambda: self._connection(context),
            progress=progress or self._progress,
        )
        if cache is not None and key is not None:
            cache.put(key, result)
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
        cache, key, hit = self._look_up(text)
        if hit is not None:
            return _with_source(hit, source)
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
        if cache is not None and key is not None:
            cache.put(key, result)
        return _with_source(result, source)

    async def abrief(
        self, article: str | bytes | Page, *, progress: Progress | None = None
    ) -> Brief:
        """`brief` on the async client."""
        return (await self.abrief_detailed(article, progress=progress)).brief

    async def amap(
        self,
        articles: Iterable[Article] | Mapping[str, Article],
        *,
        jobs: int = DEFAULT_JOBS,
    ) -> AsyncIterator[MapResult]:
        """Brief many articles, `jobs` requests in flight; each MapResult as it finishes.

        Errors are values: an article that gets no brief yields a MapResult with its
        `error` (a SummarizerError, or TypeError for an item that is not text) and the
        rest go on. `articles` is read lazily; a mapping's keys become the results' keys,
        else each article's position does. The same text twice while the first is in
        flight makes one request; the 429 gate and the cache (if on) apply as for `abrief`.
        """
        from summarizer._pipeline._pool import Coalesce, bounded

        coalesce: Coalesce[Result] = Coalesce()

        async def one(article: Article) -> Result:
            text, source = _split(article)
            sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            result = await coalesce.run(sha, lambda: self.abrief_detailed(text))
            return _with_source(result, source)

        async for done in bounded(one, _keyed(articles), jobs=jobs):
            yield MapResult(done.key, done.value, done.error)

    def map(
        self,
        articles: Iterable[Article] | Mapping[str, Article],
        *,
        jobs: int = DEFAULT_JOBS,
    ) -> Iterator[MapResult]:
        """`amap` for synchronous code: an iterator of MapResult in completion order.

        The requests run on the async client in one background thread with its own event
        loop (not a thread per article); breaking out of the loop cancels those in flight.
        With only a sync `client=` given, `jobs` threads share it instead.
        """
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        if self._client is not None and self._async_client is None:
            return self._map_threads(articles, jobs)
        from summarizer._pipeline._pool import iterate_in_thread

        return iterate_in_thread(lambda: self.amap(articles, jobs=jobs))

    def _map_threads(
        self, articles: Iterable[Article] | Mapping[str, Article], jobs: int
    ) -> Iterator[MapResult]:
        from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

        source = iter(_keyed(articles))
        running: dict[Future[Result], int | str] = {}
        with ThreadPoolExecutor(jobs, thread_name_prefix="summarizer-map") as pool:
            try:
                while True:
                    while len(running) < jobs and (pair := next(source, None)) is not None:
                        running[pool.submit(self.brief_detailed, pair[1])] = pair[0]
                    if not running:
                        return
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        key = running.pop(future)
                        error = future.exception()
                        if error is None:
                            yield MapResult(key, future.result(), None)
                        elif isinstance(error, Exception):
                            yield MapResult(key, None, error)
                        else:
                            raise error
            finally:
                for future in running:
                    future.cancel()

    def close(self) -> None:
        """Close the clients made here (a caller's clients are theirs to close) and the
        cache. The local backend's llama-server is shared by the process and stops when
        it exits."""
        with self._lock:
            self._closed = True
            conn, self._conn = self._conn, None
            cache, self._cache = self._cache, None
        if conn is not None:
            conn.close()
        if cache is not None:
            cache.close()

    async def aclose(self) -> None:
        """`close`, for the async client too."""
        with self._lock:
            self._closed = True
            conn, self._conn = self._conn, None
            cache, self._cache = self._cache, None
        if conn is not None:
            await conn.aclose()
        if cache is not None:
            cache.close()

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


def _keyed(
    articles: Iterable[Article] | Mapping[str, Article],
) -> Iterator[tuple[int | str, Article]]:
    if isinstance(articles, Mapping):
        yield from articles.items()
    else:
        yield from enumerate(articles)
