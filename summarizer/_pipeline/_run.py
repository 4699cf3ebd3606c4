"""One call: article in, validated brief out, with an honest account of the cost.

Two budgets, kept apart: transport retries (see _transport) and validation
re-asks. A re-ask sends the original request plus only the last failed answer
and its problems, so the context stays bounded however many rounds there are.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import openai
from openai.types.shared_params import ResponseFormatJSONSchema
from pydantic import ValidationError

from summarizer import prompts
from summarizer._config import Settings
from summarizer._engine._grammar import compact_grammar
from summarizer._errors import (
    ArticleTooLongError,
    InputError,
    NoValidBriefError,
    OutputTruncatedError,
    TransportError,
)
from summarizer._pipeline._backend import Connection, connect
from summarizer._pipeline._context import ArticleContext, article_context, as_pydantic
from summarizer._pipeline._draft import Draft, cite
from summarizer._pipeline._repair import drop_repeated_claims, repair
from summarizer._pipeline._retry import Deadline, MalformedResponseError, public_url, send
from summarizer._problems import Problem, Repair, kind_of
from summarizer._result import Meta, Result, Usage
from summarizer._text._hedges import hedged, hint
from summarizer._text._sentences import numbered
from summarizer.schemas import SCHEMA_VERSION

Progress = Callable[[str], None]

# Prompt tokens besides the article (instructions and markup), with margin.
PROMPT_OVERHEAD_TOKENS = 600
# Shortest `latest` status the local grammar allows: longer than any phase word.
MIN_STATUS_CHARS = 16
# Conservative: English runs ~4 characters a token, other scripts fewer.
CHARS_PER_TOKEN = 3.0


@dataclass
class _Answer:
    """One model answer: parsed if valid, else the raw text and what was wrong."""

    draft: Draft | None
    raw: str | None
    errors: list[Problem] = field(default_factory=list)
    truncated: bool = False


def check_length(article: str, settings: Settings) -> None:
    """Refuse, naming the limit, an article the local model's context cannot hold."""
    if settings.backend != "local":
        return  # a remote model's context is unknown here; the server will say
    budget = settings.context_size - settings.max_tokens - PROMPT_OVERHEAD_TOKENS
    estimate = int(len(article) / CHARS_PER_TOKEN)
    if estimate > budget:
        raise ArticleTooLongError(
            f"article is too long for the local model: about {estimate} tokens, limit "
            f"{budget} ({int(budget * CHARS_PER_TOKEN)} characters); split it, or use an API "
            "model with a larger context",
            tokens=estimate,
            limit=budget,
        )


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


def run(
    article: str,
    settings: Settings,
    *,
    client: openai.OpenAI | None = None,
    progress: Progress | None = None,
) -> Result:
    if not article.strip():
        raise InputError("the article is empty: give some text to summarise")
    check_length(article, settings)
    notify = progress or (lambda _msg: None)
    deadline = Deadline(per_request=settings.timeout)
    conn = connect(settings, client=client, progress=progress, request_limit=deadline.request_limit)
    started = time.monotonic()
    deadline.start(settings.deadline)
    usage = Usage()
    requests = 0
    # Built once a call: every validation and repair reads it.
    ctx = article_context(article)
    sentences, withheld = list(ctx.sentences), ctx.withheld
    base = prompts.brief_messages(
        numbered(sentences, withheld=withheld), hint(sentences, skip=withheld)
    )
    open_points = tuple(n for n in hedged(sentences) if n not in withheld)
    grammar = _grammar_fields(open_points) if settings.llama_grammar else None
    messages = base
    history: list[list[Problem]] = []
    repairs: list[Repair] = []

    def counted() -> None:
        nonlocal requests
        requests += 1

    def retried(reason: str, delay: float) -> None:
        notify(f"request failed ({reason}); retrying in {delay:.1f}s")

    answer: _Answer | None = None
    for round_no in range(1, settings.max_attempts + 1):
        if deadline.remaining() <= 0:
            break  # a re-ask too is bounded by the call's deadline
        notify(f"generating (attempt {round_no} of {settings.max_attempts})")
        try:
            answer = send(
                partial(_ask, conn, settings, messages, ctx, usage, grammar),
                settings,
                on_request=counted,
                on_retry=retried,
                deadline_at=deadline.at,
            )
        except TransportError as exc:
            exc.attempts, exc.usage = requests, usage
            raise
        if answer.truncated:
            raise OutputTruncatedError(
                f"the model's answer was cut off at the {settings.max_tokens}-token limit "
                f"(attempt {round_no}); not re-asked, as the same request would be cut off again",
                attempts=requests,
                usage=usage,
                last_raw=answer.raw,
            )
        if answer.draft is None and answer.raw is not None:
            # Text that copies a message to machines is asked about once before it is
            # rebuilt: the phase the model chose may have followed that text too.
            fixed, changes = repair(
                answer.raw,
                ctx,
                rebuild_flagged=round_no > 1 or round_no == settings.max_attempts,
            )
            if fixed is not None:
                history.append(answer.errors)
                answer = _Answer(draft=fixed, raw=answer.raw)
                repairs.extend(changes)
        if answer.draft is not None:
            repairs.extend(drop_repeated_claims(answer.draft))
            brief, evidence = cite(answer.draft, ctx)
            meta = Meta(
                model=settings.model,
                backend=conn.backend,
                base_url=public_url(conn.base_url),
                prompt_version=prompts.prompt_version(),
                schema_version=SCHEMA_VERSION,
                attempts=requests,
                reasks=round_no - 1,
                transport_retries=requests - round_no,
                usage=usage,
                latency_s=round(time.monotonic() - started, 3),
                validation_errors=history,
                repairs=repairs,
                warnings=[f.warning() for f in ctx.flags],
            )
            return Result(brief=brief, meta=meta, evidence=evidence)
        history.append(answer.errors)
        if round_no < settings.max_attempts:
            notify(f"answer rejected ({len(answer.errors)} problem(s)); asking again")
            messages = reask_messages(base, answer.raw or "", answer.errors)
    last = answer.errors if answer else []
    spent = len(history)
    if answer is None:  # the deadline passed before a single answer (cannot happen today)
        raise TransportError(
            f"the call's {settings.deadline:g}s deadline passed before any answer",
            attempts=requests,
            usage=usage,
        )
    within = (
        f"within the {settings.deadline:g}s deadline ({spent} of {settings.max_attempts} "
        "attempts used)"
        if spent < settings.max_attempts
        else f"after {settings.max_attempts} attempt(s)"
    )
    raise NoValidBriefError(
        f"no valid brief {within}; last problems: " + "; ".join(p.line() for p in last[:3]),
        attempts=requests,
        usage=usage,
        errors=[p.line() for p in last],
        problems=last,
        last_raw=answer.raw if answer else None,
    )


