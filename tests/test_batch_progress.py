"""Progress on standard error: a bar on a terminal, failures only when piped."""

from __future__ import annotations

import io

from summarizer._batch import (
    ErrorInfo,
    Item,
    LineReporter,
    Outcome,
    Summary,
    TerminalReporter,
    reporter_for,
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_for_terminals_only() -> None:
    assert isinstance(reporter_for(Terminal()), TerminalReporter)
    assert isinstance(reporter_for(io.StringIO()), LineReporter)


def test_on_a_terminal_failures_and_the_summary_are_shown_ids_as_plain_text() -> None:
    stream = Terminal()
    reporter = TerminalReporter(stream)
    summary = Summary(total=2)
    reporter.start(summary)
    item = Item("[bold]evil\x1b]0;title\x07", "text", "x", "m")
    summary.failed = 1
    reporter.advance(Outcome(item, "failed", ErrorInfo("InputError", "empty", 2)), summary)
    summary.ok = 1
    reporter.advance(Outcome(Item("b", "text", "y", "m"), "ok"), summary)
    reporter.finish(summary)
    out = stream.getvalue()
    assert "failed [bold]evil\\x1b]0;title\\x07: InputError: empty" in out
    assert "\x1b]0;title" not in out  # the id's escape sequence never reaches the terminal
    assert "batch: 1 ok, 1 failed of 2 in " in out
