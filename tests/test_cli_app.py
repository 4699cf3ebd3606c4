"""The click command line itself: help, version, --debug anywhere, usage errors, -o vs
--out-dir, shell completion, and what loading it imports (real subprocesses for those)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from fakeopenai import FakeOpenAI, reply_json
from test_eval import corpus, draft

from summarizer import __version__
from summarizer._cli import main

MISSING = "/no/such/article.txt"


def _python(
    code: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PYTHONPATH": str(ROOT),
             **(env or {})},
    )  # fmt: skip


def test_bare_summarizer_prints_help_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Usage: summarizer [OPTIONS] [COMMAND]")
    for command in ("brief", "schema", "eval", "bench", "server"):
        assert f"\n  {command} " in out
    assert err == ""


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"summarizer {__version__}\n"


@pytest.mark.parametrize(
    "args",
    [["--debug", "brief", MISSING], ["brief", MISSING, "--debug"], ["brief", "--debug", MISSING]],
    ids=["before", "after", "between"],
)
def test_debug_is_accepted_before_and_after_the_command(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "InputError" in err
    assert err.splitlines()[-1].startswith("summarizer: error: ")


def test_without_debug_an_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["brief", MISSING]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_debug_is_accepted_on_server_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path))
    assert main(["server", "status", "--debug"]) == 3
    assert main(["server", "--debug", "stop"]) == 0
    out = capsys.readouterr().out
    assert "not running" in out and "was not running" in out


@pytest.mark.parametrize(
    ("args", "needle", "where"),
    [
        (["server", "restart"], "No such command 'restart'", "summarizer server"),
        (["server", "start", "--bogus"], "No such option '--bogus'", "summarizer server start"),
        (["server", "status", "extra"], "unexpected extra argument", "summarizer server status"),
        (["server", "stop", "--llama-server", "x"], "No such option", "summarizer server stop"),
        (["frobnicate"], "No such command 'frobnicate'", "summarizer"),
    ],
)
def test_usage_errors_exit_2_in_one_line(
    args: list[str], needle: str, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("summarizer: error: ") and needle in err
    assert err.endswith(f"(see `{where} --help`)\n")


def test_bare_server_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["server"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: summarizer server")
    assert all(f"\n  {name} " in out for name in ("start", "stop", "status"))


# ---- -o is a file, --out-dir a folder -------------------------------------------------------


def test_eval_writes_records_in_out_dir_and_the_report_to_o(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path, ["a"])
    records, report = tmp_path / "records", tmp_path / "report.json"
    with FakeOpenAI([reply_json(draft())]) as srv:
        code = main(
            ["eval", str(folder), "--out-dir", str(records), "-o", str(report), "--json",
             "--backend", "openai", "--base-url", srv.base_url, "-m", "fake"]
        )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out == ""  # the report went to the file
    assert json.loads(report.read_text())["summary"]["cases"] == 1
    assert sorted(p.name for p in records.iterdir()) == ["a.json"]


def test_eval_o_naming_a_folder_says_what_moved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path, ["a"])
    old_style = tmp_path / "eval-out"
    old_style.mkdir()
    with FakeOpenAI([reply_json(draft())]) as srv:
        code = main(
            ["eval", str(folder), "-o", str(old_style), "--backend", "openai",
             "--base-url", srv.base_url, "-m", "fake"]
        )  # fmt: skip
        assert srv.chat_requests == []  # refused before any model call
    assert code == 2
    assert capsys.readouterr().err == (
        f"summarizer: error: -o {old_style}: is a folder; -o names the report file to write "
        "(the folder for the per-case records is --out-dir)\n"
    )
    assert list(old_style.iterdir()) == []


# ---- real subprocesses: completion, and what loading the CLI imports ------------------------


def test_bash_completion_through_the_module_entry_point() -> None:
    run = "import runpy; runpy.run_module('summarizer', run_name='__main__')"
    script = _python(run, env={"_SUMMARIZER_COMPLETE": "bash_source"})
    assert script.returncode == 0, script.stderr
    assert "_summarizer_completion()" in script.stdout
    assert "complete -o nosort -F _summarizer_completion summarizer" in script.stdout
    words = _python(
        run,
        env={"_SUMMARIZER_COMPLETE": "bash_complete", "COMP_WORDS": "summarizer se",
             "COMP_CWORD": "1"},
    )  # fmt: skip
    assert words.returncode == 0, words.stderr
    assert words.stdout.split() == ["plain,server"]


# The package root imports the API (and so openai) today; the CLI modules themselves must
# not. This loads them under a bare package root, as `import summarizer` will be once the
# root imports the API lazily, and runs the cheap commands.
_UNDER_A_BARE_ROOT = """
import sys, types
root = types.ModuleType("summarizer")
root.__path__ = [sys.argv[1] + "/summarizer"]
root.__version__ = "0"
sys.modules["summarizer"] = root
from summarizer._cli import main
code = main(sys.argv[2:])
heavy = sorted(m for m in ("openai", "instructor", "pydantic", "httpx") if m in sys.modules)
print("HEAVY=" + ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.parametrize(
    ("args", "code", "allowed"),
    [
        (["--help"], 0, ""),
        (["brief", "--help"], 0, ""),
        (["bench", "x", "--limit", "0"], 2, ""),
        (["server", "status"], 3, ""),
        (["schema"], 0, "pydantic"),
    ],
    ids=["help", "brief-help", "usage-error", "server-status", "schema"],
)
def test_cheap_commands_import_no_openai(
    args: list[str], code: int, allowed: str, tmp_path: Path
) -> None:
    proc = _python(
        _UNDER_A_BARE_ROOT, str(ROOT), *args, env={"SUMMARIZER_CACHE_DIR": str(tmp_path)}
    )
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.splitlines()[-1] == f"HEAVY={allowed}"


def test_help_through_the_real_package_imports_no_openai() -> None:
    proc = _python(
        "import sys; from summarizer._cli import main; main(['--help']); "
        "print('openai' in sys.modules, 'instructor' in sys.modules)"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "False False"


def test_module_entry_point_exits_with_the_code(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "summarizer", "server", "status"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
             "SUMMARIZER_CACHE_DIR": str(tmp_path)},
    )  # fmt: skip
    assert proc.returncode == 3
    assert proc.stdout.startswith("summarizer server: not running")


def test_deadline_reaches_the_call(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A deadline already spent: the call gives up before asking for a second answer.
    article = ROOT / "examples" / "port_strike.txt"
    bad = reply_json({"event": {}})  # never valid: each answer would be re-asked
    with FakeOpenAI([bad, bad, bad]) as srv:
        args = ["brief", str(article), "--backend", "openai", "--base-url", srv.base_url,
                "-m", "m", "--no-cache", "--max-answers", "3"]  # fmt: skip
        assert main([*args, "--deadline", "0.001"]) in (3, 4)
        asked = len(srv.chat_requests)
    assert asked <= 1
    assert main([*args, "--deadline", "-1"]) == 2
    assert "deadline" in capsys.readouterr().err
