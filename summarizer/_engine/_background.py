"""A local server that outlives one call: `summarizer server start|stop|status`.

Each CLI call otherwise starts its own llama-server (3.5 s to load the model) and
starts with a cold prompt cache. A background server is recorded in a state file
in the cache folder; the local backend uses it when it is there and healthy, and
starts its own only when it is not.

The record names the process by pid, start time and command line. A pid alone
proves nothing (a stale file's pid may be reused by any process, and the file may
say anything), so a process is used or signalled only when all three still match:
a foreign process is never reported, sent articles, or stopped.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from summarizer._engine._llama_server import LocalServer, Progress, healthy
from summarizer._errors import BackendUnavailableError
from summarizer._files import atomic_file

STATE_FILE = "server.json"
# Bumped when the record changes; a record of another version proves nothing.
STATE_VERSION = 2

# Servers this process started: held so the Popen object is not collected (and
# warns) while the server it started runs on, and waited for if stopped here.
_started_here: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class Background:
    pid: int
    port: int
    slots: int = 1  # requests it serves at once (`-np`), each with the full context
    # Its context per slot in tokens, as its command line gives it (None if it does not).
    context_size: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


@dataclass(frozen=True)
class Stopped:
    """What `stop` did: the server it stopped, or whether it dropped a stale record."""

    server: Background | None
    # A record was there but named no running server this tool started: it was
    # removed and nothing was signalled.
    stale: bool = False


@dataclass(frozen=True)
class _Record:
    """The state file: enough to prove a process is the server this tool started."""

    pid: int
    port: int
    start_time: int  # /proc/PID/stat field 22, clock ticks after boot: differs for a reused pid
    command: tuple[str, ...]  # its argv as /proc showed it once started, `--port <port>` included

    @property
    def server(self) -> Background:
        slots = [value for flag, value in itertools.pairwise(self.command) if flag == "-np"]
        count = int(slots[-1]) if slots and slots[-1].isdigit() else 1
        return Background(
            pid=self.pid, port=self.port, slots=max(1, count), context_size=self._context()
        )

    def _context(self) -> int | None:
        flags = dict(itertools.pairwise(self.command))
        try:
            return int(flags["-c"]) // int(flags.get("-np", "1"))
        except (KeyError, ValueError, ZeroDivisionError):
            return None

    def to_json(self) -> str:
        fields = {"version": STATE_VERSION, "pid": self.pid, "port": self.port}
        return json.dumps({**fields, "start_time": self.start_time, "command": self.command})


def state_path(cache_dir: Path) -> Path:
    return cache_dir / STATE_FILE


def _int(value: object) -> int | None:
    # Not bool, float or str: a record whose numbers need coercing was not written by us.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _parse(text: bytes) -> _Record | None:
    """The record in `text`, or None when it is malformed, of another version, or
    names pid 0, 1 or a negative pid (which `kill` reads as a process group)."""
    try:
        state = json.loads(text)
    except ValueError:  # UnicodeDecodeError included
        return None
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return None
    pid, port, start_time = (_int(state.get(k)) for k in ("pid", "port", "start_time"))
    command = state.get("command")
    if pid is None or port is None or start_time is None or not isinstance(command, list):
        return None
    if not (command and all(isinstance(arg, str) for arg in command)):
        return None
    ports = [value for flag, value in itertools.pairwise(command) if flag == "--port"]
    if pid <= 1 or not 0 < port < 65536 or ports != [str(port)]:
        return None
    return _Record(pid=pid, port=port, start_time=start_time, command=tuple(command))


def _start_time(pid: int) -> int | None:
    """When the process started (clock ticks after boot), or None if there is no such process.

    Linux only: without /proc there is no way to tell a reused pid from the server,
    so on other platforms no record is ever trusted."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    # The name in parentheses (field 2) may hold spaces and ')': count after the last ')'.
    fields = stat.rpartition(b")")[2].split()
    try:
        return int(fields[22 - 3])
    except (IndexError, ValueError):
        return None


def _command_line(pid: int) -> tuple[str, ...]:
    """The process's argv; empty for a zombie or a process that cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ()
    if not raw:
        return ()
    return tuple(os.fsdecode(arg) for arg in raw.removesuffix(b"\0").split(b"\0"))


def _is_ours(record: _Record) -> bool:
    """Whether the recorded pid is, right now, the process this tool started."""
    if record.pid <= 1 or _start_time(record.pid) != record.start_time:
        return False
    return _command_line(record.pid) == record.command


def _drop(path: Path, text: bytes) -> None:
    """Remove the record read as `text`, unless `server start` replaced it meanwhile."""
    with contextlib.suppress(OSError):
        if path.read_bytes() == text:
            path.unlink()


def _read(path: Path) -> tuple[bytes, _Record | None] | None:
    """The record's text and what it proves; None when there is no record."""
    try:
        text = path.read_bytes()
    except OSError:
        return None
    return text, _parse(text)


