"""A loopback server playing the OpenAI Batch API, and live chat completions (stdlib only).

    def results(custom_id, body):          # what the batch answers each request line
        return ok(json.dumps(VALID))       # or error_body(500), or error_line("...")
    with FakeBatchAPI(results, live=lambda body: json.dumps(VALID)) as api:
        ...                                # api.base_url, api.files, api.batches, api.chat

Routes: POST /v1/files (multipart, as openai uploads), GET /v1/files/{id}/content,
POST /v1/batches, GET /v1/batches/{id}, POST /v1/chat/completions. A batch runs when it
is created: successes go to its output file and failures to its error file, each in
reverse order of the input (results come back in any order); `pending_polls`
retrieves say `in_progress` first. `output=False` leaves the output file out even
with successes (a batch that completes with only an error file).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

Result = tuple[str, dict[str, Any]]  # ("output" | "error", the line without ids)


def completion(content: str) -> dict[str, Any]:
    message = {"role": "assistant", "content": content}
    return {
        "id": "chatcmpl-batch",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }


def ok(content: str) -> Result:
    return "output", {"response": {"status_code": 200, "body": completion(content)}, "error": None}


def error_body(code: int) -> Result:
    """A failed request as the output file can hold it: an error status, `error: null`."""
    body = {"error": {"message": f"fake error {code}", "type": "server_error"}}
    return "output", {"response": {"status_code": code, "body": body}, "error": None}


def error_line(message: str) -> Result:
    """A failed request in the error file: no response, a top-level error."""
    return "error", {"response": None, "error": {"code": "fake", "message": message}}


@dataclass
class FakeBatchAPI:
    results: Callable[[str, dict[str, Any]], Result]
    live: Callable[[dict[str, Any]], str] = lambda _body: "{}"
    pending_polls: int = 0
    output: bool = True
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # id -> (purpose, data)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    chat: list[dict[str, Any]] = field(default_factory=list)  # live request bodies
    base_url: str = ""

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._polls: dict[str, int] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                code, body = fake._get(self.path)
                self._send(code, body)

            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                code, body = fake._post(self.path, self.headers.get("Content-Type", ""), data)
                self._send(code, body)

            def _send(self, code: int, body: Any) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _new_file(self, purpose: str, data: bytes) -> str:
        file_id = f"file-{next(self._ids)}"
        self.files[file_id] = (purpose, data)
        return file_id

    def _post(self, path: str, ctype: str, data: bytes) -> tuple[int, Any]:
        with self._lock:
            if path == "/v1/files":
                head = f"Content-Type: {ctype}\r\n\r\n".encode()
                form = BytesParser(policy=HTTP).parsebytes(head + data)
                parts = {
                    p.get_param("name", header="content-disposition"): p.get_payload(decode=True)
                    for p in form.iter_parts()
                }
                purpose = parts["purpose"].decode()
                file_id = self._new_file(purpose, parts["file"])
                return 200, {
                    "id": file_id,
                    "object": "file",
                    "bytes": len(parts["file"]),
                    "created_at": int(time.time()),
                    "filename": "input.jsonl",
                    "purpose": purpose,
                    "status": "processed",
                }
            if path == "/v1/batches":
                return 200, self._run(json.loads(data))
            if path == "/v1/chat/completions":
                body = json.loads(data)
                self.chat.append(body)
                return 200, completion(self.live(body))
            return 404, {"error": {"message": f"no route {path}"}}

    def _run(self, request: dict[str, Any]) -> dict[str, Any]:
        out: list[bytes] = []
        err: list[bytes] = []
        _purpose, data = self.files[request["input_file_id"]]
        lines = [json.loads(raw) for raw in data.splitlines()]
        for n, line in enumerate(reversed(lines)):
            where, result = self.results(line["custom_id"], line["body"])
            row = {"id": f"batch_req_{n}", "custom_id": line["custom_id"], **result}
            (out if where == "output" else err).append(json.dumps(row).encode() + b"\n")
        failed = len(err) + sum(b'"status_code": 200' not in row for row in out)
        batch_id = f"batch_{next(self._ids)}"
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": request["endpoint"],
            "input_file_id": request["input_file_id"],
            "completion_window": request["completion_window"],
            "status": "completed",
            "created_at": int(time.time()),
            "output_file_id": self._new_file("batch_output", b"".join(out))
            if out and self.output
            else None,
            "error_file_id": self._new_file("batch_output", b"".join(err)) if err else None,
            "request_counts": {
                "total": len(lines),
                "completed": len(lines) - failed,
                "failed": failed,
            },
            "metadata": request.get("metadata"),
        }
        self._polls[batch_id] = self.pending_polls
        return self._shown(batch_id)

    def _shown(self, batch_id: str) -> dict[str, Any]:
        batch = dict(self.batches[batch_id])
        if self._polls[batch_id] > 0:
            batch.update(status="in_progress", output_file_id=None, error_file_id=None)
        return batch

    def _get(self, path: str) -> tuple[int, Any]:
        with self._lock:
            parts = path.strip("/").split("/")
            if parts[:2] == ["v1", "batches"] and len(parts) == 3 and parts[2] in self.batches:
                shown = self._shown(parts[2])
                self._polls[parts[2]] -= 1
                return 200, shown
            content = parts[:2] == ["v1", "files"] and len(parts) == 4 and parts[3] == "content"
            if content and parts[2] in self.files:
                return 200, self.files[parts[2]][1]
            return 404, {"error": {"message": f"no route {path}"}}
