"""Progress on a long prompt: how far the local llama-server has read, told while it reads.

A long article takes the embedded model minutes to read before it writes a word, and
the request says nothing until it is done. llama-server's /slots reports each slot's
prompt tokens and how many it has processed; a thread polls it and passes the figures
to the caller's progress callback. Only the local backend is watched: another endpoint
has no such report.
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.request
from collections.abc import Callable, Iterator

# Articles shorter than this (estimated tokens) are read in seconds: nothing to show.
LONG_PROMPT_TOKENS = 2000
POLL_SECONDS = 5.0


def read_progress(base_url: str) -> tuple[int, int] | None:
    """(processed, total) prompt tokens of the busiest slot reading a prompt, or None."""
    root = base_url.rstrip("/").removesuffix("/v1")
    try:
        with urllib.request.urlopen(f"{root}/slots", timeout=2) as answer:
            slots = json.loads(answer.read())
    except (OSError, ValueError):
        return None
    reading = [
        (int(s.get("n_prompt_tokens_processed", 0)), int(s.get("n_prompt_tokens", 0)))
        for s in slots
        if isinstance(s, dict) and s.get("is_processing")
    ]
    reading = [(done, total) for done, total in reading if total > 0 and done < total]
    return max(reading, key=lambda r: r[1]) if reading else None


@contextlib.contextmanager
def prompt_progress(
    base_url: str, notify: Callable[[str], None], *, every: float = POLL_SECONDS
) -> Iterator[None]:
    """While the body runs, tell `notify` every `every` seconds how far the server has read."""
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(every):
            seen = read_progress(base_url)
            if seen is not None:
                done, total = seen
                notify(f"reading the article: {done} of {total} prompt tokens")

    thread = threading.Thread(target=watch, name="summarizer-prompt-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 3)
