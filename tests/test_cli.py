"""The command line, end to end: formats, output files, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, ROOT, Target
from test_briefs import exchanges

from summarizer.cli import main

PORT_STRIKE = str(EXAMPLES / "port_strike.txt")


def _model_args(llm: Target) -> list[str]:
    return ["--backend", "openai", "--base-url", llm.base_url, "-m", llm.model, "--llama-grammar"]


@pytest.mark.vcr
def test_brief_json_with_meta(llm: Target, vcr: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["brief", PORT_STRIKE, "--format", "json", "--meta", *_model_args(llm)])
    out, err = capsys.readouterr()
    assert code == 0, err
    payload = json.loads(out)
    assert set(payload) == {"brief", "meta"}
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
        (["brief"], "the following arguments are required"),
        (["brief", PORT_STRIKE, "--format", "pdf"], "invalid choice"),
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
