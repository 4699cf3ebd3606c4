"""Many calls of one async function: a bounded number in flight, results as they finish.

The core shared by `Summarizer.amap`/`map` and the batch runner: `Coalesce` makes one
call for a key already in flight (the same text twice, a wire copy), and `bounded`
runs `jobs` workers over a lazily read iterable, yielding each outcome in completion
order with errors as values; `iterate_in_thread` gives an async iterator to sync code
(`Summarizer.map`). Nothing here knows about briefs.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["Coalesce", "Done", "bounded", "iterate_in_thread"]

K = TypeVar("K")
T = TypeVar("T")
R = TypeVar("R")


class Coalesce(Generic[R]):
    """One call per key at a time: a second caller of a key in flight awaits the first's."""

    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future[R]] = {}

    async def run(self, key: Hashable, call: Callable[[], Awaitable[R]]) -> R:
        running = self._running.get(key)
        if running is not None:
            # shield: this duplicate being cancelled must not cancel the first's call.
            return await asyncio.shield(running)
        task = asyncio.ensure_future(call())
        self._running[key] = task
        try:
            return await task
        finally:
            self._running.pop(key, None)


@dataclass(frozen=True)
class Done(Generic[K, R]):
    """One item's outcome: `value` when the call returned, else the `error` it raised."""

    key: K
    value: R | None
    error: Exception | None


async def bounded(
    call: Callable[[T], Awaitable[R]], items: Iterable[tuple[K, T]], *, jobs: int
) -> AsyncIterator[Done[K, R]]:
    """`call` on every item, at most `jobs` at once, each outcome as it finishes.

    `items` is read one item at a time as a worker frees up, so a long iterable is never
    held whole. Closing the iterator early (break, aclose) cancels the calls in flight.
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    source = iter(items)
    finished: asyncio.Queue[Done[K, R] | None] = asyncio.Queue()

    async def worker() -> None:
        try:
            for key, value in source:  # shared: each item goes to one worker
                try:
                    done: Done[K, R] = Done(key, await call(value), None)
                except Exception as exc:  # errors are values
                    done = Done(key, None, exc)
                finished.put_nowait(done)
        finally:
            finished.put_nowait(None)

    workers = [asyncio.create_task(worker()) for _ in range(jobs)]
    try:
        running = jobs
        while running:
            done = await finished.get()
            if done is None:
                running -= 1
            else:
                yield done
        for task in workers:
            task.result()  # an error reading `items` is the caller's to see
    finally:
        for task in workers:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*workers, return_exceptions=True)


class _End:
    """What the pump thread puts last: how its loop ended."""

    def __init__(self, error: BaseException | None = None):
        self.error = error


def iterate_in_thread(
    make: Callable[[], AsyncIterator[R]], *, name: str = "summarizer-map"
) -> Iterator[R]:
    """The items of the async iterator `make()` returns, for synchronous code.

    The async iterator runs on its own event loop in one thread (not a thread per
    item); its items come here as they are made. Leaving the loop early (break, an
    exception, garbage collection of this generator) cancels what is in flight there
    and waits for it, so nothing runs on after the caller has moved on.
    """
    out: queue.SimpleQueue[R | _End] = queue.SimpleQueue()
    ready = threading.Event()
    box: dict[str, Any] = {}

    async def pump() -> None:
        box["loop"], box["task"] = asyncio.get_running_loop(), asyncio.current_task()
        ready.set()
        source = make()
        try:
            async for item in source:
                out.put(item)
        finally:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                await aclose()

    def run() -> None:
        try:
            asyncio.run(pump())
        except BaseException as exc:  # cancelled by the consumer, or a real error to pass on
            out.put(_End(exc))
        else:
            out.put(_End())
        finally:
            ready.set()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = out.get()
            if isinstance(item, _End):
                if item.error is not None and not isinstance(item.error, asyncio.CancelledError):
                    raise item.error
                return
            yield item
    finally:
        ready.wait()
        loop, task = box.get("loop"), box.get("task")
        if loop is not None and task is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(task.cancel)
        thread.join()
