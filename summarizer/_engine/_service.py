"""The background server as a service: what `summarizer server start|stop|status` do.

Settings are resolved here (argument > environment > default, by `_config`) and the
model file is joined here, so a caller (the CLI) names what it wants and shows
the returned record; it never starts a process or touches the model file itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from summarizer._config import Settings, resolve, server_context
from summarizer._engine import _background, _model_file
from summarizer._engine._background import Background
from summarizer._engine._llama_server import Progress, find_binary, shared_server


@dataclass(frozen=True)
class Started:
    """What `start` did: the server that runs now, and whether this call started it."""

    server: Background
    new: bool


@dataclass(frozen=True)
class Stopped:
    """What `stop` did: the server it stopped, or whether it dropped a stale record."""

    server: Background | None
    # A record was there but named no running server this tool started: it was
    # removed (`record` is where it was) and nothing was signalled.
    stale: bool
    record: Path


def _settings(llama_server: str | None = None, context_size: int | None = None) -> Settings:
    return resolve(backend="local", llama_server=llama_server, context_size=context_size)


def status() -> Background | None:
    """The background server this tool started, if it runs and answers /health."""
    return _background.find(_settings().cache_dir)


def stop() -> Stopped:
    """Stop the background server if it is provably the one this tool started."""
    cache = _settings().cache_dir
    done = _background.stop(cache)
    return Stopped(server=done.server, stale=done.stale, record=_background.state_path(cache))


def start(
    *,
    llama_server: str | None = None,
    slots: int = 1,
    context_size: int | None = None,
    progress: Progress | None = None,
) -> Started:
    """Start the background server unless one runs (joining the model file on first use);
    `slots` requests at once.

    Its context is fixed once started (`context_size` per slot, default MIN_CONTEXT): a
    brief whose article needs more starts a server of its own, sized to the article."""
    settings = _settings(llama_server, context_size)
    cache = settings.cache_dir
    running, new = _background.start(
        find_binary(settings.llama_server),
        _model_file.ensure_model(cache, progress=progress),
        cache,
        context_size=server_context(None, settings.context_size),
        progress=progress,
        slots=slots,
    )
    return Started(server=running, new=new)


def serve_slots(settings: Settings, slots: int, *, progress: Progress | None = None) -> None:
    """For the local backend with no background server: start the process-wide server
    with `slots` slots now, before a caller's first request would start it with one.

    The benchmark alternates three prompts; with one slot each keeps its cached prompt
    prefix instead of evicting the others' on every case. Other backends: nothing to do.
    """
    if settings.backend != "local" or _background.find(settings.cache_dir) is not None:
        return
    shared_server(
        binary=settings.llama_server,
        cache_dir=settings.cache_dir,
        context_size=server_context(None, settings.context_size),
        progress=progress,
        slots=slots,
    )


@dataclass(frozen=True)
class Slots:
    """Where a batch's local requests go: the background server when it has the slots,
    else a server of this process started with them (`background` then says what was
    passed over, for the user to hear)."""

    slots: int
    background: Background | None
    own: bool


def batch_slots(settings: Settings, jobs: int, *, progress: Progress | None = None) -> Slots:
    """For `summarizer batch` on the local backend: a server that serves `jobs` requests
    at once. A running `summarizer server` with at least `jobs` slots is used as it is;
    otherwise this process starts its own with `jobs` slots (context per slot as for one
    brief), which the local backend then prefers. Other backends: nothing to do."""
    if settings.backend != "local":
        return Slots(jobs, None, own=False)
    running = _background.find(settings.cache_dir)
    if running is not None and running.slots >= jobs:
        return Slots(running.slots, running, own=False)
    server = shared_server(
        binary=settings.llama_server,
        cache_dir=settings.cache_dir,
        context_size=server_context(None, settings.context_size),
        progress=progress,
        slots=jobs,
    )
    return Slots(server.slots, running, own=True)
