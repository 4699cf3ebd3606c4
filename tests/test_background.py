"""`summarizer server start|stop|status`: a real detached process, found by later calls.

The server here is a stand-in llama-server (a small Python program answering
/health on the port it is given), so the lifecycle is real without the model.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path

import pytest

from summarizer import _background
from summarizer._backend import connect
from summarizer._config import resolve
from summarizer.cli import main

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
        assert json.loads(_background.state_path(cache).read_text())["pid"] == started.pid
        assert _background.find(cache) == started
        again, new_again = _background.start(fake_binary, model, cache, context_size=2048)
        assert (again, new_again) == (started, False)
        conn = connect(resolve(backend="local", cache_dir=cache))
        assert str(conn.client.base_url).rstrip("/") == started.base_url
    finally:
        stopped = _background.stop(cache)
    assert stopped == started
    assert not _alive(started.pid)
    assert not _background.state_path(cache).exists()
    assert _background.find(cache) is None
    assert _background.stop(cache) is None  # stopping twice is harmless


def test_stale_record_of_a_dead_process_is_dropped(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)  # a pid that certainly no longer runs
    _background.state_path(cache).write_text(json.dumps({"pid": pid, "port": 9}))
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
    monkeypatch.setattr("summarizer._local_model.ensure_model", lambda *a, **k: model)
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
