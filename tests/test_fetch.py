"""Tests for summarizer._input._fetch and _source: reading an article from a URL, against
a real HTTP server on loopback serving the pages in tests/pages and every failure."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from summarizer._errors import FetchError, PageRefusedError, PageUnreachableError
from summarizer._input._fetch import MAX_PAGE_BYTES, USER_AGENT, fetch
from summarizer._input._source import read_source

PAGE = (Path(__file__).resolve().parent / "pages" / "harbour_strike.html").read_bytes()
STORY = "About 2,000 dock workers walked out at Velmora harbour on Tuesday"
LATIN1_PAGE = (
    "<!doctype html><html><body><article><p>Le caf\xe9 du port a rouvert lundi apr\xe8s "
    "trois semaines de travaux, a dit la mairie.</p></article></body></html>"
).encode("latin-1")


class Handler(http.server.BaseHTTPRequestHandler):
    agents: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def send(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        Handler.agents.append(self.headers.get("User-Agent", ""))
        path = self.path
        if path == "/story":
            self.send(200, PAGE)
        elif path == "/moved":
            self.redirect("/story")
        elif path.startswith("/hop/"):
            self.redirect(f"/hop/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path in ("/gone", "/410"):
            self.send(404 if path == "/gone" else 410, b"<html><body>Not found</body></html>")
        elif path == "/forbidden":
            self.send(403, b"denied")
        elif path == "/error":
            self.send(500, b"<html><body>Internal error</body></html>")
        elif path == "/pdf":
            self.send(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
        elif path == "/latin1":
            self.send(200, LATIN1_PAGE, "text/html; charset=ISO-8859-1")
        elif path == "/meta-charset":
            body = LATIN1_PAGE.replace(b"<html>", b'<html><head><meta charset="windows-1252">')
            self.send(200, body, "text/html")
        elif path == "/wrong-charset":
            self.send(200, LATIN1_PAGE)  # says UTF-8, is Latin-1
        elif path == "/plain":
            self.send(200, "Plain story: the café reopened.\n".encode(), "text/plain")
        elif path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(MAX_PAGE_BYTES + 1))
            self.end_headers()  # and no body: the length alone must refuse it
        elif path == "/huge-stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no length: HTTP/1.0 body until close
            chunk = b"<p>" + b"x" * 65536 + b"</p>"
            try:
                for _ in range(MAX_PAGE_BYTES // len(chunk) + 2):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the client hung up once it had seen enough
        elif path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):  # a byte every 0.1 s: each read is quick, the body is not
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        else:
            self.send(404, b"")

    def redirect(self, to: str) -> None:
        self.send_response(302)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_is_fetched_and_its_article_extracted(site: str) -> None:
    page = read_source(f"{site}/story")
    assert STORY in page.text and "Accept all cookies" not in page.text
    assert page.source.url == f"{site}/story" and page.source.origin == f"{site}/story"
    assert page.source.author == "Ilse Marrow"
    assert Handler.agents[-1] == USER_AGENT and USER_AGENT.startswith("summarizer/")


def test_a_redirect_is_followed_and_the_final_url_kept(site: str) -> None:
    page = read_source(f"{site}/moved")
    assert STORY in page.text and page.source.url == f"{site}/story"


def test_more_than_five_redirects_are_refused(site: str) -> None:
    with pytest.raises(PageUnreachableError, match="more than 5 times") as info:
        fetch(f"{site}/hop/0")
    assert info.value.exit_code == 3


@pytest.mark.parametrize(("path", "status"), [("/gone", 404), ("/410", 410), ("/forbidden", 403)])
def test_a_missing_or_refused_page_is_an_input_error(site: str, path: str, status: int) -> None:
    with pytest.raises(PageRefusedError, match=f"HTTP {status}") as info:
        fetch(site + path)
    assert info.value.exit_code == 2 and info.value.status == status


def test_a_server_error_is_exit_3(site: str) -> None:
    with pytest.raises(PageUnreachableError, match="HTTP 500; try again later") as info:
        fetch(f"{site}/error")
    assert info.value.exit_code == 3 and isinstance(info.value, FetchError)


def test_a_pdf_is_refused(site: str) -> None:
    with pytest.raises(PageRefusedError, match="application/pdf, not a web page"):
        fetch(f"{site}/pdf")


@pytest.mark.parametrize("path", ["/huge", "/huge-stream"])
def test_a_page_over_the_cap_is_refused_not_truncated(site: str, path: str) -> None:
    with pytest.raises(PageRefusedError, match="larger than 10 MB"):
        fetch(site + path)


def test_a_trickling_body_is_bounded_in_total(site: str) -> None:
    started = time.monotonic()
    with pytest.raises(PageUnreachableError, match="no complete answer within 1s"):
        fetch(f"{site}/slow", timeout=1.0)
    # The body needs 100 s; without the total bound no single read would ever time out.
    assert time.monotonic() - started < 30


def test_an_unreachable_server_is_exit_3(site: str) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PageUnreachableError, match="cannot be reached") as info:
        fetch(f"http://user:secret@127.0.0.1:{port}/a?token=abc")
    message = str(info.value)
    assert "secret" not in message and "token" not in message and "\n" not in message


@pytest.mark.parametrize("path", ["/latin1", "/meta-charset"])
def test_the_declared_charset_decodes_the_page(site: str, path: str) -> None:
    text = read_source(site + path).text
    assert "Le café du port a rouvert lundi après trois semaines" in text


def test_a_page_in_another_charset_than_it_declares_is_refused(site: str) -> None:
    with pytest.raises(Exception, match="not valid UTF-8") as info:
        read_source(f"{site}/wrong-charset")
    assert getattr(info.value, "exit_code", None) == 2


def test_plain_text_is_read_as_it_is(site: str) -> None:
    page = read_source(f"{site}/plain")
    assert page.text == "Plain story: the café reopened." and page.source.title is None


def test_a_path_is_read_as_before(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("A story.\n", encoding="utf-8")
    page = read_source(path)
    assert page.text == "A story." and page.source.origin == str(path)
