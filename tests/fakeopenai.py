"""A small scriptable OpenAI-compatible HTTP server for fault tests (stdlib only).

    with FakeOpenAI([status(429, headers={"Retry-After": "0"}), reply_json({"a": 1})]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="k", max_retries=0)
        ...
        assert len(srv.chat_requests) == 2

Each POST to /v1/chat/completions consumes the next action of the script; once the script
is exhausted the LAST action repeats. GET /v1/models and GET /health answer 200. The server
is bounded so no test can loop forever: past `max_requests` requests it answers 503, and
after `lifetime_s` seconds it shuts itself down (the port then refuses connections).

Actions (frozen dataclasses, build them with the factory functions):
    reply(content, *, finish_reason="stop", prompt_tokens=100, completion_tokens=50)
    reply_json(obj, **same)       reply with content=json.dumps(obj)
    status(code, *, body=None, headers=None)   error status; body defaults to OpenAI error JSON
    hang(seconds, *, then=None)   wait, then answer `then` (default reply("late")); a client
                                  that gave up meanwhile is ignored
    drop()                        read the request, close the connection without a response
    malformed()                   200, Content-Type application/json, body not valid JSON
    raw(code, body, *, content_type="application/json")   any body, as given
    trickle(content, *, every=0.2, chunk=1)   a valid completion whose body arrives `chunk`
                                  bytes at a time, one send `every` seconds
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

__all__ = ["Action", "Drop", "FakeOpenAI", "Hang", "Malformed", "Raw", "Recorded", "Reply"]
__all__ += ["Status", "Trickle", "drop", "hang", "malformed", "raw", "reply", "reply_json"]
__all__ += ["status", "trickle"]

CHAT_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class Reply:
    content: str
    finish_reason: str = "stop"
    prompt_tokens: int = 100
    completion_tokens: int = 50


@dataclass(frozen=True)
class Status:
    code: int
    body: Any = None  # dict/list -> JSON, str/bytes -> sent as is, None -> OpenAI error JSON
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hang:
    seconds: float
    then: Action = Reply("late")


@dataclass(frozen=True)
class Drop:
    pass


@dataclass(frozen=True)
class Malformed:
    pass


@dataclass(frozen=True)
class Raw:
    code: int
    body: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class Trickle:
    reply: Reply
    every: float = 0.2
    chunk: int = 1


Action = Reply | Status | Hang | Drop | Malformed | Raw | Trickle


def reply(
    content: str,
    *,
    finish_reason: str = "stop",
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
) -> Reply:
    return Reply(content, finish_reason, prompt_tokens, completion_tokens)


def reply_json(obj: Any, **kwargs: Any) -> Reply:
    """Same keyword arguments as reply()."""
    return reply(json.dumps(obj), **kwargs)


def status(code: int, *, body: Any = None, headers: dict[str, str] | None = None) -> Status:
    return Status(code, body, dict(headers or {}))


def hang(seconds: float, *, then: Action | None = None) -> Hang:
    return Hang(seconds, then if then is not None else Reply("late"))


def drop() -> Drop:
    return Drop()


def malformed() -> Malformed:
    return Malformed()


def raw(code: int, body: bytes | str, *, content_type: str = "application/json") -> Raw:
    return Raw(code, body.encode() if isinstance(body, str) else body, content_type)


def trickle(content: str, *, every: float = 0.2, chunk: int = 1) -> Trickle:
    return Trickle(reply(content), every, chunk)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # lower-case keys
    json: Any  # parsed body, None if absent or not JSON
    raw: bytes
    t: float  # time.monotonic() once the request (with its body) was read


_ERROR_TYPES = {  # (type, code) as the real API sends them
    400: ("invalid_request_error", None), 401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "not_found"), 429: ("requests", "rate_limit_exceeded"),
}  # fmt: skip


def _error_body(code: int, message: str | None = None) -> dict[str, Any]:
    kind, err_code = _ERROR_TYPES.get(code, ("server_error" if code >= 500 else "error", None))
    return {"error": {"message": message or f"fake error {code}", "type": kind, "code": err_code}}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5  # a client that connects and sends nothing cannot pin a thread (or close())

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def handle(self) -> None:
        # The client went away (its timeout, or a drop): not an error here.
        with contextlib.suppress(ConnectionError):
            super().handle()

    def do_GET(self) -> None:
        rec = self._record(b"")
        if self.server.fake._over_budget():
            return self._send_json(503, _error_body(503, "fake server: max_requests reached"))
        path = rec.path.rstrip("/")
        if path in ("/health", "/v1/health"):
            self._send_json(200, {"status": "ok"})
        elif path == "/v1/models":
            model = {"id": "fake-model", "object": "model", "created": 0, "owned_by": "fake"}
            self._send_json(200, {"object": "list", "data": [model]})
        else:
            self._send_json(404, _error_body(404, f"no route {rec.path}"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        rec = self._record(self.rfile.read(length) if length else b"")
        fake = self.server.fake
        if fake._over_budget():
            return self._send_json(503, _error_body(503, "fake server: max_requests reached"))
        if rec.path.rstrip("/") != CHAT_PATH:
            return self._send_json(404, _error_body(404, f"no route {rec.path}"))
        self._perform(fake._next_action(), rec)

    def _perform(self, action: Action, rec: Recorded) -> None:
        if isinstance(action, Reply):
            model = rec.json.get("model") if isinstance(rec.json, dict) else None
            self._send_json(200, _completion(action, model or "fake-model"))
        elif isinstance(action, Status):
            body = _error_body(action.code) if action.body is None else action.body
            self._send_json(action.code, body, action.headers)
        elif isinstance(action, Hang):
            # Wait on the stop event, not time.sleep, so closing the server is never delayed.
            if not self.server.fake._stopping.wait(action.seconds):
                self._perform(action.then, rec)
        elif isinstance(action, Drop):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif isinstance(action, Malformed):
            self._send_raw(200, b'{"id": "chatcmpl-fake", "choices": [', {})
        elif isinstance(action, Raw):
            self._send_raw(action.code, action.body, {}, content_type=action.content_type)
        elif isinstance(action, Trickle):
            model = rec.json.get("model") if isinstance(rec.json, dict) else None
            self._trickle(
                json.dumps(_completion(action.reply, model or "fake-model")).encode(), action
            )
        else:  # pragma: no cover - a bad script is a bug in the test
            raise TypeError(f"not a FakeOpenAI action: {action!r}")

    def _record(self, raw: bytes) -> Recorded:
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        # A request through a proxy names the whole URL ("POST http://host/v1/…"): this
        # server then plays the proxy and the endpoint at once.
        path = urllib.parse.urlsplit(self.path).path if "://" in self.path else self.path
        path = path.split("?", 1)[0]
        rec = Recorded(self.command, path, headers, parsed, raw, time.monotonic())
        self.server.fake._add(rec)
        return rec

    def _send_json(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else body.encode() if isinstance(body, str) else None
        self._send_raw(code, data if data is not None else json.dumps(body).encode(), headers or {})

    def _trickle(self, data: bytes, action: Trickle) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.flush()
        for start in range(0, len(data), action.chunk):
            if self.server.fake._stopping.wait(action.every):
                return
            self.wfile.write(data[start : start + action.chunk])
            self.wfile.flush()

    def _send_raw(
        self,
        code: int,
        data: bytes,
        headers: dict[str, str],
        *,
        content_type: str = "application/json",
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


def _completion(a: Reply, model: str) -> dict[str, Any]:
    usage = {"prompt_tokens": a.prompt_tokens, "completion_tokens": a.completion_tokens}
    usage["total_tokens"] = a.prompt_tokens + a.completion_tokens
    message = {"role": "assistant", "content": a.content}
    choice = {"index": 0, "message": message, "finish_reason": a.finish_reason}
    head = {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time())}
    return {**head, "model": model, "choices": [choice], "usage": usage}


class _Server(ThreadingHTTPServer):
    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # a real bug: print the traceback


class FakeOpenAI:
    """Context manager serving `script` on 127.0.0.1 (a free port) from a daemon thread."""

    def __init__(
        self, script: Sequence[Action], *, max_requests: int = 50, lifetime_s: float = 60.0
    ) -> None:
        if not script:
            raise ValueError("script needs at least one action")
        self.script = list(script)
        self.max_requests = max_requests
        self.lifetime_s = lifetime_s
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._index = 0
        self._stopping = threading.Event()
        self._released = threading.Event()
        self._closed = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self.base_url = ""

    @property
    def chat_requests(self) -> list[Recorded]:
        """The recorded POSTs to /v1/chat/completions, in order."""
        return [r for r in list(self.requests) if r.path.rstrip("/") == CHAT_PATH]

    def __enter__(self) -> Self:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._timer = threading.Timer(self.lifetime_s, self.close)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.cancel()
            self._timer.join()

    def close(self) -> None:
        """Stop serving and release the port; idempotent, also called by the lifetime timer."""
        with self._lock:
            if self._closed or self._server is None:
                return
            self._closed = True
        self._stopping.set()  # wakes hanging handlers so server_close() can join them
        self._server.shutdown()
        self._server.server_close()
        assert self._thread is not None
        self._thread.join()
        self._released.set()

    @property
    def closed(self) -> bool:
        """True once the server stopped (exit, or lifetime_s ran out) and released its port."""
        return self._released.is_set()

    def _add(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)

    def _over_budget(self) -> bool:
        with self._lock:
            return len(self.requests) > self.max_requests

    def _next_action(self) -> Action:
        with self._lock:
            action = self.script[min(self._index, len(self.script) - 1)]
            self._index += 1
            return action