def find(cache_dir: Path) -> Background | None:
    """The recorded background server if it is this tool's and healthy.

    A record that is not of a running process this tool started (its process gone,
    its pid reused, or the record malformed) is removed: it can never become true.
    A record of our own server that fails /health (still loading, or busy) is kept,
    so `stop` can still stop it."""
    path = state_path(cache_dir)
    read = _read(path)
    if read is None:
        return None
    text, record = read
    if record is None or not _is_ours(record):
        _drop(path, text)
        return None
    return record.server if healthy(record.port) else None


def start(
    binary: str,
    model_path: Path,
    cache_dir: Path,
    *,
    context_size: int,
    progress: Progress | None = None,
    slots: int = 1,
) -> tuple[Background, bool]:
    """Start a background server unless one runs; returns it and whether it is new.
    `slots`: requests served at once (`summarizer batch --jobs`), each with `context_size`."""
    running = find(cache_dir)
    if running is not None:
        return running, False
    read = _read(state_path(cache_dir))
    if read is not None and read[1] is not None and _is_ours(read[1]):
        # Ours, alive, not answering (loading or stuck): a second server would orphan it.
        raise BackendUnavailableError(
            f"a server this tool started (pid {read[1].server.pid}) is running but not "
            "answering /health; wait for it to load, or stop it with `summarizer server stop`"
        )
    if not Path(f"/proc/{os.getpid()}/stat").exists():
        raise BackendUnavailableError(
            "`summarizer server` needs Linux's /proc to tell its server from other "
            "processes; without it, each local brief starts its own server"
        )
    server = LocalServer(
        binary,
        model_path,
        log_path=cache_dir / "logs" / "llama-server-background.log",
        context_size=context_size,
        slots=slots,
    )
    server.start(progress=progress, detached=True)
    assert server.process is not None
    pid = server.process.pid
    # Our unreaped, healthy child: the pid cannot have been reused, and a wrapper
    # script has exec'd the server by now, so /proc shows the server itself.
    start_time = _start_time(pid)
    seen = _Record(
        pid=pid,
        port=server.port,
        start_time=-1 if start_time is None else start_time,
        command=_command_line(pid),
    )
    record = _parse(seen.to_json().encode())  # exactly what later calls will read
    if record is None or not _is_ours(record):
        server.stop()
        raise BackendUnavailableError(
            f"llama-server at {binary} runs without `--port {server.port}` on its command "
            "line, so it could not be told from other processes later; it was stopped"
        )
    _started_here[pid] = server.process
    path = state_path(cache_dir)
    with atomic_file(path, private=True) as out:
        out.write(record.to_json().encode("utf-8"))
    return record.server, True


def _signal(record: _Record, pidfd: int | None, signum: int) -> None:
    try:
        if pidfd is not None:
            signal.pidfd_send_signal(pidfd, signum)
        elif _is_ours(record):  # no pidfd (old kernel): checked right before signalling
            os.kill(record.pid, signum)
    except ProcessLookupError:
        pass  # it exited meanwhile
    except PermissionError:
        raise BackendUnavailableError(
            f"not allowed to stop the background server (pid {record.pid}): "
            "stop it as the user who started it"
        ) from None


def _wait_gone(record: _Record, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _is_ours(record):  # an exited server is a zombie (no argv) or gone
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def stop(cache_dir: Path, *, timeout: float = 10.0) -> Stopped:
    """Stop the recorded background server if it is provably the one this tool started.

    Any other record is removed without signalling anything."""
    path = state_path(cache_dir)
    read = _read(path)
    if read is None:
        return Stopped(None)
    text, record = read
    if record is None or not _is_ours(record):
        _drop(path, text)
        return Stopped(None, stale=True)
    pidfd: int | None = None
    try:
        pidfd = os.pidfd_open(record.pid)
    except ProcessLookupError:
        _drop(path, text)
        return Stopped(None, stale=True)
    except OSError:
        pidfd = None  # kernel before 5.3: fall back to a check right before each kill
    try:
        # The pidfd holds the process it was opened for: checked after opening it,
        # a match cannot be a process that took over the pid since.
        if not _is_ours(record):
            _drop(path, text)
            return Stopped(None, stale=True)
        _signal(record, pidfd, signal.SIGTERM)
        own = _started_here.pop(record.pid, None)
        if own is not None:  # started by this very process: wait for it (no zombie)
            try:
                own.wait(timeout)
            except subprocess.TimeoutExpired:
                own.kill()
                own.wait()
        elif not _wait_gone(record, timeout):
            _signal(record, pidfd, signal.SIGKILL)
            _wait_gone(record, timeout)
    finally:
        if pidfd is not None:
            os.close(pidfd)
    _drop(path, text)
    return Stopped(record.server)
