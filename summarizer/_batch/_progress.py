"""How a batch shows itself on standard error.

On a terminal: a rich progress bar (done/total, ok/failed, articles a minute, time
left), failed articles printed above it, one summary line at the end. Piped or
redirected: nothing but errors, one line per failed article and, when the run did
not fully succeed, the summary line. Article ids are untrusted text: shown through
`one_line`, and rich markup is switched off for them.
"""

from __future__ import annotations

import time
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from summarizer._batch._run import Outcome, Reporter, Summary
from summarizer._errors import one_line

__all__ = ["LineReporter", "TerminalReporter", "reporter_for"]


def _failure_line(outcome: Outcome) -> str:
    error = outcome.error
    why = f"{error.kind}: {error.message}" if error else outcome.status
    return one_line(f"{outcome.status} {outcome.item.id}: {why}")


class LineReporter:
    """For a pipe or a file: failures only, and the summary if anything went wrong."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def start(self, summary: Summary) -> None:
        pass

    def advance(self, outcome: Outcome, summary: Summary) -> None:
        if outcome.status == "failed":
            self.note(_failure_line(outcome))

    def note(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def finish(self, summary: Summary) -> None:
        if summary.exit_code != 0:
            self.note(summary.line())


class TerminalReporter:
    """A live progress bar on a terminal."""

    def __init__(self, stream: TextIO):
        self.console = Console(file=stream, highlight=False, markup=False)
        self.progress = Progress(
            TextColumn("batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.task = self.progress.add_task("batch", total=0, counts="", rate="")
        self.started = time.monotonic()

    def start(self, summary: Summary) -> None:
        self.started = time.monotonic()
        self.progress.update(self.task, total=summary.total, counts=self._counts(summary))
        self.progress.start()

    def _counts(self, summary: Summary) -> str:
        return f"ok {summary.ok} · failed {summary.failed}"

    def advance(self, outcome: Outcome, summary: Summary) -> None:
        if outcome.status == "failed":
            self.note(_failure_line(outcome))
        minutes = (time.monotonic() - self.started) / 60
        sent = summary.ok + summary.failed
        rate = f"{sent / minutes:.1f}/min" if minutes > 0 and sent else ""
        self.progress.update(
            self.task, completed=summary.done, counts=self._counts(summary), rate=rate
        )

    def note(self, line: str) -> None:
        self.console.print(line, markup=False, highlight=False)

    def finish(self, summary: Summary) -> None:
        self.progress.stop()
        self.note(summary.line())


def reporter_for(stream: TextIO) -> Reporter:
    """The progress bar on a terminal, failures only otherwise."""
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    return TerminalReporter(stream) if terminal else LineReporter(stream)
