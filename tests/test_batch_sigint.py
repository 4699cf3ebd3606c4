"""Ctrl-C during a batch, for real: a child process running the runner gets SIGINT."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    sys.path[:0] = [sys.argv[3], sys.argv[3] + "/tests"]
    from batchkit import FakeBrief
    from summarizer._batch import Item, LineReporter, open_records, run_batch

    fake = FakeBrief(delay=float(sys.argv[2]))

    async def brief(text):
        open(sys.argv[1] + ".started", "w").close()  # the runner, and its handler, are live
        return await fake(text)

    todo = [Item(f"id{i}", "text", f"Article {i}", "m") for i in range(40)]
    records, prior = open_records(sys.argv[1], resume=True)

    async def main():
        with records:
            return await run_batch(
                todo, brief, records, prior=prior, jobs=2, reporter=LineReporter(sys.stderr)
            )

    summary = asyncio.run(main())
    print(len(fake.calls))
    sys.exit(summary.exit_code)
    """
)


@pytest.fixture
def start() -> Iterator[Callable[[Path, float], subprocess.Popen[str]]]:
    children: list[subprocess.Popen[str]] = []

    def spawn(out: Path, delay: float) -> subprocess.Popen[str]:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(out), str(delay), str(ROOT)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        children.append(child)
        return child

    yield spawn
    for child in children:  # a failed test must not leave a child waiting 600 s
        if child.poll() is None:
            child.kill()
            child.communicate()


def wait_for(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 60  # a loaded machine starts Python slowly
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def records(out: Path) -> list[dict[str, object]]:
    data = out.read_bytes() if out.exists() else b""
    assert not data or data.endswith(b"\n")  # whole lines at every moment
    return [json.loads(line) for line in data.splitlines()]


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery as on POSIX")
def test_sigint_stops_taking_articles_lets_in_flight_finish_and_exits_130(
    tmp_path: Path, start: Callable[[Path, float], subprocess.Popen[str]]
) -> None:
    out = tmp_path / "out.jsonl"
    child = start(out, delay=0.3)
    wait_for(lambda: len(records(out)) >= 2, "the first records")
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    assert "stopping: letting" in stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1].startswith("batch (interrupted): ")
    done = records(out)
    calls = int(stdout)
    assert len(done) == calls < 40  # every article started was finished and recorded
    assert all(r["error"] is None for r in done)
    # --resume completes the rest, and only the rest.
    child = start(out, delay=0.0)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stderr
    assert int(stdout) == 40 - calls
    assert sorted(r["id"] for r in records(out)) == sorted(f"id{i}" for i in range(40))


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery as on POSIX")
def test_a_second_sigint_records_in_flight_articles_as_interrupted(
    tmp_path: Path, start: Callable[[Path, float], subprocess.Popen[str]]
) -> None:
    out = tmp_path / "out.jsonl"
    child = start(out, delay=600.0)
    assert child.stderr is not None
    wait_for(lambda: Path(f"{out}.started").exists(), "the first call")
    child.send_signal(signal.SIGINT)
    wait_for(lambda: "stopping" in (child.stderr.readline() if child.stderr else ""), "stop note")
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    done = records(out)
    assert len(done) == 2 == int(stdout)
    assert all(r["error"]["kind"] == "interrupted" for r in done)  # type: ignore[index]
