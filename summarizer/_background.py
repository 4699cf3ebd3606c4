"""A local server that outlives one call: `summarizer server start|stop|status`.

Each CLI call otherwise starts its own llama-server (3.5 s to load the model) and
starts with a cold prompt cache. A background server is recorded in a state file
in the cache folder; the local backend uses it when it is there and healthy, and
starts its own only when it is not.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ._local_server import LocalServer, Progress, healthy

STATE_FILE = "server.json"

# Servers this process started: held so the Popen object is not collected (and
# warns) while the server it started runs on, and waited for if stopped here.
_started_here: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class Background:
    pid: int
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def state_path(cache_dir: Path) -> Path:
    return cache_dir / STATE_FILE


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, though not ours to stop
    return True


def find(cache_dir: Path) -> Background | None:
    """The recorded background server if it is running and healthy; a stale record
    (its process gone) is removed."""
    path = state_path(cache_dir)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        found = Background(pid=int(state["pid"]), port=int(state["port"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(found.pid):
        path.unlink(missing_ok=True)
        return None
    return found if healthy(found.port) else None


def start(
    binary: str,
    model_path: Path,
    cache_dir: Path,
    *,
    context_size: int,
    progress: Progress | None = None,
) -> tuple[Background, bool]:
    """Start a background server unless one runs; returns it and whether it is new."""
    running = find(cache_dir)
    if running is not None:
        return running, False
    server = LocalServer(
        binary,
        model_path,
        log_path=cache_dir / "logs" / "llama-server-background.log",
        context_size=context_size,
    )
    server.start(progress=progress, detached=True)
    assert server.process is not None
    started = Background(pid=server.process.pid, port=server.port)
    _started_here[started.pid] = server.process
    path = state_path(cache_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": started.pid, "port": started.port}), encoding="utf-8")
    tmp.replace(path)
    return started, True


def stop(cache_dir: Path, *, timeout: float = 10.0) -> Background | None:
    """Stop the recorded background server; returns what was stopped, or None."""
    path = state_path(cache_dir)
    running = find(cache_dir)
    if running is None:
        path.unlink(missing_ok=True)
        return None
    os.kill(running.pid, signal.SIGTERM)
    own = _started_here.pop(running.pid, None)
    if own is not None:  # started by this very process: wait for it (no zombie)
        try:
            own.wait(timeout)
        except subprocess.TimeoutExpired:
            own.kill()
            own.wait()
    else:
        deadline = time.monotonic() + timeout
        while _alive(running.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(running.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(running.pid, signal.SIGKILL)
    path.unlink(missing_ok=True)
    return running
