"""The command line, end to end: formats, output files, exit codes, one-line errors."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, ROOT, Target
from drafts import ACTORS, ARTICLE, draft
from fakeopenai import FakeOpenAI, reply_json
from test_briefs import exchanges

import summarizer._engine._llama_server
from summarizer._cli import main

PORT_STRIKE = str(EXAMPLES / "port_strike.txt")


def _model_args(llm: Target) -> list[str]:
    return ["--backend", "openai", "--base-url", llm.base_url, "-m", llm.model, "--llama-grammar"]


@pytest.mark.vcr
def test_brief_json_with_meta(llm: Target, vcr: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["brief", PORT_STRIKE, "--format", "json", "--meta", *_model_args(llm)])
    out, err = capsys.readouterr()
    assert code == 0, err
    payload = json.loads(out)
    assert set(payload) == {"brief", "meta", "evidence", "source"}
    assert payload["source"]["origin"] == PORT_STRIKE and payload["source"]["url"] is None
    assert payload["brief"]["schema_version"] == "1.0"
    # Exact figures from what the cassette served: one request, its answer's usage.
    served = exchanges(vcr)
    assert len(served) == 1 and served[0].status == 200
    meta = payload["meta"]
    assert (meta["attempts"], meta["reasks"], meta["transport_retries"]) == (1, 0, 0)
    assert meta["usage"]["prompt_tokens"] == served[0].prompt_tokens
    assert meta["usage"]["completion_tokens"] == served[0].completion_tokens


@pytest.mark.vcr
def test_brief_text_and_atomic_output_file(
    llm: Target, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "brief.txt"
    code = main(["brief", PORT_STRIKE, "--format", "text", "-o", str(target), *_model_args(llm)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out == ""  # written to the file, not stdout
    text = target.read_text()
    assert "Actors:" in text and "Status (" in text
    assert [p.name for p in tmp_path.iterdir()] == ["brief.txt"]  # no temp file left behind


def test_schema_command_prints_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"headline", "event", "actors", "status", "uncertainties"} <= set(schema["properties"])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["brief", "/no/such/article.txt"], "not found"),
        (["brief", str(EXAMPLES)], "directory"),
        (["brief"], "Missing argument 'PATH|URL|-'"),
        (["brief", PORT_STRIKE, "--format", "pdf"], "is not one of"),
        (["brief", PORT_STRIKE, "--max-attempts", "0", "--backend", "local"], "at least 1"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit_code(args) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_output_never_overwrites_the_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Some article.\n")
    assert main(["brief", str(article), "-o", str(article), "--backend", "local"]) == 2
    assert article.read_text() == "Some article.\n"
    assert "is the input file" in capsys.readouterr().err


def test_unreachable_backend_exits_3(tmp_path: Path) -> None:
    # A real subprocess against a closed loopback port: no cassette, nothing listening.
    proc = subprocess.run(
        [sys.executable, "-m", "summarizer", "brief", PORT_STRIKE, "--backend", "openai",
         "--base-url", "http://127.0.0.1:9/v1", "--timeout", "2"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SUMMARIZER_MAX_RETRIES": "0"},
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.startswith("summarizer: error: the model endpoint connection failed")
    assert len(proc.stderr.strip().splitlines()) == 1


def _exit_code(args: list[str]) -> int:
    """The exit code, whether main returns it or argparse exits with it."""
    try:
        return main(args)
    except SystemExit as exc:
        return int(exc.code or 0)


# An article carrying terminal control sequences: a window title change and a screen clear.
HOSTILE_SENTENCES = [
    "The Harbor Council of Velmora voted on Tuesday to close the old ferry pier for repairs.",
    'Mayor Ilse\x1b[2J Brandt said the pier had become "unsafe" after the winter storms.',
    "The closure will last about three\x1b]0;pwned\x07 months, according to the council.",
    "It is not yet known\x1b[2J where the ferries will dock during the work.",
]


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_control_sequences_in_the_article_never_reach_the_terminal(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "hostile.txt"
    article.write_text(" ".join(HOSTILE_SENTENCES))
    answer = draft(["Harbor Council of Velmora", "Ilse\x1b[2J Brandt"])
    answer["event"]["summary"] = "The Harbor Council\x1b]0;pwned\x07 voted to close the pier."
    answer["status"]["latest"] = "The closure\x9b2J will last about three months."  # 8-bit CSI
    with FakeOpenAI([reply_json(answer)], max_requests=5, lifetime_s=10.0) as srv:
        code = main(["brief", str(article), "--format", fmt, "--backend", "openai",
                     "--base-url", srv.base_url, "-m", "fake-model"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert not {"\x1b", "\x07", "\x9b"} & set(out)
    if fmt == "json":  # escaped as JSON escapes, and the same text once parsed
        brief = json.loads(out)
        assert brief["actors"][1]["name"] == "Ilse\x1b[2J Brandt"
        assert brief["uncertainties"][0]["claim"] == HOSTILE_SENTENCES[3]
        assert brief["status"]["summary"] == answer["status"]["latest"]
    else:  # the sequences are defused, the words around them stay
        assert "The Harbor Council]0;pwned voted to close the pier." in out
        assert "Ilse[2J Brandt" in out and "It is not yet known[2J where" in out
        assert "The closure2J will last about three months." in out


# Options that would be silently ignored are refused at once, before any model is asked.


@pytest.mark.parametrize(
    ("extra", "env", "message"),
    [
        (["--meta", "--format", "markdown"], {},
         "--meta needs --format json (meta has no markdown form); drop one of them"),
        (["--meta", "--format", "text"], {},
         "--meta needs --format json (meta has no text form); drop one of them"),
        (["--backend", "local"], {},
         "--base-url is for the openai backend, not the local one; drop --backend local "
         "(or SUMMARIZER_BACKEND=local) to use that endpoint"),
        ([], {"SUMMARIZER_BACKEND": "local"},
         "--base-url is for the openai backend, not the local one; drop --backend local "
         "(or SUMMARIZER_BACKEND=local) to use that endpoint"),
    ],
    ids=["meta-markdown", "meta-text", "base-url-local", "base-url-local-env"],
)  # fmt: skip
def test_an_option_that_would_be_ignored_exits_2_before_the_model(
    extra: list[str],
    env: dict[str, str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Were the local backend reached, it would fail at once (exit 3) and start nothing.
    monkeypatch.setenv("SUMMARIZER_LLAMA_SERVER", str(tmp_path / "no-such-llama-server"))
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(summarizer._engine._llama_server, "_shared", None)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with FakeOpenAI([reply_json(draft())], max_requests=5, lifetime_s=10.0) as srv:
        code = _exit_code(["brief", PORT_STRIKE, "--base-url", srv.base_url, "-m", "m", *extra])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"summarizer: error: {message}\n"
    assert srv.requests == []


def test_meta_without_format_means_json_even_on_a_terminal(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    main_end, terminal = pty.openpty()
    with FakeOpenAI([reply_json(draft())], max_requests=5, lifetime_s=20.0) as srv:
        proc = subprocess.Popen(
            [sys.executable, "-m", "summarizer", "brief", str(article), "--meta",
             "--backend", "openai", "--base-url", srv.base_url, "-m", "fake-model"],
            stdout=terminal, stderr=subprocess.DEVNULL, cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        )  # fmt: skip
        os.close(terminal)
        shown = b""
        # Read while it runs (a full terminal would block it); EIO once it has exited.
        with contextlib.suppress(OSError):
            while chunk := os.read(main_end, 65536):
                shown += chunk
        os.close(main_end)
        proc.wait(timeout=60)
    assert proc.returncode == 0, shown
    payload = json.loads(shown.decode())
    assert set(payload) == {"brief", "meta", "evidence", "source"}
    assert [a["name"] for a in payload["brief"]["actors"]] == ACTORS
