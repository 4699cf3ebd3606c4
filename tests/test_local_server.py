"""The embedded backend's real llama-server: start, answer, stop, no orphan.

Runs where the [local] extra is installed (`make install-local`); skipped elsewhere.
The model-file tests below need no extra: they build a small fake "model" from parts.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import HAS_LOCAL, ROOT

from summarizer import BackendUnavailableError
from summarizer._engine._model_file import ensure_model, is_verified

needs_local = pytest.mark.skipif(
    not HAS_LOCAL, reason="needs the [local] extra: run `make install-local` (about 5 minutes)"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


@needs_local
@pytest.mark.local_model
def test_server_starts_answers_and_stops(tmp_path: Path) -> None:
    import openai

    from summarizer._config import resolve
    from summarizer._engine._llama_server import LocalServer, find_binary
    from summarizer._engine._model_file import ensure_model

    settings = resolve(backend="local")
    server = LocalServer(
        find_binary(None), ensure_model(settings.cache_dir), log_path=tmp_path / "server.log"
    )
    server.start()
    try:
        assert server.running() and server.healthy()
        pid = server.process.pid  # type: ignore[union-attr]
        client = openai.OpenAI(base_url=server.base_url, api_key="no-key", max_retries=0)
        reply = client.chat.completions.create(
            model="local", messages=[{"role": "user", "content": "Say OK."}], max_tokens=4
        )
        assert reply.usage is not None and reply.usage.completion_tokens > 0
    finally:
        server.stop()
    assert not server.running() and not _alive(pid)
    assert "127.0.0.1" in (tmp_path / "server.log").read_text()


@needs_local
@pytest.mark.local_model
def test_killed_parent_leaves_no_orphan(tmp_path: Path) -> None:
    # A child Python starts the server, prints its pid, then is SIGKILLed: no atexit runs,
    # yet the server must go too (PR_SET_PDEATHSIG).
    code = (
        "from summarizer._config import resolve\n"
        "from summarizer._engine._llama_server import shared_server\n"
        "s = resolve(backend='local')\n"
        "srv = shared_server(binary=None, cache_dir=s.cache_dir, context_size=2048)\n"
        "print(srv.process.pid, flush=True)\n"
        "import time; time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        server_pid = int(line)
        assert _alive(server_pid)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
    deadline = time.monotonic() + 15
    while _alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(server_pid)


def test_failed_start_shows_the_reason(tmp_path: Path) -> None:
    from summarizer._engine._llama_server import LocalServer

    model = tmp_path / "not-a-model.gguf"
    model.write_bytes(b"nonsense")
    fake = tmp_path / "llama-server"
    fake.write_text("#!/bin/sh\necho 'error: failed to load model' >&2\nexit 7\n")
    fake.chmod(0o755)
    server = LocalServer(str(fake), model, log_path=tmp_path / "log.txt")
    with pytest.raises(BackendUnavailableError, match=r"exited with code 7.*failed to load model"):
        server.start(timeout=10)


def _parts(tmp_path: Path, chunks: list[bytes]) -> list[Path]:
    paths = []
    for i, data in enumerate(chunks):
        p = tmp_path / f"part{i}"
        p.write_bytes(data)
        paths.append(p)
    return paths


def test_model_is_joined_in_order_verified_and_not_rehashed(tmp_path: Path) -> None:
    chunks = [b"alpha-", b"beta-", b"gamma"]
    sha = hashlib.sha256(b"".join(chunks)).hexdigest()
    path = ensure_model(tmp_path / "cache", parts=_parts(tmp_path, chunks), expected_sha256=sha)
    assert path.read_bytes() == b"alpha-beta-gamma"
    assert is_verified(path, sha)
    # Verified once: a second call must not read the parts again.
    again = ensure_model(tmp_path / "cache", parts=[tmp_path / "gone"], expected_sha256=sha)
    assert again == path
    path.write_bytes(b"tampered!!!!!!!!")  # a changed file loses its stamp
    assert not is_verified(path, sha)


def test_hash_mismatch_is_an_error_and_leaves_no_file(tmp_path: Path) -> None:
    parts = _parts(tmp_path, [b"not the ", b"model"])
    with pytest.raises(BackendUnavailableError, match="failed verification"):
        ensure_model(tmp_path / "cache", parts=parts, expected_sha256="0" * 64)
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_each_slot_gets_the_full_context(tmp_path: Path) -> None:
    from summarizer._engine._llama_server import LocalServer

    def flags(server: LocalServer) -> tuple[str, str]:
        cmd = server.command()
        return cmd[cmd.index("-c") + 1], cmd[cmd.index("-np") + 1]

    model = tmp_path / "m.gguf"
    log = tmp_path / "log"
    assert flags(LocalServer("llama-server", model, log_path=log)) == ("8192", "1")
    bench = LocalServer("llama-server", model, log_path=log, context_size=4096, slots=3)
    assert flags(bench) == ("12288", "3")