def _ask(
    conn: Connection,
    settings: Settings,
    messages: list[dict[str, str]],
    ctx: ArticleContext,
    usage: Usage,
    grammar: dict[str, Any] | None,
) -> _Answer:
    """Send one request. Transport errors propagate (to be retried or not); answers return.

    The messages go out exactly as built: no library renders them as a template (the
    article and a previous answer may hold `{{ }}` or `{%`), and the answer is
    validated here, with the article as context.
    """
    try:
        completion = conn.client.chat.completions.create(
            model=settings.model,
            messages=messages,  # type: ignore[arg-type]
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            # Under the grammar, extra_body sends `response_format: null` instead.
            response_format=openai.omit if grammar else _response_format(),
            extra_body=grammar,
        )
    except (json.JSONDecodeError, openai.APIResponseValidationError) as exc:
        # A body that is not JSON (openai lets that escape unwrapped), or not the JSON
        # asked for: a transport fault to retry, not a model answer to re-ask about.
        raise MalformedResponseError(
            f"response body is not a chat completion: {type(exc).__name__}"
        ) from None
    raw, finish_reason = _choice(completion)
    _count(usage, completion)
    if finish_reason == "length":
        return _Answer(draft=None, raw=raw, truncated=True)
    try:
        draft = Draft.model_validate_json(raw, context=as_pydantic(ctx), strict=False)
    except ValidationError as exc:
        return _Answer(draft=None, raw=raw, errors=format_errors(exc))
    return _Answer(draft=draft, raw=raw)


def _response_format() -> ResponseFormatJSONSchema:
    # Structured output for any OpenAI-compatible server: the draft's schema, as the
    # `json_schema` response format (llama-server turns it into a grammar of its own).
    return {
        "type": "json_schema",
        "json_schema": {"name": "Draft", "schema": Draft.model_json_schema()},
    }


def _choice(completion: Any) -> tuple[str, str | None]:
    """The first choice's text and finish reason; a body without them is a transport fault.

    openai builds its response objects without validation, so a 200 answer that is not
    a chat completion (a proxy's JSON, an error object) arrives with missing fields.
    """
    try:
        choice = completion.choices[0]
        content = choice.message.content
    except (AttributeError, IndexError, KeyError, TypeError):
        raise MalformedResponseError("the response is not a chat completion") from None
    if not isinstance(content, str):
        raise MalformedResponseError("the response has no text content")
    reason = getattr(choice, "finish_reason", None)
    return content, reason if isinstance(reason, str) else None


def _grammar_fields(hedged: tuple[int, ...]) -> dict[str, Any]:
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


def _count(usage: Usage, completion: Any) -> None:
    u = getattr(completion, "usage", None)
    if u is not None:
        usage.add(getattr(u, "prompt_tokens", 0), getattr(u, "completion_tokens", 0))
