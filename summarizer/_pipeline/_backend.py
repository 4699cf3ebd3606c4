"""Backends, one code path: every backend is an OpenAI-compatible endpoint.

`openai` is any such endpoint the user configures (or the client a caller passes);
`local` is the embedded model, served by a llama-server on loopback. Either way the
rest of the pipeline sees the same `openai` clients (sync and async, each made when first
used), whose requests are bounded from start to last byte (see _http) except on a
caller's own client, whose transport is theirs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import openai

from summarizer._config import Backend, Settings, server_context
from summarizer._errors import BackendUnavailableError, ConfigurationError
from summarizer._pipeline._http import bounded_async_client, bounded_client, request_limit

# Local servers and many self-hosted endpoints take no key, but the client needs one.
NO_KEY = "no-key"
_OPENAI = "https://api.openai.com/v1"


class Connection:
    """One endpoint and the clients that talk to it, kept for many calls.

    A caller's client is used as given (retries off: they are ours to count) and never
    closed here; the clients made here are closed by `close`/`aclose`.
    """

    def __init__(
        self,
        backend: Backend,
        base_url: str | None,
        settings: Settings,
        *,
        api_key: str = NO_KEY,
        client: openai.OpenAI | None = None,
        async_client: openai.AsyncOpenAI | None = None,
        context: int | None = None,
    ) -> None:
        self.backend = backend
        # For `local`: the context per slot its server was sized for.
        self.context = context
        self._url = base_url
        self._key = api_key
        self._settings = settings
        self._own = client is None and async_client is None
        self._client = client
        self._async = async_client
        self._async_loop: asyncio.AbstractEventLoop | None = None
        given = client or async_client
        # As the openai client shows its base URL: the default endpoint, a trailing slash.
        self.base_url = (
            str(given.base_url) if given is not None else (base_url or _OPENAI).rstrip("/") + "/"
        )

    def _limit(self) -> float:
        return request_limit(self._settings.timeout)

    @property
    def client(self) -> openai.OpenAI:
        """The sync client; for a caller's async client alone, a ConfigurationError."""
        if self._client is None:
            if not self._own:
                raise ConfigurationError(
                    "you passed only async_client: use the async forms (abrief, asummarize), "
                    "or pass client= too"
                )
            self._client = openai.OpenAI(
                base_url=self._url,
                api_key=self._key,
                max_retries=0,
                timeout=self._settings.timeout,
                http_client=bounded_client(self._limit, self._url),
            )
        return self._client

    @property
    def async_client(self) -> openai.AsyncOpenAI:
        """The async client; for a caller's sync client alone, a ConfigurationError.

        One made here belongs to the running event loop: its kept-alive connections cannot
        serve another loop (a second `asyncio.run`), which gets a client of its own.
        """
        loop = asyncio.get_running_loop()
        if self._own and self._async_loop is not loop:
            self._async, self._async_loop = None, loop
        if self._async is None:
            if not self._own:
                raise ConfigurationError(
                    "you passed only client: use the sync forms (brief, summarize), "
                    "or pass async_client= (an openai.AsyncOpenAI) too"
                )
            self._async = openai.AsyncOpenAI(
                base_url=self._url,
                api_key=self._key,
                max_retries=0,
                timeout=self._settings.timeout,
                http_client=bounded_async_client(self._limit, self._url),
            )
        return self._async

    def close(self) -> None:
        """Close the sync client made here (an async one needs `aclose`)."""
        if self._own and self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        """Close both clients made here."""
        self.close()
        if self._own and self._async is not None:
            await self._async.close()


def connect(
    settings: Settings,
    *,
    client: openai.OpenAI | None = None,
    async_client: openai.AsyncOpenAI | None = None,
    progress: Callable[[str], None] | None = None,
    context: int | None = None,
) -> Connection:
    """The connection for the configured backend; for `local`, its server is started
    (or a running one found) here, once, and shared by the process. `context`: the
    tokens the call needs (see `_length.context_needed`); the local server must hold them."""
    if client is not None or async_client is not None:
        # Whatever the caller configured, retries are ours to count.
        own = client.with_options(max_retries=0, timeout=settings.timeout) if client else None
        own_async = (
            async_client.with_options(max_retries=0, timeout=settings.timeout)
            if async_client
            else None
        )
        return Connection("openai", None, settings, client=own, async_client=own_async)
    if settings.backend == "local":
        from summarizer._engine._background import find
        from summarizer._engine._llama_server import running_shared, shared_server

        size = server_context(context, settings.context_size)
        # The server this process started already (a batch's, one slot per job) comes
        # first if the call fits its context; then one left running by `summarizer server
        # start`, as it is, if the call fits its fixed context; else the process starts
        # its own (or grows it), sized to the call.
        started = running_shared()
        if started is not None and (context is None or started.context_size >= context):
            return Connection("local", started.base_url, settings, context=started.context_size)
        background = find(settings.cache_dir)
        held = background.context_size if background is not None else None
        if background is not None and (held is None or context is None or held >= context):
            return Connection("local", background.base_url, settings, context=held)
        if background is not None and progress:
            progress(
                f"the background server's {held}-token context is too small for this "
                f"article: starting a server with {size} (or restart it with "
                f"`summarizer server start --context-size {size}`)"
            )
        server = shared_server(
            binary=settings.llama_server,
            cache_dir=settings.cache_dir,
            context_size=size,
            progress=progress,
        )
        return Connection("local", server.base_url, settings, context=server.context_size)
    if not settings.api_key and not settings.base_url:
        raise BackendUnavailableError(
            "the openai backend needs OPENAI_API_KEY (or the api_key option), or "
            "OPENAI_BASE_URL (or --base-url) for another OpenAI-compatible endpoint"
        )
    return Connection("openai", settings.base_url, settings, api_key=settings.api_key or NO_KEY)
