"""Real pages in: `brief URL`, `extract`, the source travelling with the brief, and articles
longer than the model's context (a remote server's refusal, the local server's size).

Pages are served by a real HTTP server on loopback; the model is tests/fakeopenai.py.
"""

from __future__ import annotations

import datetime
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from drafts import ARTICLE, VALID
from fakeopenai import FakeOpenAI, reply_json, status

from summarizer import Page, Source, Summarizer, read_source
from summarizer._cli import main
from summarizer._config import MIN_CONTEXT, MODEL_CONTEXT, resolve, server_context
from summarizer._engine._background import _Record
from summarizer._errors import ArticleTooLongError
from summarizer._output._render import as_markdown, as_text, when_shown
from summarizer._pipeline._length import check_length, context_needed

PAGE = f"""<!doctype html><html lang="en"><head>
<title>Ferry pier to close | Velmora Courier</title>
<meta property="og:title" content="Ferry pier to close for repairs">
<meta property="og:site_name" content="The Velmora Courier">
<meta name="author" content="Ilse Marrow">
<meta property="article:published_time" content="2026-03-03T09:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="cookie-banner">We use cookies. <button>Accept all cookies</button></div>
<article><h1>Ferry pier to close for repairs</h1>
<p>{ARTICLE}</p></article>
<aside><h2>Related</h2><ul><li><a href="/x">Tram line delayed again</a></li></ul></aside>
<footer>© 2026 Velmora Courier. All rights reserved.</footer>
</body></html>""".encode()


