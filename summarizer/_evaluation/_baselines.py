"""The two baselines bench compares this pipeline with, on the same server and articles.

plain     one request, the brief's JSON Schema as response_format, a one-line
          system prompt, temperature 0, 2048-token limit
naive     instructor Mode.JSON, a one-line prompt, the same schema without the
          grounding validators (no article context), one instructor re-ask (bounded:
          its default of 3 could spend four 2048-token answers on one case)
"""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from typing import Any

import instructor
import openai
from instructor.core.exceptions import (
    IncompleteOutputException,
    InstructorRetryException,
    ResponseParsingError,
)
from pydantic import ValidationError

from summarizer._errors import TransportError
from summarizer._evaluation._eval import CaseError, Cost, failure_record
from summarizer._pipeline._retry import describe
from summarizer._result import Usage
from summarizer.schemas import Brief

ONE_LINE = "Summarise the news article as a brief in JSON."
NAIVE_RETRIES = 1
# Exceptions instructor raises when the model's answer, not the request, was at fault.
ANSWER_REJECTED = (ValidationError, json.JSONDecodeError, ResponseParsingError)


def _record(brief: Brief | None, cost: Cost) -> dict[str, Any]:
    return {
        "brief": brief.model_dump(mode="json") if brief else None,
        "meta": {
            "attempts": cost.attempts,
            "usage": cost.usage.model_dump(),
            "latency_s": round(time.monotonic() - cost.started, 3),
        },
    }


def _request_failed(name: str, exc: BaseException, cost: Cost) -> dict[str, Any]:
    """A baseline whose request failed: recorded like the pipeline's transport errors.

    The message is built from the status or failure alone: a provider's error body can
    echo the API key, so neither it nor the exception's text is kept.
    """
    if isinstance(exc, openai.APIStatusError):
        what = f"answered {describe(exc)}"
    elif isinstance(exc, openai.APIConnectionError):
        what = describe(exc)
    else:
        what = "sent a malformed response"
    message = f"{name} baseline: the model endpoint {what} after {cost.attempts} request(s)"
    return failure_record(CaseError("transport", message, TransportError.exit_code), cost)


def _count_usage(usage: Usage, completion: Any) -> None:
    u = getattr(completion, "usage", None)
    prompt, done = getattr(u, "prompt_tokens", None), getattr(u, "completion_tokens", None)
    usage.add(prompt if isinstance(prompt, int) else None, done if isinstance(done, int) else None)


def plain_call(client: openai.OpenAI, model: str, article: str) -> dict[str, Any]:
    cost = Cost()
    try:
        cost.attempts += 1
        reply = client.chat.completions.create(
            model=model,
            messages=[
                {"role": "system", "content": ONE_LINE},
                {"role": "user", "content": article},
            ],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "Brief", "schema": Brief.model_json_schema()},
            },
            temperature=0,
            max_tokens=2048,
        )
    # openai lets a body that is not JSON escape as a bare JSONDecodeError (a ValueError).
    except (openai.APIError, ValueError) as exc:
        return _request_failed("plain", exc, cost)
    _count_usage(cost.usage, reply)
    try:
        content = reply.choices[0].message.content
    except (AttributeError, IndexError, TypeError) as exc:  # 200, but not a chat completion
        return _request_failed("plain", exc, cost)
    try:
        brief: Brief | None = Brief.model_validate_json(content or "")
    except ValidationError:  # a measured outcome: the baseline's answer is not a valid brief
        brief = None
    return _record(brief, cost)


class _NaiveFailures(logging.Filter):
    """Drops instructor's ERROR lines for the naive baseline's failures: the bench
    records each one itself, and the lines quote the provider's error body."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("Max retries exceeded", "API call failed"))


def _quiet_instructor() -> None:
    log = logging.getLogger("instructor.v2.retry")
    if not any(isinstance(f, _NaiveFailures) for f in log.filters):
        log.addFilter(_NaiveFailures())


def naive_call(client: openai.OpenAI, model: str, article: str) -> dict[str, Any]:
    cost = Cost()
    _quiet_instructor()  # its ERROR lines quote the provider's error body, key and all
    patched = instructor.from_openai(client, mode=instructor.Mode.JSON)

    def on_request(*_args: Any, **_kwargs: Any) -> None:
        cost.attempts += 1  # before each request instructor sends, answered or not

    def on_response(response: Any) -> None:
        _count_usage(cost.usage, response)

    patched.on("completion:kwargs", on_request)
    patched.on("completion:response", on_response)
    brief: Brief | None
    try:
        brief = patched.chat.completions.create(
            model=model,
            messages=[
                {"role": "system", "content": ONE_LINE},
                {"role": "user", "content": article},
            ],
            response_model=Brief,
            max_retries=NAIVE_RETRIES,
            temperature=0,
            max_tokens=2048,
        )
    except Exception as exc:  # classified: a rejected answer, or a request that failed
        failed = _transport_cause(exc)
        if failed is not None:
            return _request_failed("naive", failed, cost)
        brief = None  # a measured outcome: the baseline's answer is not a valid brief
    return _record(brief, cost)


def _transport_cause(exc: BaseException) -> BaseException | None:
    """The request failure behind an exception from instructor (which wraps it in
    InstructorRetryException), or None when the model's answer itself was rejected."""
    if isinstance(exc, IncompleteOutputException):
        return None  # cut off at the token limit: an answer, and not a valid brief
    cause = exc.__cause__ if isinstance(exc, InstructorRetryException) else exc
    last = getattr(exc, "last_completion", None)
    if isinstance(cause, ANSWER_REJECTED) and not (
        isinstance(cause, json.JSONDecodeError) and last is None
    ):
        return None
    # A failed request, or a 200 body that is not JSON or not a chat completion: no answer.
    return cause if isinstance(cause, BaseException) else exc


def article_tokens(base_url: str, text: str) -> int | None:
    """Tokens of the bare article, from llama-server's /tokenize (None elsewhere)."""
    root = base_url.rstrip("/").removesuffix("/v1")
    req = urllib.request.Request(
        f"{root}/tokenize",
        data=json.dumps({"content": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return len(json.loads(r.read())["tokens"])
    except (OSError, ValueError, KeyError):
        return None
