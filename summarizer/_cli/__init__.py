"""The command line, over the public API and the evaluation package."""

from summarizer._cli._main import entry as main

__all__ = ["main"]
