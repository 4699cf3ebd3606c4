"""The command line (click), over the public API, the evaluation package and the engine's service.

`main` is the `summarizer` entry point: it returns the exit code, which the
console script and `python -m summarizer` pass to `sys.exit`.
"""

from summarizer._cli._app import main

__all__ = ["main"]
