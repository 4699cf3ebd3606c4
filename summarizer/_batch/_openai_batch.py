"""The OpenAI Batch API: submit a batch's requests as one file, collect the answers later.

Half the price of live calls, for jobs that can wait up to a day. Three steps, each its
own run of the same command, which the state file beside the record file ties together
(`OUT.jsonl` -> `OUT.jsonl.openai-batch.json`):

- `submit` writes one request line per article not already done (`custom_id` = the
  article's id, `body` = exactly what a live call sends first, from `Call.body()`)
  to `OUT.jsonl.openai-batch-requests.jsonl`, uploads it (`purpose="batch"`), creates
  the batch and saves its id in the state file.
- `status` asks where the batch is.
- `collect` downloads the output and error files, reads the answers in any order and
  validates each as a live answer is validated (`Call.read`, `Call.settle`: grounding
  checks and repairs). An answer that fails is re-asked live, and a request that failed
  in the batch (an error line, or missing) is sent live; the batch's request counts in
  `meta.requests` (as a transport retry when it failed). The records are those of
  `summarizer batch`, written by the same runner (resume, `--out-dir`, progress, SIGINT).

The Batch API is OpenAI's (and some gateways'): vLLM serves no /v1/files or /v1/batches.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from summarizer._batch._inputs import Item, load_text
from summarizer._batch._records import Prior, RecordFile
from summarizer._batch._run import Reporter, Summary, run_batch
from summarizer._errors import BatchNotReadyError, InputError, SummarizerError, one_line
from summarizer._files import atomic_file
from summarizer._result import Result

__all__ = [
    "BatchModel",
    "BatchNotReadyError",
    "BatchState",
    "batch_status",
    "collect_batch",
    "state_path",
    "submit_batch",
]

# The Batch API's own limits: 50,000 requests and 200 MB a file.
MAX_REQUESTS = 50_000
MAX_FILE_BYTES = 200 * 1024 * 1024
ENDPOINT = "/v1/chat/completions"
FINISHED = frozenset({"completed", "failed", "expired", "cancelled"})


class BatchModel(Protocol):
    """The endpoint and the pipeline, as the Batch API path needs them (the pipeline's
    `summarizer._pipeline._batch_api.BatchModel`; given, so this layer never imports
    the pipeline, which can reach the embedded engine)."""

    base_url: str
    model: str

    def request_body(self, text: str) -> dict[str, Any]: ...
    def upload(self, name: str, data: bytes) -> str: ...
    def create(self, input_file_id: str) -> Any: ...
    def retrieve(self, batch_id: str) -> Any: ...
    def download(self, file_id: str) -> bytes: ...
    async def settle(self, text: str, body: dict[str, Any] | None) -> Result: ...


@dataclass(frozen=True)
class BatchState:
    """What `submit` left for `status` and `collect`: the batch, and which texts it holds."""

    batch_id: str
    input_file_id: str
    base_url: str
    model: str
    created_at: float
    items: dict[str, str]  # id -> sha256 of the text sent

    def save(self, path: Path) -> None:
        with atomic_file(path) as out:
            out.write(json.dumps(asdict(self), indent=1).encode() + b"\n")

    @classmethod
    def load(cls, path: Path) -> BatchState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError:
            raise InputError(
                one_line(f"no OpenAI batch was submitted for this output ({path} is missing)")
            ) from None
        except (OSError, ValueError, TypeError) as exc:
            raise InputError(one_line(f"cannot read {path}: {exc}")) from None


def state_path(output: str | os.PathLike[str]) -> Path:
    out = Path(output)
    return out.with_name(out.name + ".openai-batch.json")


def requests_path(output: str | os.PathLike[str]) -> Path:
    out = Path(output)
    return out.with_name(out.name + ".openai-batch-requests.jsonl")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def submit_batch(
    items: Sequence[Item],
    output: str | os.PathLike[str],
    model: BatchModel,
    *,
    prior: Prior | None = None,
    load: Callable[[Item], str] = load_text,
) -> tuple[BatchState, list[str]]:
    """Write, upload and create the batch of every item not already done in `prior`.

    Returns the state saved and the ids left out (unreadable or refused input, which
    `collect` records as failures). InputError before anything is sent when a batch
    was already submitted for `output`, or nothing is left to send.
    """
    state_file = state_path(output)
    if state_file.exists():
        old = BatchState.load(state_file)
        raise InputError(
            one_line(
                f"batch {old.batch_id} was already submitted for {output}: collect it, or "
                f"remove {state_file} to submit again"
            )
        )
    prior = prior or Prior()
    lines: list[bytes] = []
    shas: dict[str, str] = {}
    skipped: list[str] = []
    for item in items:
        try:
            text = load(item)
            sha = _sha(text)
            if prior.done(item.id, sha):
                continue
            body = model.request_body(text)
        except SummarizerError:
            skipped.append(item.id)
            continue
        line = {"custom_id": item.id, "method": "POST", "url": ENDPOINT, "body": body}
        lines.append(json.dumps(line, ensure_ascii=False).encode() + b"\n")
        shas[item.id] = sha
    if not lines:
        raise InputError("nothing to submit: every article already has a brief or was refused")
    data = b"".join(lines)
    if len(lines) > MAX_REQUESTS or len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"{len(lines)} requests are more than one OpenAI batch takes ({MAX_REQUESTS:,} "
            "requests, 200 MB): split the input with --shard K/N and submit each share"
        )
    req_file = requests_path(output)
    with atomic_file(req_file) as out:
        out.write(data)
    file_id = model.upload(req_file.name, data)
    batch = model.create(file_id)
    state = BatchState(
        batch_id=batch.id,
        input_file_id=file_id,
        base_url=model.base_url,
        model=model.model,
        created_at=time.time(),
        items=shas,
    )
    state.save(state_file)
    return state, skipped


def batch_status(output: str | os.PathLike[str], model: BatchModel) -> tuple[BatchState, Any]:
    """The state saved by `submit`, and the batch as the API describes it now."""
    state = BatchState.load(state_path(output))
    return state, model.retrieve(state.batch_id)


def status_line(state: BatchState, batch: Any) -> str:
    """One line: the batch, its status and its counts."""
    counts = getattr(batch, "request_counts", None)
    done = ""
    if counts is not None:
        done = f": {counts.completed} done, {counts.failed} failed of {counts.total}"
    return f"batch {state.batch_id} is {batch.status}{done}"


def _parse_results(data: bytes, into: dict[str, dict[str, Any] | None]) -> None:
    """Each line's completion body by custom_id; None for a request that failed."""
    for raw in data.splitlines():
        try:
            obj = json.loads(raw)
            custom_id = obj["custom_id"]
        except (ValueError, KeyError, TypeError):
            continue  # not a result line: its article is sent live
        response = obj.get("response")
        response = response if isinstance(response, dict) else {}
        body = response.get("body")
        # A failure is a top-level `error`, or an error status with `error: null`.
        good = obj.get("error") is None and response.get("status_code") == 200
        if custom_id not in into or into[custom_id] is None:
            into[custom_id] = body if good and isinstance(body, dict) else None