class Site(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        routes = {
            "/story": (200, PAGE, "text/html; charset=utf-8"),
            "/gone": (404, b"<p>no</p>", "text/html"),
            "/pdf": (200, b"%PDF-1.7\n", "application/pdf"),
            "/error": (500, b"<p>oops</p>", "text/html"),
        }
        code, body, kind = routes.get(self.path, (404, b"", "text/html"))
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def model() -> Iterator[FakeOpenAI]:
    with FakeOpenAI([reply_json(VALID)], max_requests=10, lifetime_s=20.0) as server:
        yield server


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def with_model(srv: FakeOpenAI) -> list[str]:
    return ["--backend", "openai", "--base-url", srv.base_url, "-m", "fake"]


# ---- brief URL ------------------------------------------------------------------------------


def test_brief_of_a_url_carries_the_page_source_in_meta(
    site: str, model: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["brief", f"{site}/story", "--meta", *with_model(model)], capsys)
    assert code == 0, err
    payload = json.loads(out)
    assert payload["source"] == {
        "origin": f"{site}/story",
        "url": f"{site}/story",
        "title": "Ferry pier to close for repairs",
        "author": "Ilse Marrow",
        "published": "2026-03-03",
        "site": "The Velmora Courier",
        "canonical_url": f"{site}/story",
        "language": "en",
    }
    assert payload["brief"]["event"]["when"] == "Tuesday"  # the article's words, unchanged
    sent = json.dumps(model.chat_requests[0].json)
    assert "pier had become" in sent
    assert (
        "Accept all cookies" not in sent and "Tram line" not in sent and "Ilse Marrow" not in sent
    )


def test_text_brief_of_a_url_shows_the_source_and_the_date_beside_a_relative_time(
    site: str, model: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["brief", f"{site}/story", "-f", "text", *with_model(model)], capsys)
    assert code == 0, err
    assert (
        "Source: Ferry pier to close for repairs, The Velmora Courier, by Ilse Marrow, "
        f"published 2026-03-03\n  {site}/story\n"
    ) in out
    assert "When/where: Tuesday (page published 2026-03-03), Velmora" in out


def test_a_plain_file_brief_has_no_source_lines(
    tmp_path: Path, model: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)
    code, out, err = run(["brief", str(path), "-f", "text", *with_model(model)], capsys)
    assert code == 0, err
    assert "Source:" not in out and "When/where: Tuesday, Velmora" in out


@pytest.mark.parametrize(
    ("path", "code", "phrase"),
    [("/gone", 2, "HTTP 404"), ("/pdf", 2, "not a web page"), ("/error", 3, "HTTP 500")],
)
def test_a_url_that_cannot_be_briefed_is_one_line_with_its_exit_code(
    site: str,
    model: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    path: str,
    code: int,
    phrase: str,
) -> None:
    got, out, err = run(["brief", site + path, *with_model(model)], capsys)
    assert (got, out) == (code, "")
    assert err.startswith("summarizer: error: ") and err.count("\n") == 1 and phrase in err
    assert model.chat_requests == []  # refused before any model call


# ---- extract --------------------------------------------------------------------------------


def test_extract_prints_the_text_the_model_sees(
    site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["extract", f"{site}/story"], capsys)
    assert code == 0, err
    assert out == read_source(f"{site}/story").text + "\n"
    assert "pier had become" in out and "cookies" not in out and "Related" not in out


def test_extract_json_gives_text_and_metadata(
    site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["extract", "--json", f"{site}/story"], capsys)
    assert code == 0, err
    payload = json.loads(out)
    assert "pier had become" in payload["text"]
    assert payload["source"]["published"] == "2026-03-03"
    assert payload["source"]["site"] == "The Velmora Courier"


def test_extract_of_a_missing_page_exits_2(site: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["extract", f"{site}/gone"], capsys)
    assert (code, out) == (2, "") and "HTTP 404" in err


# ---- the library ----------------------------------------------------------------------------


def test_a_page_briefed_by_the_library_keeps_its_source(site: str, model: FakeOpenAI) -> None:
    page = read_source(f"{site}/story")
    assert isinstance(page, Page) and isinstance(page.source, Source)
    with Summarizer(backend="openai", base_url=model.base_url, model="fake") as s:
        result = s.brief_detailed(page)
        bare = s.brief_detailed(page.text)
    assert result.source == page.source and result.source.published == datetime.date(2026, 3, 3)
    assert bare.source is None and bare.brief == result.brief


def test_when_shown_adds_the_date_to_relative_times_only() -> None:
    source = Source(origin="x", published=datetime.date(2026, 3, 3))
    assert when_shown("last week", source) == "last week (page published 2026-03-03)"
    assert when_shown("on Tuesday", source) == "on Tuesday (page published 2026-03-03)"
    assert when_shown("yesterday evening", source).endswith("(page published 2026-03-03)")
    assert when_shown("3 March 2026", source) == "3 March 2026"
    assert when_shown("Tuesday", None) == "Tuesday"
    assert when_shown("Tuesday", Source(origin="x")) == "Tuesday"


def test_markdown_shows_the_source(site: str, model: FakeOpenAI) -> None:
    with Summarizer(backend="openai", base_url=model.base_url, model="fake") as s:
        result = s.brief_detailed(read_source(f"{site}/story"))
    text = as_markdown(result.brief, (), result.source)
    assert "*Source:* Ferry pier to close for repairs, The Velmora Courier, by Ilse Marrow" in text
    assert "*When:* Tuesday (page published 2026-03-03)" in text
    assert "Source:" not in as_text(result.brief) and "(page published" not in as_text(result.brief)


# ---- long articles --------------------------------------------------------------------------


def test_the_local_context_is_sized_to_the_call() -> None:
    assert server_context(2_000, None) == MIN_CONTEXT == 8192
    assert server_context(8_193, None) == 16384
    assert server_context(20_000, None) == MODEL_CONTEXT
    assert server_context(90_000, None) == MODEL_CONTEXT
    assert server_context(20_000, 4096) == 4096  # a configured size is kept
    settings = resolve(backend="local")
    words = "The council met again and the mayor spoke at length about the pier. " * 700
    assert 12_000 < context_needed(words, settings) <= 32_768
    assert server_context(context_needed(words, settings), None) == 32768


def test_only_articles_beyond_the_model_limit_are_refused_naming_it() -> None:
    settings = resolve(backend="local")
    budget = MODEL_CONTEXT - settings.max_tokens - 600
    check_length("x" * int(budget * 3.0), settings)  # fits: no error (was refused at 8192)
    with pytest.raises(ArticleTooLongError, match="local model's 32768-token context") as info:
        check_length("x" * int(budget * 3.0 + 30), settings)
    assert info.value.exit_code == 2 and info.value.limit == budget
    with pytest.raises(ArticleTooLongError, match="configured 4096-token context"):
        check_length("x" * 10_000, resolve(backend="local", context_size=4096))


def test_a_background_server_context_is_read_from_its_command() -> None:
    record = _Record(pid=5, port=80, start_time=1, command=("s", "-c", "16384", "-np", "2"))
    assert record.server.context_size == 8192
    bare = _Record(pid=5, port=80, start_time=1, command=("s", "--port", "80"))
    assert bare.server.context_size is None


CONTEXT_ERRORS = [
    {"error": {"message": "This model's maximum context length is 8192 tokens. However, "
               "your messages resulted in 9000 tokens.", "type": "invalid_request_error",
               "code": "context_length_exceeded"}},
    {"error": {"code": 400, "message": "the request exceeds the available context size, try "
               "increasing it", "type": "exceed_context_size_error", "n_prompt_tokens": 9000,
               "n_ctx": 8192}},
    {"object": "error", "message": "This model's maximum context length is 4096 tokens. "
     "However, you requested 9000 tokens.", "type": "BadRequestError", "code": 400},
]  # fmt: skip


@pytest.mark.parametrize("body", CONTEXT_ERRORS, ids=["openai", "llama-server", "vllm"])
def test_a_context_length_refusal_is_exit_2_too_long_not_a_transport_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: dict[str, object]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)
    with FakeOpenAI([status(400, body=body)], max_requests=10, lifetime_s=20.0) as srv:
        code, out, err = run(["brief", str(path), *with_model(srv)], capsys)
        assert len(srv.chat_requests) == 1  # not retried: the same request would fail again
    assert (code, out) == (2, "")
    assert err.startswith("summarizer: error: article is too long for this model")
    assert err.count("\n") == 1


