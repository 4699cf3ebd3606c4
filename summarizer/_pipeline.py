"""One call: article in, validated brief out, with an honest account of the cost.

Two budgets, kept apart: transport retries (see _transport) and validation
re-asks. A re-ask sends the original request plus only the last failed answer
and its problems, so the context stays bounded however many rounds there are.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import ValidationError

import prompts
from schemas import SCHEMA_VERSION

from ._backend import Connection, connect
from ._config import Settings
from ._draft import Draft, to_brief
from ._errors import (
    ArticleTooLongError,
    InputError,
    NoValidBriefError,
    OutputTruncatedError,
    TransportError,
)
from ._grammar import compact_grammar
from ._hedges import hedged, hint
from ._repair import drop_repeated_claims, repair
from ._result import Meta, Result, Usage
from ._sentences import numbered, split_sentences
from ._transport import MalformedResponseError, send

Progress = Callable[[str], None]

# Prompt tokens besides the article (instructions and markup), with margin.
PROMPT_OVERHEAD_TOKENS = 600
# Shortest `latest` status the local grammar allows: longer than any phase word.
MIN_STATUS_CHARS = 16
# Conservative: English runs ~4 characters a token, other scripts fewer.
CHARS_PER_TOKEN = 3.0


class _ExpectedInstructorNoise(logging.Filter):
    """Drops instructor's ERROR lines for failures this module handles and reports itself.

    Each call here is a single attempt (max_retries=0): a rejected answer or a
    failed request is normal flow, re-asked or retried with its own progress message.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        return not msg.startswith(("Max retries exceeded", "API call failed"))


def _quiet_instructor() -> None:
    log = logging.getLogger("instructor.v2.retry")
    if not any(isinstance(f, _ExpectedInstructorNoise) for f in log.filters):
        log.addFilter(_ExpectedInstructorNoise())


@dataclass
class _Answer:
    """One model answer: parsed if valid, else the raw text and what was wrong."""

    draft: Draft | None
    raw: str | None
    errors: list[str] = field(default_factory=list)
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


def format_errors(exc: ValidationError) -> list[str]:
    """Pydantic errors as short lines the model can act on: where, and what is wrong."""
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in err["loc"]) or "answer"
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {msg}")
    return lines


def reask_messages(base: list[dict[str, str]], raw: str, errors: list[str]) -> list[dict[str, str]]:
    problems = "\n".join(f"- {e}" for e in errors[:12])
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
    _quiet_instructor()
    conn = connect(settings, client=client, progress=progress)
    started = time.monotonic()
    usage = Usage()
    requests = 0
    sentences = split_sentences(article)
    context: dict[str, Any] = {"article": article, "sentences": sentences}
    base = prompts.brief_messages(numbered(sentences), hint(sentences))
    grammar = _grammar_fields(tuple(hedged(sentences))) if settings.llama_grammar else None
    messages = base
    history: list[list[str]] = []
    repairs: list[str] = []

    def counted() -> None:
        nonlocal requests
        requests += 1

    def retried(reason: str, delay: float) -> None:
        notify(f"request failed ({reason}); retrying in {delay:.1f}s")

    answer: _Answer | None = None
    for round_no in range(1, settings.max_attempts + 1):
        notify(f"generating (attempt {round_no} of {settings.max_attempts})")
        try:
            answer = send(
                partial(_ask, conn, settings, messages, context, usage, grammar),
                settings,
                on_request=counted,
                on_retry=retried,
                deadline_at=started + settings.deadline,
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
            fixed, changes = repair(answer.raw, context)
            if fixed is not None:
                history.append(answer.errors)
                answer = _Answer(draft=fixed, raw=answer.raw)
                repairs.extend(changes)
        if answer.draft is not None:
            repairs.extend(drop_repeated_claims(answer.draft))
            brief = to_brief(answer.draft, sentences, article)
            meta = Meta(
                model=settings.model,
                backend=conn.backend,
                prompt_version=prompts.prompt_version(),
                schema_version=SCHEMA_VERSION,
                attempts=requests,
                reasks=round_no - 1,
                transport_retries=requests - round_no,
                usage=usage,
                latency_s=round(time.monotonic() - started, 3),
                validation_errors=history,
                repairs=repairs,
            )
            return Result(brief=brief, meta=meta)
        history.append(answer.errors)
        if round_no < settings.max_attempts:
            notify(f"answer rejected ({len(answer.errors)} problem(s)); asking again")
            messages = reask_messages(base, answer.raw or "", answer.errors)
    last = answer.errors if answer else []
    raise NoValidBriefError(
        f"no valid brief after {settings.max_attempts} attempt(s); last problems: "
        + "; ".join(last[:3]),
        attempts=requests,
        usage=usage,
        errors=last,
        last_raw=answer.raw if answer else None,
    )


def _ask(
    conn: Connection,
    settings: Settings,
    messages: list[dict[str, str]],
    context: dict[str, Any],
    usage: Usage,
    grammar: dict[str, Any] | None,
) -> _Answer:
    """Send one request. Transport errors propagate (to be retried or not); answers return."""
    try:
        draft, completion = conn.instructor.chat.completions.create_with_completion(
            model=settings.model,
            messages=messages,  # type: ignore[arg-type]
            response_model=Draft,
            max_retries=0,  # re-asks are ours, with a bounded context
            context=dict(context),
            strict=False,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            extra_body=grammar,
        )
    except IncompleteOutputException as exc:
        _count(usage, exc.last_completion)
        return _Answer(draft=None, raw=_content(exc.last_completion), truncated=True)
    except InstructorRetryException as exc:
        cause = exc.__cause__
        if isinstance(cause, openai.APIError) and not isinstance(
            cause, openai.APIResponseValidationError
        ):
            raise cause from None
        if isinstance(cause, json.JSONDecodeError) and exc.last_completion is None:
            # The HTTP body itself was not JSON (openai lets that escape unwrapped):
            # a transport fault to retry, not a model answer to re-ask about.
            raise MalformedResponseError(f"response body is not JSON: {cause}") from None
        _count(usage, exc.last_completion)
        if isinstance(cause, ValidationError):
            return _Answer(
                draft=None, raw=_content(exc.last_completion), errors=format_errors(cause)
            )
        return _Answer(draft=None, raw=_content(exc.last_completion), errors=[f"answer: {cause}"])
    _count(usage, completion)
    return _Answer(draft=draft, raw=_content(completion))


def _grammar_fields(hedged: tuple[int, ...]) -> dict[str, Any]:
    # extra_body is merged over instructor's arguments: response_format null makes
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


def _content(completion: Any) -> str | None:
    try:
        content = completion.choices[0].message.content
    except (AttributeError, IndexError):
        return None
    return content if isinstance(content, str) else None
