"""Bad input through the command line: exit code, one clear line on stderr, no traceback.

In-process through `summarizer._cli.main`, with one real `python -m summarizer`
subprocess. Where a model answer is needed it comes from FakeOpenAI on loopback;
where input must be refused, the fake server also proves no request was sent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from drafts import ACTORS, ARTICLE, SENTENCES, VALID, draft
from fakeopenai import Action, FakeOpenAI, reply_json, status

import summarizer._engine._llama_server
from summarizer._cli import main
from summarizer._config import MODEL_CONTEXT, resolve
from summarizer._pipeline._length import PROMPT_OVERHEAD_TOKENS

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(200)


@pytest.fixture
def srv() -> Iterator[FakeOpenAI]:
    """A model that would answer well: any refusal below is the input's, not the model's."""
    with FakeOpenAI([reply_json(VALID)], max_requests=10, lifetime_s=10.0) as server:
        yield server


def model_args(base_url: str) -> list[str]:
    return ["--backend", "openai", "--base-url", base_url, "-m", "fake-model"]


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, phrase: str) -> None:
    assert err.startswith("summarizer: error: "), err
    assert err.endswith("\n") and err.count("\n") == 1, err  # exactly one line
    assert "Traceback" not in err
    assert phrase in err, err


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"", "is empty"),
        (b"  \n\t\n   \r\n\n", "is empty"),
        (PNG, "looks like binary data"),
        ("Le maire de Besançon a déclaré que la rénovation était finie.".encode("latin-1"),
         "is not valid UTF-8"),
    ],
    ids=["empty", "whitespace", "binary", "latin1"],
)  # fmt: skip
def test_unusable_file_exits_2_without_asking_the_model(
    data: bytes, phrase: str, tmp_path: Path, srv: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "article.txt", data)
    code, out, err = cli(["brief", path, *model_args(srv.base_url)], capsys)
    assert code == 2
    assert_one_line_error(err, phrase)
    assert path in err  # says which input
    assert out == ""
    assert srv.requests == []


def test_latin1_message_says_how_to_convert(
    tmp_path: Path, srv: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.txt", "Café de la Paix fermé.".encode("latin-1"))
    _, _, err = cli(["brief", path, *model_args(srv.base_url)], capsys)
    assert "byte 0xE9" in err and "iconv" in err


@pytest.mark.parametrize(
    ("name", "phrase"), [("missing.txt", "file not found"), ("folder", "is a directory")]
)
def test_missing_file_or_directory_exits_2(
    name: str,
    phrase: str,
    tmp_path: Path,
    srv: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "folder").mkdir()
    code, out, err = cli(["brief", str(tmp_path / name), *model_args(srv.base_url)], capsys)
    assert code == 2
    assert_one_line_error(err, phrase)
    assert out == "" and srv.requests == []


@pytest.fixture
def no_llama_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Any attempt to start the local server fails at once (exit 3), and touches nothing."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("SUMMARIZER_LLAMA_SERVER", str(tmp_path / "no-such-llama-server"))
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(cache))
    monkeypatch.setattr(summarizer._engine._llama_server, "_shared", None)  # none already running
    return cache


def test_a_local_server_start_attempt_would_exit_3(
    no_llama_server: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The control for the next test: with this setup, reaching the server start is exit 3.
    path = write(tmp_path / "short.txt", ARTICLE.encode())
    code, _, err = cli(["brief", path, "--backend", "local"], capsys)
    assert code == 3
    assert_one_line_error(err, "llama-server not found")


def test_article_too_long_for_the_local_model_exits_2_before_any_server_start(
    no_llama_server: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paragraph = " ".join(SENTENCES) + "\n\n"
    text = paragraph * (200_000 // len(paragraph) + 1)
    assert len(text) >= 200_000
    path = write(tmp_path / "long.txt", text.encode())
    code, out, err = cli(["brief", path, "--backend", "local"], capsys)
    assert code == 2
    assert_one_line_error(err, "too long for this model")
    settings = resolve(backend="local")
    limit = MODEL_CONTEXT - settings.max_tokens - PROMPT_OVERHEAD_TOKENS
    assert f"local model's {MODEL_CONTEXT}-token context holds {limit} " in err
    assert out == ""
    assert not no_llama_server.exists()  # no model joined, no server log opened


def test_html_is_reduced_to_text_before_it_reaches_the_model(
    tmp_path: Path, srv: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    second = SENTENCES[1].replace('"', "&quot;")
    page = (
        "<!DOCTYPE html>\n<html><head><title>Velmora Daily</title>"
        "<style>p { color: red; }</style>"
        '<script>var tracker = "SCRIPT-PAYLOAD";</script></head>\n'
        "<body><nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>\n"
        f"<article><p>{SENTENCES[0]}\n{second}</p>\n"
        f"<p>{SENTENCES[2]} <b>{SENTENCES[3]}</b></p></article>\n"
        "<footer>Copyright Velmora Daily</footer></body></html>\n"
    )
    path = write(tmp_path / "story.html", page.encode())
    code, out, err = cli(["brief", path, "--format", "json", *model_args(srv.base_url)], capsys)
    assert code == 0, err
    assert [a["name"] for a in json.loads(out)["actors"]] == ACTORS

    (request,) = srv.chat_requests
    user = request.json["messages"][1]["content"]
    for i, sentence in enumerate(SENTENCES, 1):
        assert f"{i} {sentence}" in user.splitlines()  # entities decoded, one sentence a line
    for leftover in ("<p>", "</p>", "<b>", "<html", "<script", "SCRIPT-PAYLOAD", "color: red",
                     "&quot;", "Home", "Copyright", "href"):  # fmt: skip
        assert leftover not in user


def test_output_into_a_missing_directory_exits_2_and_creates_nothing(
    tmp_path: Path, srv: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    article = write(tmp_path / "a.txt", ARTICLE.encode())
    target = tmp_path / "missing" / "brief.json"
    code, out, err = cli(["brief", article, "-o", str(target), *model_args(srv.base_url)], capsys)
    assert code == 2
    assert_one_line_error(err, "cannot write")
    assert str(target) in err
    assert out == ""
    assert not target.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


@pytest.mark.parametrize(
    ("script", "extra", "exit_code", "phrase"),
    [
        (None, [], 3, "connection failed"),  # nothing listening
        ([status(401)], [], 3, "HTTP 401"),
        ([reply_json(draft(["Konrad Vesh"]))], ["--max-attempts", "1"], 4, "no valid brief"),
    ],
    ids=["unreachable", "refused", "no-valid-brief"],
)
def test_a_failed_run_leaves_the_existing_output_untouched(
    script: list[Action] | None,
    extra: list[str],
    exit_code: int,
    phrase: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SUMMARIZER_MAX_RETRIES", "0")
    article = write(tmp_path / "a.txt", ARTICLE.encode())
    target = tmp_path / "brief.json"
    target.write_text('{"previous": "brief"}\n')
    before = target.stat()
    with FakeOpenAI(script or [status(500)], lifetime_s=10.0) as fake:
        if script is None:
            fake.close()  # the port now refuses connections
        args = ["brief", article, "-o", str(target), *extra, *model_args(fake.base_url)]
        code, out, err = cli(args, capsys)
    assert code == exit_code
    assert_one_line_error(err, phrase)
    assert out == ""
    assert target.read_text() == '{"previous": "brief"}\n'
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "brief.json"]  # no temp


def test_binary_on_stdin_in_a_real_process(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "summarizer", "brief", "-", "--backend", "openai",
         "--base-url", "http://127.0.0.1:9/v1"],
        input=PNG, capture_output=True, cwd=ROOT, env=env, timeout=60,
    )  # fmt: skip
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert_one_line_error(err, "standard input looks like binary data")
    assert proc.stdout == b""
