"""Progress on a long prompt: how far the local llama-server has read, told while it reads.

A long article takes the embedded model minutes to read before it writes a word, and
the request says nothing until it is done. llama-server's /slots reports how many prompt
tokens a slot has processed (after each batch of 2048; its `n_prompt_tokens` is not the
prompt's length while it reads, so no total is claimed); a thread polls it and passes the
count, with the time spent, to the caller's progress callback. Only the local backend is
watched: another endpoint has no such report.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator

# Articles shorter than this (estimated tokens) are read in seconds: nothing to show.
LONG_PROMPT_TOKENS = 2000
POLL_SECONDS = 5.0


def read_progress(base_url: str) -> int | None:
    """Prompt tokens processed so far by the slot furthest into reading a prompt, or None
    when no slot is reading one (or the server does not say)."""
    root = base_url.rstrip("/").removesuffix("/v1")
    try:
        with urllib.request.urlopen(f"{root}/slots", timeout=2) as answer:
            slots = json.loads(answer.read())
    except (OSError, ValueError):
        return None
    reading = [
        int(s.get("n_prompt_tokens_processed", 0))
        for s in slots
        if isinstance(s, dict) and s.get("is_processing") and _not_writing(s)
    ]
    return max(reading) if reading else None


def _not_writing(slot: dict[str, object]) -> bool:
    """Whether the slot has written no token yet: it is still reading its prompt."""
    steps = slot.get("next_token")
    step = steps[0] if isinstance(steps, list) and steps else None
    return not isinstance(step, dict) or not step.get("n_decoded")


@contextlib.contextmanager
def prompt_progress(
    base_url: str, notify: Callable[[str], None], *, every: float = POLL_SECONDS
) -> Iterator[None]:
    """While the body runs, tell `notify` every `every` seconds how far the server has read."""
    stop = threading.Event()
    started = time.monotonic()

    def watch() -> None:
        while not stop.wait(every):
            done = read_progress(base_url)
            if done is not None:
                spent = time.monotonic() - started
                notify(f"reading the article: {done} prompt tokens read in {spent:.0f}s")

    thread = threading.Thread(target=watch, name="summarizer-prompt-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 3)
