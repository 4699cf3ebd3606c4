"""Run a batch: every item through a brief function, `jobs` at a time, one record each.

The brief function is given (`async (text) -> Result`), so the same runner drives the
session object's client, a cached wrapper of it, or a fake in tests. Records are
written as articles finish (completion order); errors are values: a SummarizerError
becomes an error record with the class name as `kind` and its exit code, anything
else an error record with exit code 1, and the run goes on. The same text under
two ids while the first is in flight makes one call (wire copies).

Stopping. The first SIGINT (or `stop()`) stops taking new items and lets the ones in
flight finish; a second cancels them and records each as `interrupted` (exit code
130), so `--resume` redoes it. The record file is whole lines at every moment. A
record or out-dir file that cannot be written ends the run with that InputError.

Exit status (`Summary.exit_code`): 130 when stopped by SIGINT; 3 when the backend is
unavailable from the start, i.e. no article got a brief and every one sent failed
with exit code 3 — once `max(jobs, 3)` have, no more are sent, since each already
spent its retry budget; 4 when any article failed; else 0. Bad input is raised by
`collect` before the run (exit 2); an unreadable article during the run is a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from summarizer._batch._inputs import Item, load_text
from summarizer._batch._outdir import earlier_entry, write_brief, write_index, write_report
from summarizer._batch._records import ErrorInfo, Prior, Record, RecordFile
from summarizer._errors import InputError, SummarizerError, one_line
from summarizer._output._index import IndexEntry
from summarizer._pipeline._pool import Coalesce
from summarizer._result import Result

__all__ = ["EXIT_INTERRUPTED", "BriefFn", "Outcome", "Reporter", "Summary", "run_batch"]

BriefFn = Callable[[str], Awaitable[Result]]
EXIT_INTERRUPTED = 130
_UNAVAILABLE = 3
_MIN_UNAVAILABLE_STREAK = 3


@dataclass(frozen=True)
class Outcome:
    """What became of one item."""

    item: Item
    status: Literal["ok", "failed", "skipped", "interrupted"]
    error: ErrorInfo | None = None
    cached: bool = False


@dataclass
class Summary:
    total: int
    ok: int = 0
    failed: int = 0
    skipped: int = 0  # already done in the record file (--resume)
    interrupted: int = 0
    cached: int = 0  # of `ok`, answered by the cache
    stopped: bool = False  # SIGINT or stop()
    unavailable: bool = False
    elapsed_s: float = 0.0

    @property
    def done(self) -> int:
        return self.ok + self.failed + self.skipped + self.interrupted

    @property
    def not_started(self) -> int:
        return self.total - self.done

    @property
    def exit_code(self) -> int:
        if self.stopped:
            return EXIT_INTERRUPTED
        if self.unavailable:
            return _UNAVAILABLE
        return 4 if self.failed or self.interrupted or self.not_started else 0

    def line(self) -> str:
        sent = self.ok + self.failed
        rate = sent / (self.elapsed_s / 60) if self.elapsed_s > 0 else 0.0
        parts = [f"{self.ok} ok" + (f" ({self.cached} cached)" if self.cached else "")]
        parts.append(f"{self.failed} failed")
        for count, label in (
            (self.skipped, "already done"),
            (self.interrupted, "interrupted"),
            (self.not_started, "not started"),
        ):
            if count:
                parts.append(f"{count} {label}")
        why = " (backend unavailable)" if self.unavailable else ""
        why = " (interrupted)" if self.stopped else why
        return (
            f"batch{why}: {', '.join(parts)} of {self.total} in {self.elapsed_s:.1f} s "
            f"({rate:.1f} articles/min)"
        )


class Reporter(Protocol):
    """Where the run says how it goes (see _progress)."""

    def start(self, summary: Summary) -> None: ...
    def advance(self, outcome: Outcome, summary: Summary) -> None: ...
    def note(self, line: str) -> None: ...
    def finish(self, summary: Summary) -> None: ...


class _Silent:
    def start(self, summary: Summary) -> None:
        pass

    def advance(self, outcome: Outcome, summary: Summary) -> None:
        pass

    def note(self, line: str) -> None:
        pass

    def finish(self, summary: Summary) -> None:
        pass


def _error_info(exc: BaseException) -> ErrorInfo:
    code = exc.exit_code if isinstance(exc, SummarizerError) else 1
    return ErrorInfo(type(exc).__name__, one_line(str(exc) or type(exc).__name__), code)


class _Run:
    def __init__(
        self,
        items: Sequence[Item],
        brief: BriefFn,
        records: RecordFile,
        *,
        prior: Prior,
        jobs: int,
        out_dir: Path | None,
        html: bool,
        load: Callable[[Item], str],
        reporter: Reporter,
    ):
        self.items, self.brief, self.records = items, brief, records
        self.prior, self.jobs, self.out_dir, self.load = prior, jobs, out_dir, load
        self.reporter = reporter
        # With an out-dir and `html`: one report per article, and the rows of index.html.
        self.index: list[IndexEntry] | None = [] if html and out_dir is not None else None
        self.summary = Summary(total=len(items))
        self.next = iter(items)
        self.stopping = asyncio.Event()
        self.coalesce: Coalesce[Result] = Coalesce()  # the same text in flight: one call
        self.workers: list[asyncio.Task[None]] = []
        self.sent_failed_3 = 0  # articles sent, all failed with exit 3, none ok so far
        self.interrupts = 0

    def interrupt(self) -> None:
        """SIGINT: the first stops taking items, the second abandons those in flight."""
        self.interrupts += 1
        self.summary.stopped = True
        self.stopping.set()
        if self.interrupts == 1:
            busy = sum(not w.done() for w in self.workers)
            self.reporter.note(
                f"stopping: letting {busy} article(s) in flight finish "
                "(Ctrl-C again to abandon them; --resume redoes them)"
            )
        else:
            for worker in self.workers:
                worker.cancel()

    async def worker(self) -> None:
        while not self.stopping.is_set():
            item = next(self.next, None)
            if item is None:
                return
            await self.one(item)

    async def one(self, item: Item) -> None:
        try:
            # A URL is fetched off the event loop: the other jobs' requests go on meanwhile.
            text = (
                await asyncio.to_thread(self.load, item) if item.kind == "url" else self.load(item)
            )
        except SummarizerError as exc:
            self.record(Record.failure(item.id, item.source, None, _error_info(exc)), item)
            return
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if self.prior.done(item.id, sha):
            if self.index is not None and self.out_dir is not None:
                earlier = earlier_entry(self.out_dir, item.id)
                if earlier is not None:
                    self.index.append(earlier)
            self.summary.skipped += 1
            self.reporter.advance(Outcome(item, "skipped"), self.summary)
            return
        try:
            result = await self.shared(sha, text)
        except asyncio.CancelledError:
            info = ErrorInfo("interrupted", "stopped by the user before a brief", EXIT_INTERRUPTED)
            with contextlib.suppress(InputError):  # the run is ending either way
                self.record(Record.failure(item.id, item.source, sha, info), item)
            raise
        except Exception as exc:  # errors are values: the record says what went wrong
            self.record(Record.failure(item.id, item.source, sha, _error_info(exc)), item)
            return
        if self.out_dir is not None:
            write_brief(self.out_dir, item.id, result)
            if self.index is not None:
                self.index.append(write_report(self.out_dir, item.id, result, text))
        self.record(Record.success(item.id, item.source, sha, result), item, result)

    async def shared(self, sha: str, text: str) -> Result:
        return await self.coalesce.run(sha, lambda: self.brief(text))

    def record(self, record: Record, item: Item, result: Result | None = None) -> None:
        self.records.append(record)
        s = self.summary
        if record.error is None:
            s.ok += 1
            cached = result is not None and result.meta.cached
            s.cached += cached
            self.sent_failed_3 = -1  # a brief came back: the backend is there
            outcome = Outcome(item, "ok", cached=cached)
        elif record.error.kind == "interrupted":
            s.interrupted += 1
            outcome = Outcome(item, "interrupted", record.error)
        else:
            s.failed += 1
            outcome = Outcome(item, "failed", record.error)
            if self.index is not None:
                self.index.append(IndexEntry.failed(item.id, record.error.message))
            if record.sha256 is not None:  # sent, not refused as input
                self.count_unavailable(record.error.exit_code)
        self.reporter.advance(outcome, s)

    def count_unavailable(self, exit_code: int) -> None:
        if self.sent_failed_3 < 0:
            return
        if exit_code != _UNAVAILABLE:
            self.sent_failed_3 = -1
            return
        self.sent_failed_3 += 1
        if self.sent_failed_3 >= max(self.jobs, _MIN_UNAVAILABLE_STREAK):
            self.summary.unavailable = True
            self.stopping.set()

    async def run(self) -> Summary:
        started = time.monotonic()
        self.reporter.start(self.summary)
        self.workers = [asyncio.create_task(self.worker()) for _ in range(self.jobs)]
        try:
            done, pending = await asyncio.wait(self.workers, return_when=asyncio.FIRST_EXCEPTION)
            failed = [t for t in done if not t.cancelled() and t.exception() is not None]
            if failed:  # a record could not be written: stop everything, say why
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                error = failed[0].exception()
                assert error is not None
                raise error
        except asyncio.CancelledError:
            for task in self.workers:
                task.cancel()
            await asyncio.gather(*self.workers, return_exceptions=True)
            raise
        finally:
            self.records.sync()
            self.summary.elapsed_s = time.monotonic() - started
            if self.index is not None and self.out_dir is not None:
                write_index(self.out_dir, self.index)  # what is done so far, if stopped
        s = self.summary
        if self.sent_failed_3 > 0 and s.ok == 0:
            s.unavailable = True  # fewer than the streak were sent, and all of them failed so
        self.reporter.finish(s)
        return s


async def run_batch(
    items: Sequence[Item],
    brief: BriefFn,
    records: RecordFile,
    *,
    prior: Prior | None = None,
    jobs: int = 1,
    out_dir: Path | None = None,
    html: bool = False,
    load: Callable[[Item], str] = load_text,
    reporter: Reporter | None = None,
    handle_sigint: bool = True,
) -> Summary:
    """Brief every item not already done in `prior`, writing records to `records`.

    `out_dir`: also one `ID.json` per brief; with `html`, one `ID.html` report per brief
    and an `index.html` listing every article, failures included.

    `handle_sigint`: take over SIGINT while running (main thread only) as the module
    docstring says; the previous handler is back when this returns.
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    run = _Run(
        items,
        brief,
        records,
        prior=prior or Prior(),
        jobs=jobs,
        out_dir=out_dir,
        html=html,
        load=load,
        reporter=reporter or _Silent(),
    )
    loop = asyncio.get_running_loop()
    take_sigint = handle_sigint and threading.current_thread() is threading.main_thread()
    if take_sigint:
        previous = signal.getsignal(signal.SIGINT)
        loop.add_signal_handler(signal.SIGINT, run.interrupt)
    try:
        return await run.run()
    finally:
        if take_sigint:
            loop.remove_signal_handler(signal.SIGINT)
            signal.signal(signal.SIGINT, previous)