async def collect_batch(
    items: Sequence[Item],
    output: str | os.PathLike[str],
    records: RecordFile,
    model: BatchModel,
    *,
    prior: Prior | None = None,
    jobs: int = 8,
    out_dir: Path | None = None,
    reporter: Reporter | None = None,
    load: Callable[[Item], str] = load_text,
    handle_sigint: bool = True,
) -> Summary:
    """Records for the batch's articles among `items`: the batch's answers validated,
    the rest asked live (`jobs` at a time). BatchNotReadyError (exit 75) while the
    batch is still running."""
    state = BatchState.load(state_path(output))
    batch = model.retrieve(state.batch_id)
    if batch.status not in FINISHED:
        raise BatchNotReadyError(
            status_line(state, batch) + "; run collect again later (batches take up to 24 h)"
        )
    answers: dict[str, dict[str, Any] | None] = {}
    for file_id in (batch.output_file_id, batch.error_file_id):
        if file_id:
            _parse_results(model.download(file_id), answers)
    # By text: the runner gives the brief function the text, and a text changed since
    # submit (another sha256) is not what the batch answered, so it goes live.
    by_sha = {sha: answers.get(i) for i, sha in state.items.items()}

    async def brief(text: str) -> Result:
        return await model.settle(text, by_sha.get(_sha(text)))

    mine = [item for item in items if item.id in state.items]
    return await run_batch(
        mine,
        brief,
        records,
        prior=prior,
        jobs=jobs,
        out_dir=out_dir,
        load=load,
        reporter=reporter,
        handle_sigint=handle_sigint,
    )
