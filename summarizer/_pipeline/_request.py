"""What one request asks for and what its answer holds: the response format or grammar,
the problems that make a re-ask, the answer's text, finish reason and tokens."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Final

from openai import RequestOptions
from openai.types.shared_params import ResponseFormatJSONSchema
from pydantic import ValidationError

from summarizer._engine._grammar import compact_grammar
from summarizer._pipeline._draft import Draft
from summarizer._pipeline._retry import MalformedResponseError
from summarizer._problems import Problem, kind_of

# Where `chat.completions.create` posts, and the options it sends with the body (the
# API key as a bearer token); the drivers post the body themselves (see Call.body).
CHAT_PATH: Final = "/chat/completions"
CHAT_OPTIONS: Final[RequestOptions] = {"security": {"bearer_auth": True}}

# Shortest `latest` status the local grammar allows: longer than any phase word.
MIN_STATUS_CHARS = 16


def format_errors(exc: ValidationError) -> list[Problem]:
    """Pydantic errors as problems the model can act on: where, and what is wrong.

    The error's `type` is the problem's kind when a validator of the draft raised it
    (see `_draft.problem`); pydantic's own types are problems of shape.
    """
    found = []
    for err in exc.errors(include_url=False):
        kind = kind_of(err["type"])
        value = err.get("input")
        found.append(
            Problem(
                kind=kind,
                field=".".join(str(p) for p in err["loc"]) or "answer",
                # What the model wrote in the field, for a problem of content only.
                value=value if kind != "schema" and isinstance(value, str | int | list) else None,
                message=err["msg"].removeprefix("Value error, "),
            )
        )
    return found


def reask_messages(
    base: list[dict[str, str]], raw: str, errors: list[Problem]
) -> list[dict[str, str]]:
    problems = "\n".join(f"- {e.line()}" for e in errors[:12])
    return [
        *base,
        {"role": "assistant", "content": raw},
        {
            "role": "user",
            "content": "Your brief was rejected:\n"
            f"{problems}\n"
            "Write the whole brief again as JSON, fixing these points. Name every actor as "
            "the article names them, and cite only sentence numbers that exist.",
        },
    ]


def malformed(exc: Exception) -> MalformedResponseError:
    # A body that is not JSON (openai lets that escape unwrapped), or not the JSON
    # asked for: a transport fault to retry, not a model answer to re-ask about.
    return MalformedResponseError(f"response body is not a chat completion: {type(exc).__name__}")


@functools.cache
def _draft_json_schema() -> dict[str, Any]:
    # Built once a process (~5 ms each time): requests only read it.
    return Draft.model_json_schema()


def response_format() -> ResponseFormatJSONSchema:
    # Structured output for any OpenAI-compatible server: the draft's schema, as the
    # `json_schema` response format (llama-server turns it into a grammar of its own).
    return {
        "type": "json_schema",
        "json_schema": {"name": "Draft", "schema": _draft_json_schema()},
    }


@dataclass(frozen=True)
class Reply:
    """What the pipeline reads of a chat completion: the first choice's text and finish
    reason, and the tokens it cost."""

    content: str
    finish_reason: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0


def read_reply(body: object) -> Reply:
    """The reply in a chat completion's JSON body (bytes, or already parsed); a body that
    is not one is a transport fault (MalformedResponseError), retried like a dropped line.

    Read from the JSON here rather than through openai's `ChatCompletion`: building that
    model tree cost ~1 ms a request under the profiler, for four fields. A 200
    answer that is not a chat completion (a proxy's page, an error object) has them
    missing or of the wrong type.
    """
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError as exc:  # not JSON, or not UTF-8
            raise malformed(exc) from None
    choices = body.get("choices") if isinstance(body, dict) else None
    first = choices[0] if isinstance(choices, list) and choices else None
    message = first.get("message") if isinstance(first, dict) else None
    if not isinstance(message, dict):
        raise MalformedResponseError("the response is not a chat completion")
    content = message.get("content")
    if not isinstance(content, str):
        raise MalformedResponseError("the response has no text content")
    reason = first.get("finish_reason") if isinstance(first, dict) else None
    usage = body.get("usage") if isinstance(body, dict) else None
    tokens = usage if isinstance(usage, dict) else {}
    return Reply(
        content=content,
        finish_reason=reason if isinstance(reason, str) else None,
        prompt_tokens=_tokens(tokens.get("prompt_tokens")),
        completion_tokens=_tokens(tokens.get("completion_tokens")),
    )


def _tokens(value: object) -> int:
    # A count the server left out or sent as null (or anything but a whole number) is 0.
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def grammar_fields(hedged: tuple[int, ...]) -> dict[str, Any]:
    # extra_body is merged over the request's fields: response_format null makes
    # llama-server use this grammar (it prefers response_format when both are set).
    # Built once a call (a few ms); not cached, as it differs from article to article.
    return {"response_format": None, "grammar": compact_grammar(draft_schema(hedged))}


def draft_schema(hedged: tuple[int, ...]) -> dict[str, Any]:
    """The draft's JSON Schema, narrowed for the local grammar: each uncertainty
    cites one or two of the `hedged` sentences when there are any, and the latest
    status is at least `MIN_STATUS_CHARS` long.

    Free to cite any sentence, the model often cited a plain statement of fact
    for an uncertainty; held to the sentences that hedge, it picks the ones that
    leave something open. Only the grammar narrows this: validation accepts any sentence,
    so answers from other backends are judged as before. With no hedged sentence
    (or a language the hedge words miss) the citations are left free.
    """
    schema = Draft.model_json_schema()
    if hedged:
        refs = schema["$defs"]["DraftUncertainty"]["properties"]["evidence"]
        refs["items"] = {"enum": list(hedged)}
    # A sentence, not a word: a guard kept from when the field was `summary` and the
    # model wrote the phase label there ("developing"); validation does not ask it.
    schema["$defs"]["DraftStatus"]["properties"]["latest"]["minLength"] = MIN_STATUS_CHARS
    return schema
