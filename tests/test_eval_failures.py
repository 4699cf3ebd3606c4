"""`eval` and `bench` when cases or requests fail: recorded, the run goes on, no key leaks.

Real CLI (in-process, or a real subprocess where stderr and logging must be seen whole),
real files, and the scripted OpenAI-compatible server on loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from fakeopenai import Action, FakeOpenAI, drop, hang, malformed, reply, reply_json, status
from test_eval import ARTICLE, GOLD, corpus, draft, run_eval

from summarizer._cli import main

SECRET = "sk-secret-123"
PIPELINES = ("pipeline", "plain", "naive")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run from a scratch folder: a bench without -o must write nothing in the repo
    # (older code wrote ./bench/REPORT.md, over the committed report).
    monkeypatch.chdir(tmp_path)


def _record(out: Path, *parts: str) -> dict[str, Any]:
    data = json.loads(out.joinpath(*parts).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _exit_code(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exc:  # argparse
        return int(exc.code or 0)


def _bench_args(folder: Path, out: Path, srv: FakeOpenAI, *extra: str) -> list[str]:
    return ["bench", str(folder), "--out-dir", str(out), "--backend", "openai",
            "--base-url", srv.base_url, "-m", "fake", *extra]  # fmt: skip


# ---- eval ------------------------------------------------------------------------------


def test_bad_gold_and_bad_article_are_recorded_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path, ["a"])
    bad_gold = {
        "array": b"[]",
        "number": b"3",
        "broken": b'{"categories": [',
        "keys": json.dumps({"categories": [], "phases": []}).encode(),
    }
    for name, data in bad_gold.items():
        (folder / f"{name}.txt").write_text(ARTICLE)
        (folder / f"{name}.gold.json").write_bytes(data)
    (folder / "latin1.txt").write_bytes("Caf\xe9 talks in Port Kalvessa.".encode("latin-1"))
    (folder / "latin1.gold.json").write_text(json.dumps(GOLD))
    (folder / "orphan.gold.json").write_text(json.dumps(GOLD))  # no orphan.txt
    out = tmp_path / "out"
    with FakeOpenAI([reply_json(draft())]) as srv:
        code = run_eval(srv, folder, out)
        assert len(srv.chat_requests) == 1  # only the good case reached the model
    assert code == 4
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert (result["summary"]["cases"], result["summary"]["valid"]) == (7, 1)
    errors = {c["case"]: c["error"] for c in result["cases"]}
    assert errors["a"] is None
    for name in bad_gold:
        assert errors[name]["kind"] == "bad_gold" and errors[name]["exit_code"] == 2, name
    assert "a JSON list, not an object" in errors["array"]["message"]
    assert "a JSON int, not an object" in errors["number"]["message"]
    assert "not valid JSON" in errors["broken"]["message"]
    assert "actors, uncertainties, absent missing or not a list" in errors["keys"]["message"]
    assert (errors["latin1"]["kind"], errors["latin1"]["exit_code"]) == ("input", 2)
    assert errors["latin1"]["message"].startswith(
        f"{folder / 'latin1.txt'} is not valid UTF-8 (byte 0xE9 at byte offset 3); "
    )
    assert errors["orphan"]["kind"] == "input" and "orphan.txt" in errors["orphan"]["message"]
    saved = _record(out, "array.json")
    assert saved["brief"] is None and saved["error"] == errors["array"]
    assert saved["meta"] == {
        "attempts": 0,
        "usage": {"prompt_tokens": 0, "completion_tokens": 0},
        "latency_s": 0.0,
        "validation_errors": [],
    }
    assert "6 of 7 case(s) have no brief" in captured.err


def test_out_naming_a_file_is_a_usage_error_before_any_model_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path, ["a"])
    taken = tmp_path / "notes.txt"
    taken.write_text("mine\n")
    with FakeOpenAI([reply_json(draft())]) as srv:
        assert run_eval(srv, folder, taken) == 2
        assert main(_bench_args(folder, taken, srv)) == 2
        report_dir = tmp_path / "adir"
        report_dir.mkdir()
        args = _bench_args(folder, tmp_path / "b", srv, "-o", str(report_dir))
        assert main(args) == 2
        assert srv.chat_requests == []
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"summarizer: error: --out-dir {taken}: is a file, not a folder; name a folder for the "
        "records",
        f"summarizer: error: --out-dir {taken}: is a file, not a folder; name a folder for the "
        "records",
        f"summarizer: error: -o {report_dir}: is a folder; -o names the report file to write "
        "(the folder for the per-case records is --out-dir)",
    ]
    assert taken.read_text() == "mine\n"


def test_resume_redoes_failed_cases_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path, ["a", "b"])
    out = tmp_path / "out"
    # a: refused (HTTP 400, not retried); b and every request after: a valid draft.
    with FakeOpenAI([status(400), reply_json(draft())]) as srv:
        assert run_eval(srv, folder, out) == 4
        assert len(srv.chat_requests) == 2
        b_written = (out / "b.json").stat().st_mtime_ns
        assert run_eval(srv, folder, out, "--resume") == 0
        assert len(srv.chat_requests) == 3  # a again; b reused
    assert (out / "b.json").stat().st_mtime_ns == b_written
    assert _record(out, "a.json")["brief"] is not None
    capsys.readouterr()


def test_resume_redoes_a_record_with_an_old_string_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path, ["a"])
    out = tmp_path / "out"
    out.mkdir()
    old = {"brief": None, "error": "TransportError: the model endpoint answered HTTP 503"}
    (out / "a.json").write_text(json.dumps({**old, "meta": {}}))
    with FakeOpenAI([reply_json(draft())]) as srv:
        assert run_eval(srv, folder, out, "--resume") == 0
        assert len(srv.chat_requests) == 1
    capsys.readouterr()


def test_an_old_string_error_is_read_as_the_typed_shape() -> None:
    from summarizer._evaluation._eval import CaseError  # here, so the other tests run on older code

    assert CaseError.from_saved("TransportError: answered HTTP 503") == CaseError(
        "transport", "answered HTTP 503", 3
    )
    assert CaseError.from_saved("NoValidBriefError: no valid brief") == CaseError(
        "no_valid_brief", "no valid brief", 4
    )
    assert CaseError.from_saved("KeyError: 'x'") == CaseError("error", "KeyError: 'x'", 1)
    assert CaseError.from_saved({"kind": "input", "message": "m", "exit_code": 2}) == CaseError(
        "input", "m", 2
    )
    assert CaseError.from_saved(None) is None


def test_eval_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["eval", "--help"]) == 0
    assert "4 the run finished but some case has no brief" in " ".join(
        capsys.readouterr().out.split()
    )


@pytest.mark.parametrize("command", ["eval", "bench"])
@pytest.mark.parametrize("limit", ["-1", "0", "two"])
def test_limit_must_be_a_positive_count(
    command: str, limit: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path, ["a", "b"])
    with FakeOpenAI([reply_json(draft())]) as srv:
        args = _bench_args(folder, tmp_path / "out", srv, "--limit", limit)
        args[0] = command
        assert _exit_code(args) == 2
        assert srv.chat_requests == []
    err = capsys.readouterr().err
    assert err.startswith("summarizer: error: Invalid value for '--limit': ")
    assert err.endswith(f" (see `summarizer {command} --help`)\n")
    assert len(err.splitlines()) == 1


# ---- bench -----------------------------------------------------------------------------


def test_bench_never_shows_the_api_key_and_records_every_refusal(tmp_path: Path) -> None:
    folder = corpus(tmp_path, ["a", "b"])
    out = tmp_path / "b"
    refused = status(401, body={"error": {"message": f"Incorrect API key provided: {SECRET}"}})
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    with FakeOpenAI([refused]) as srv:
        proc = subprocess.run(
            [sys.executable, "-m", "summarizer", *_bench_args(folder, out, srv)],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
            env={**env, "OPENAI_API_KEY": SECRET},
        )  # fmt: skip
        # Each pipeline sent one request for each case (a 401 is not retried), with the key.
        assert len(srv.chat_requests) == 6
        assert {r.headers["authorization"] for r in srv.chat_requests} == {f"Bearer {SECRET}"}
    assert proc.returncode == 3, proc.stderr
    assert SECRET not in proc.stdout and SECRET not in proc.stderr
    written = sorted(p for p in out.rglob("*") if p.is_file())
    assert [p.relative_to(out).as_posix() for p in written] == [
        "REPORT.md", "naive/a.json", "naive/b.json", "pipeline/a.json", "pipeline/b.json",
        "plain/a.json", "plain/b.json",
    ]  # fmt: skip
    assert not any(SECRET in p.read_text() for p in written)
    for name in PIPELINES:
        for case in ("a", "b"):
            record = _record(out, name, f"{case}.json")
            assert record["brief"] is None
            error = record["error"]
            assert isinstance(error, dict) and (error["kind"], error["exit_code"]) == (
                "transport",
                3,
            )
            assert "HTTP 401 after 1 request(s)" in error["message"]
            meta = record["meta"]
            assert isinstance(meta, dict) and meta["attempts"] == 1, (name, case)
            assert meta["usage"] == {"prompt_tokens": 0, "completion_tokens": 0}
    assert "| valid briefs | 0.00 | 0.00 | 0.00 |" in proc.stdout
    assert "| mean attempts | 1.00 | 1.00 | 1.00 |" in proc.stdout
    assert "Runs that got no answer (6)" in proc.stdout
    assert proc.stderr == (
        f"summarizer: 6 run(s) got no answer (listed in {out / 'REPORT.md'}); "
        "rerun with --resume to redo only those\n"
    )


def test_bench_records_a_dropped_connection_and_a_rate_limit_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path, ["a", "b"])
    out = tmp_path / "b"
    good = reply_json(draft())
    # Requests in order: a: pipeline, plain, naive + its re-ask; b: pipeline, plain, naive.
    script: list[Action] = [
        good,
        drop(),
        good,
        good,
        good,
        good,
        status(429, headers={"Retry-After": "0"}),
    ]
    with FakeOpenAI([*script, good]) as srv:
        assert main(_bench_args(folder, out, srv, "--max-retries", "0")) == 3
        assert len(srv.chat_requests) == 7
        text = (out / "REPORT.md").read_text()
        # Only the two failed runs are done again: plain on a (1), naive on b (answer + re-ask).
        assert main(_bench_args(folder, out, srv, "--max-retries", "0", "--resume")) == 0
        assert len(srv.chat_requests) == 10
    assert "| valid briefs | 1.00 | 0.00 | 0.00 |" in text
    assert "Runs that got no answer (2)" in text
    assert "- a, plain: plain baseline: the model endpoint connection failed after 1" in text
    assert "- b, naive: naive baseline: the model endpoint answered HTTP 429 after 1" in text
    assert "error" not in _record(out, "plain", "a.json")  # redone: an answer, if invalid
    assert _record(out, "naive", "a.json")["meta"]["attempts"] == 2
    assert "- records: 4 of 6 reused" in (out / "REPORT.md").read_text()
    capsys.readouterr()


def test_bench_records_the_pipelines_own_failure_with_its_cost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path, ["a"])
    out = tmp_path / "b"
    with FakeOpenAI([reply("this is not JSON")]) as srv:
        assert main(_bench_args(folder, out, srv, "--max-attempts", "1")) == 0
        assert len(srv.chat_requests) == 4  # pipeline 1, plain 1, naive answer + re-ask
    record = _record(out, "pipeline", "a.json")
    error = record["error"]
    assert isinstance(error, dict) and (error["kind"], error["exit_code"]) == ("no_valid_brief", 4)
    meta = record["meta"]
    assert isinstance(meta, dict)
    assert (meta["attempts"], meta["usage"]) == (1, {"prompt_tokens": 100, "completion_tokens": 50})
    text = (out / "REPORT.md").read_text()
    assert "| mean attempts | 1.00 | 1.00 | 2.00 |" in text
    assert "| mean completion tokens | 50 | 50 | 100 |" in text
    assert "Runs that got no answer" not in text  # no valid brief is a measured result
    capsys.readouterr()


def test_bench_writes_its_report_in_the_out_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path, ["a"])
    (folder / "bad.txt").write_text(ARTICLE)
    (folder / "bad.gold.json").write_text("[]")
    work = tmp_path / "repo"
    (work / "bench").mkdir(parents=True)
    (work / "bench" / "REPORT.md").write_text("committed report\n")
    monkeypatch.chdir(work)
    with FakeOpenAI([reply_json(draft())]) as srv:
        assert main(_bench_args(folder, Path("bench-out"), srv)) == 2  # the bad gold
        assert len(srv.chat_requests) == 4  # case a only
    assert (work / "bench" / "REPORT.md").read_text() == "committed report\n"
    text = (work / "bench-out" / "REPORT.md").read_text()
    assert "| valid briefs | 0.50 | 0.00 | 0.00 |" in text
    for name in PIPELINES:
        error = _record(work / "bench-out", name, "bad.json")["error"]
        assert isinstance(error, dict) and error["kind"] == "bad_gold"
    capsys.readouterr()


def test_bench_records_malformed_bodies_and_timeouts_of_the_baselines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path, ["a", "b"])
    out = tmp_path / "b"
    good = reply_json(draft())
    not_a_completion = status(200, body={"object": "not a completion"})
    # a: pipeline, plain (body not JSON), naive (JSON, not a chat completion);
    # b: pipeline, plain (not a chat completion), naive (no answer within --timeout).
    script = [good, malformed(), not_a_completion, good, not_a_completion, hang(5)]
    with FakeOpenAI([*script, good]) as srv:
        assert main(_bench_args(folder, out, srv, "--timeout", "1")) == 3
        assert len(srv.chat_requests) == 6
    expected = {
        ("a", "plain"): "sent a malformed response",
        ("a", "naive"): "sent a malformed response",
        ("b", "plain"): "sent a malformed response",
        ("b", "naive"): "timed out",
    }
    for (case, name), what in expected.items():
        record = _record(out, name, f"{case}.json")
        assert record["error"] == {
            "kind": "transport",
            "message": f"{name} baseline: the model endpoint {what} after 1 request(s)",
            "exit_code": 3,
        }
        assert record["meta"]["attempts"] == 1
    assert "error" not in _record(out, "pipeline", "a.json")
    capsys.readouterr()
