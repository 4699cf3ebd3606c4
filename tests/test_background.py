"""`summarizer server start|stop|status`: a real detached process, found by later calls.

The server here is a stand-in llama-server (a small Python program answering
/health on the port it is given), so the lifecycle is real without the model.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, reply

from summarizer import BackendUnavailableError
from summarizer._cli import main
from summarizer._config import resolve
from summarizer._engine import _background
from summarizer._engine import _llama_server as _local_server
from summarizer._pipeline._backend import connect

FAKE_SERVER = f"""#!{sys.executable}
import http.server, sys
port = int(sys.argv[sys.argv.index("--port") + 1])

class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
        self.wfile.write(b"{{}}")

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
"""


@pytest.fixture
def fake_binary(tmp_path: Path) -> str:
    path = tmp_path / "llama-server"
    path.write_text(FAKE_SERVER)
    path.chmod(0o755)
    return str(path)


def _start_time(pid: int) -> int:
    """Field 22 of /proc/PID/stat (proc(5)); the name before it is in parentheses."""
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19])


def _write_record(cache: Path, **fields: object) -> None:
    """A server.json as `summarizer server start` writes it (version 2), with any fields."""
    cache.mkdir(parents=True, exist_ok=True)
    _background.state_path(cache).write_text(json.dumps({"version": 2, **fields}))


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_start_is_found_reused_and_stopped(tmp_path: Path, fake_binary: str) -> None:
    cache = tmp_path / "cache"
    model = tmp_path / "model.gguf"
    model.write_bytes(b"x")
    started, new = _background.start(fake_binary, model, cache, context_size=2048)
    try:
        assert new
        record = json.loads(_background.state_path(cache).read_text())
        assert record["pid"] == started.pid
        assert record["start_time"] == _start_time(started.pid)
        assert record["command"] == [sys.executable, fake_binary, *record["command"][2:]]
        assert record["command"][record["command"].index("--port") + 1] == str(started.port)
        assert _background.find(cache) == started
        again, new_again = _background.start(fake_binary, model, cache, context_size=2048)
        assert (again, new_again) == (started, False)
        conn = connect(resolve(backend="local", cache_dir=cache))
        assert str(conn.client.base_url).rstrip("/") == started.base_url
    finally:
        stopped = _background.stop(cache)
    assert stopped == _background.Stopped(started)
    assert not _alive(started.pid)
    assert not _background.state_path(cache).exists()
    assert _background.find(cache) is None
    assert _background.stop(cache) == _background.Stopped(None)  # stopping twice is harmless


def test_stale_record_of_a_dead_process_is_dropped(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    start_time = _start_time(pid)
    os.waitpid(pid, 0)  # a pid that certainly no longer runs
    _write_record(cache, pid=pid, port=9, start_time=start_time, command=["x", "--port", "9"])
    assert _background.find(cache) is None
    assert not _background.state_path(cache).exists()


def test_cli_status_start_stop(
    tmp_path: Path,
    fake_binary: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(cache))
    model = tmp_path / "model.gguf"
    model.write_bytes(b"x")
    monkeypatch.setattr("summarizer._engine._model_file.ensure_model", lambda *a, **k: model)
    assert main(["server", "status"]) == 3
    assert "not running" in capsys.readouterr().out
    try:
        assert main(["server", "start", "--llama-server", fake_binary]) == 0
        assert "started at http://127.0.0.1:" in capsys.readouterr().out
        assert main(["server", "status"]) == 0
        assert "running at" in capsys.readouterr().out
    finally:
        assert main(["server", "stop"]) == 0
    assert "stopped" in capsys.readouterr().out
    deadline = time.monotonic() + 5
    while _background.find(cache) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert main(["server", "status"]) == 3


# --- records that name a process this tool did not start (issue 13, item 2) ---------------
#
# The bystander is a real process that must survive: a foreign process at the recorded
# pid, with /health answering on the recorded port (the scripted server answers it).


@pytest.fixture
def health() -> Iterator[int]:
    """A loopback port where something that is not our server answers /health 200."""
    with FakeOpenAI([reply("not a brief")]) as server:
        yield int(server.base_url.split(":")[2].split("/")[0])


def _bystander(*argv: str) -> tuple[subprocess.Popen[bytes], list[str]]:
    """A real process that must outlive the test, and its command line (ending in `argv`)."""
    command = [sys.executable, "-c", "import time; time.sleep(60)", *argv]
    proc = subprocess.Popen(command)
    # Popen returns once exec succeeded; read /proc until it shows the new argv anyway.
    path = Path(f"/proc/{proc.pid}/cmdline")
    deadline = time.monotonic() + 5
    while path.read_bytes().split(b"\0")[:-1] != [os.fsencode(a) for a in command]:
        assert time.monotonic() < deadline, "the bystander did not start"
        time.sleep(0.02)
    return proc, command


@pytest.fixture
def bystanders() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        proc.kill()
        proc.wait()


def test_a_foreign_process_at_the_recorded_pid_is_not_the_server(
    tmp_path: Path, health: int, bystanders: list[subprocess.Popen[bytes]]
) -> None:
    cache = tmp_path / "cache"
    other, _ = _bystander()
    bystanders.append(other)
    # The right pid and start time, but the command line is not a llama-server's.
    command = ["/opt/llama/llama-server", "-m", "model.gguf", "--port", str(health)]
    fields = {"pid": other.pid, "port": health, "start_time": _start_time(other.pid)}
    _write_record(cache, **fields, command=command)
    assert _background.find(cache) is None
    assert not _background.state_path(cache).exists()  # never true again: dropped
    _write_record(cache, **fields, command=command)
    assert _background.stop(cache) == _background.Stopped(None, stale=True)
    time.sleep(0.2)
    assert other.poll() is None  # not signalled
    assert not _background.state_path(cache).exists()


def test_a_reused_pid_is_not_signalled(
    tmp_path: Path, health: int, bystanders: list[subprocess.Popen[bytes]]
) -> None:
    cache = tmp_path / "cache"
    other, argv = _bystander("--port", str(health))
    bystanders.append(other)
    # Everything matches but the start time: the pid was reused by another process.
    # (With the right start time the same record is ours, so the start time alone decides.)
    fields = {"pid": other.pid, "port": health, "command": argv}
    _write_record(cache, **fields, start_time=_start_time(other.pid) + 1)
    assert _background.find(cache) is None
    _write_record(cache, **fields, start_time=_start_time(other.pid) - 1)
    assert _background.stop(cache) == _background.Stopped(None, stale=True)
    time.sleep(0.2)
    assert other.poll() is None
    _write_record(cache, **fields, start_time=_start_time(other.pid))
    assert _background.find(cache) == _background.Background(pid=other.pid, port=health)


@pytest.mark.parametrize(
    "change",
    [
        {"pid": -1},  # kill(-1, …) signals every process the caller may signal
        {"pid": 0},  # kill(0, …) signals the caller's own process group
        {"pid": 1},
        {"pid": "PID"},  # replaced by the bystander's pid, as a string
        {"pid": "PID.0"},  # … as a float
        {"port": "PORT"},
        {"start_time": None},
        {"start_time": "START"},
        {"command": None},
        {"command": "ARGV"},  # the command line as one string
        {"version": None},  # the record of an older version: pid and port only
        {"version": 1},
    ],
    ids=lambda change: "-".join(f"{k}={v}" for k, v in change.items()),
)
def test_a_record_that_proves_nothing_is_never_trusted(
    tmp_path: Path,
    health: int,
    bystanders: list[subprocess.Popen[bytes]],
    change: dict[str, object],
) -> None:
    cache = tmp_path / "cache"
    other, argv = _bystander("--port", str(health))
    bystanders.append(other)
    values = {"PID": str(other.pid), "PID.0": float(other.pid), "PORT": str(health)}
    values |= {"START": str(_start_time(other.pid)), "ARGV": " ".join(argv)}
    good: dict[str, object] = {"version": 2, "pid": other.pid, "port": health}
    good |= {"start_time": _start_time(other.pid), "command": argv}
    record = {
        **good,
        **{k: values.get(v, v) if isinstance(v, str) else v for k, v in change.items()},
    }
    record = {k: v for k, v in record.items() if v is not None}
    cache.mkdir()
    _background.state_path(cache).write_text(json.dumps(record))
    assert _background.find(cache) is None
    if isinstance(record["pid"], int) and record["pid"] <= 1:
        return  # `stop` on these: see the test in a pid namespace below
    _background.state_path(cache).write_text(json.dumps(record))
    assert _background.stop(cache) == _background.Stopped(None, stale=True)
    time.sleep(0.2)
    assert other.poll() is None


# Run as pid 1 of a new pid namespace and session, where kill(-1) or kill(0) can reach
# only the sacrificial sleep, never a process outside: a record naming pid -1 or 0 must
# not signal it.
STOP_IN_NAMESPACE = """
import os
os.setsid()  # process groups cross pid namespaces: kill(0) must reach only this one
import json, subprocess, sys, time
from pathlib import Path
from summarizer._engine import _background
cache, port, pid = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
victim = subprocess.Popen(["sleep", "60"])  # same process group: kill(0) reaches it too
argv = ["x", "--port", str(port)]
record = {"version": 2, "pid": pid, "port": port, "start_time": 0, "command": argv}
_background.state_path(cache).write_text(json.dumps(record))
outcome = _background.stop(cache)
time.sleep(0.3)
print(json.dumps({"victim": victim.poll(), "outcome": repr(outcome)}))
victim.kill()
"""


@pytest.mark.parametrize("pid", [-1, 0])
def test_stop_never_signals_a_process_group(tmp_path: Path, health: int, pid: int) -> None:
    unshare = shutil.which("unshare")
    sandbox = ["--pid", "--fork", "--mount-proc", "--kill-child"]
    if os.geteuid() != 0:
        sandbox = ["--user", "--map-root-user", *sandbox]
    if unshare is None or subprocess.run([unshare, *sandbox, "true"]).returncode != 0:
        pytest.skip("needs unshare(1) and pid namespaces to run `stop` safely")
    cache = tmp_path / "cache"
    cache.mkdir()
    args = [sys.executable, "-c", STOP_IN_NAMESPACE, str(cache), str(health), str(pid)]
    command = [unshare, *sandbox, *args]
    done = subprocess.run(command, capture_output=True, timeout=30, start_new_session=True)
    assert done.returncode == 0, done.stderr.decode()
    # The victim still runs (poll() is None): nothing was signalled.
    outcome = "Stopped(server=None, stale=True)"
    assert json.loads(done.stdout) == {"victim": None, "outcome": outcome}


def test_status_and_stop_ignore_a_foreign_server(
    tmp_path: Path,
    fake_binary: str,
    bystanders: list[subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(cache))
    with FakeOpenAI([reply("not a brief")]) as foreign:
        port = int(foreign.base_url.split(":")[2].split("/")[0])
        other, argv = _bystander("--port", str(port))
        bystanders.append(other)
        # A reused pid: the command line even names the port, but the start time differs.
        fields = {"pid": other.pid, "port": port, "command": argv}
        _write_record(cache, **fields, start_time=_start_time(other.pid) + 1)
        assert main(["server", "status"]) == 3
        assert capsys.readouterr().out.startswith("summarizer server: not running")
        _write_record(cache, **fields, start_time=_start_time(other.pid) + 1)
        assert main(["server", "stop"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("summarizer server: was not running; removed ")
        assert out.endswith("(nothing was signalled)\n")
        time.sleep(0.2)
        assert other.poll() is None


def test_a_brief_does_not_go_to_a_foreign_server(
    tmp_path: Path,
    fake_binary: str,
    bystanders: list[subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmp_path / "cache"
    model = tmp_path / "model.gguf"
    model.write_bytes(b"x")
    monkeypatch.setattr("summarizer._engine._model_file.ensure_model", lambda *a, **k: model)
    monkeypatch.setattr(_local_server, "_shared", None)
    with FakeOpenAI([reply("not a brief")]) as foreign:
        port = int(foreign.base_url.split(":")[2].split("/")[0])
        other, argv = _bystander("--port", str(port))
        bystanders.append(other)
        fields = {"pid": other.pid, "port": port, "command": argv}
        _write_record(cache, **fields, start_time=_start_time(other.pid) + 1)
        try:
            # The local backend starts its own server (the stand-in) instead.
            conn = connect(resolve(backend="local", cache_dir=cache, llama_server=fake_binary))
            own = _local_server._shared
            assert own is not None and own.port != port
            assert str(conn.client.base_url).rstrip("/") == own.base_url
        finally:
            _local_server._stop_shared()
        assert foreign.requests == []


def test_our_server_that_fails_health_is_kept_and_stopped(
    tmp_path: Path, bystanders: list[subprocess.Popen[bytes]]
) -> None:
    """Health is not identity: a server of ours that does not answer (loading, hung) is
    not used, but its record stays so that `stop` can still stop it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        silent = int(s.getsockname()[1])  # nothing listens here once closed
    cache = tmp_path / "cache"
    ours, argv = _bystander("--port", str(silent))
    bystanders.append(ours)
    _write_record(cache, pid=ours.pid, port=silent, start_time=_start_time(ours.pid), command=argv)
    assert _background.find(cache) is None
    assert _background.state_path(cache).exists()
    stopped = _background.stop(cache)
    assert ours.wait(timeout=5) == -signal.SIGTERM
    assert stopped == _background.Stopped(_background.Background(pid=ours.pid, port=silent))
    assert not _background.state_path(cache).exists()


def test_start_does_not_orphan_our_server_that_is_not_answering(
    tmp_path: Path, bystanders: list[subprocess.Popen[bytes]]
) -> None:
    """A second server would overwrite the record, and the first could never be stopped."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        silent = int(s.getsockname()[1])
    cache = tmp_path / "cache"
    ours, argv = _bystander("--port", str(silent))
    bystanders.append(ours)
    _write_record(cache, pid=ours.pid, port=silent, start_time=_start_time(ours.pid), command=argv)
    before = _background.state_path(cache).read_bytes()
    missing = str(tmp_path / "never-started-llama-server")
    with pytest.raises(BackendUnavailableError, match=f"pid {ours.pid}"):
        _background.start(missing, tmp_path / "model.gguf", cache, context_size=512)
    assert _background.state_path(cache).read_bytes() == before
    assert ours.poll() is None