def test_another_400_stays_a_transport_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)
    with FakeOpenAI([status(400)], max_requests=10, lifetime_s=20.0) as srv:
        code, _, err = run(["brief", str(path), *with_model(srv)], capsys)
    assert code == 3 and "HTTP 400" in err


def test_the_process_server_grows_for_a_longer_article_and_only_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_background import FAKE_SERVER

    from summarizer._engine import _llama_server, _model_file

    binary = tmp_path / "llama-server"
    binary.write_text(FAKE_SERVER)
    binary.chmod(0o755)
    monkeypatch.setattr(_model_file, "ensure_model", lambda *a, **k: tmp_path / "m.gguf")
    monkeypatch.setattr(_llama_server, "_shared", None)
    said: list[str] = []
    small = _llama_server.shared_server(binary=str(binary), cache_dir=tmp_path, context_size=8192)
    try:
        again = _llama_server.shared_server(
            binary=str(binary), cache_dir=tmp_path, context_size=4096
        )
        assert again is small  # a smaller need never restarts it
        big = _llama_server.shared_server(
            binary=str(binary), cache_dir=tmp_path, context_size=32768, progress=said.append
        )
        assert big is not small and not small.running() and big.running()
        assert big.command()[big.command().index("-c") + 1] == "32768"
        assert any("with a 32768-token context (it had 8192)" in m for m in said)
    finally:
        small.stop()
        if _llama_server._shared is not None:
            _llama_server._shared.stop()


class Slots(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = json.dumps(
            [
                {"id": 0, "is_processing": False, "n_prompt_tokens_processed": 0},
                {
                    "id": 1,
                    "is_processing": True,
                    "n_prompt_tokens_processed": 4096,
                    "next_token": [{"n_decoded": 0}],
                },
                {
                    "id": 2,
                    "is_processing": True,
                    "n_prompt_tokens_processed": 9000,
                    "next_token": [{"n_decoded": 12}],  # writing: its prompt is read
                },
            ]
        ).encode()
        self.send_response(200 if self.path == "/slots" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_prompt_progress_reports_how_far_the_server_has_read() -> None:
    import time

    from summarizer._pipeline._watch import prompt_progress, read_progress

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slots)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/v1"
    said: list[str] = []
    try:
        assert read_progress(base) == 4096
        with prompt_progress(base, said.append, every=0.05):
            deadline = time.monotonic() + 20
            while not said and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        server.shutdown()
        server.server_close()
    assert said and said[0].startswith("reading the article: 4096 prompt tokens read in ")
    assert read_progress(base) is None  # nothing listening: no progress, no error
