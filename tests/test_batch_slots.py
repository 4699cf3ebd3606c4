"""The local backend in a batch: one llama-server slot per job.

The server is a stand-in llama-server (tests/test_background.py's, answering /health on
the port it is given), so the processes and their command lines are real without the model.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from test_background import fake_binary  # noqa: F401  (the fixture)

from summarizer._config import resolve, server_context
from summarizer._engine import _background
from summarizer._engine import _llama_server as _local_server
from summarizer._engine._background import _command_line
from summarizer._engine._service import batch_slots
from summarizer._pipeline._backend import connect


def flag(pid: int, name: str) -> str:
    return next(v for f, v in itertools.pairwise(_command_line(pid)) if f == name)


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"x")
    monkeypatch.setattr("summarizer._engine._model_file.ensure_model", lambda *a, **k: path)
    monkeypatch.setattr(_local_server, "_shared", None)
    return path


@pytest.mark.parametrize(("background_slots", "own"), [(1, True), (4, False)])
def test_a_running_server_is_used_only_with_a_slot_per_job(
    tmp_path: Path,
    fake_binary: str,  # noqa: F811
    model: Path,
    background_slots: int,
    own: bool,
) -> None:
    cache = tmp_path / "cache"
    settings = resolve(backend="local", cache_dir=cache, llama_server=fake_binary)
    running, _ = _background.start(
        fake_binary, model, cache, context_size=2048, slots=background_slots
    )
    try:
        assert running.slots == background_slots
        slots = batch_slots(settings, 3)
        assert (slots.own, slots.background) == (own, running)
        conn = connect(settings)
        url = str(conn.client.base_url).rstrip("/")
        started = _local_server.running_shared()
        if own:  # the batch's own server, 3 slots of the usual context each, comes first
            assert started is not None and started.process is not None
            assert url == started.base_url != running.base_url
            assert flag(started.process.pid, "-np") == "3"
            per_slot = server_context(None, settings.context_size)
            assert flag(started.process.pid, "-c") == str(3 * per_slot)
        else:
            assert started is None and url == running.base_url
    finally:
        _local_server._stop_shared()
        _background.stop(cache)
