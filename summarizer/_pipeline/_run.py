"""One call: article in, validated brief out, with an honest account of the cost.

Two budgets, kept apart: transport retries (see _transport) and validation
re-asks. A re-ask sends the original request plus only the last failed answer
and its problems, so the context stays bounded however many rounds there are.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

import openai
from pydantic import ValidationError

from summarizer import prompts
from summarizer._config import Backend, Settings
from summarizer._errors import (
    InputError,
    NoValidBriefError,
    OutputTruncatedError,
    TransportError,
)
from summarizer._pipeline._backend import Connection, connect
from summarizer._pipeline._context import article_context, as_pydantic
from summarizer._pipeline._draft import Draft, cite
from summarizer._pipeline._http import call_limit
from summarizer._pipeline._length import CHARS_PER_TOKEN, check_length
from summarizer._pipeline._quoted import attribute_quoted_status
from summarizer._pipeline._repair import drop_repeated_claims, repair
from summarizer._pipeline._request import (
    CHAT_OPTIONS,
    CHAT_PATH,
    Reply,
    format_errors,
    grammar_fields,
    read_reply,
    reask_messages,
    response_format,
)
from summarizer._pipeline._retry import (
    Deadline,
    Gate,
    asend,
    public_url,
    send,
)
from summarizer._pipeline._watch import LONG_PROMPT_TOKENS, prompt_progress
from summarizer._problems import Problem, Repair
from summarizer._result import Meta, Result, Usage
from summarizer._text._hedges import hedged, hint
from summarizer._text._sentences import numbered
from summarizer.schemas import SCHEMA_VERSION

Progress = Callable[[str], None]


@dataclass
class _Answer:
    """One model answer: parsed if valid, else the raw text and what was wrong."""

    draft: Draft | None
    raw: str | None
    errors: list[Problem] = field(default_factory=list)
    truncated: bool = False


class Call:
    """One call's state, shared by the sync and async drivers: the prompt, the budgets,
    what each answer means (repair, accept, re-ask, give up) and the meta. Only sending
    a request differs between the drivers.
    """

    def __init__(self, article: str, settings: Settings, *, progress: Progress | None) -> None:
        if not article.strip():
            raise InputError("the article is empty: give some text to summarise")
        check_length(article, settings)
        self.article = article
        self.settings = settings
        self.notify: Progress = progress or (lambda _msg: None)
        self.shows_progress = progress is not None
        self.deadline = Deadline(per_request=settings.timeout)
        self.usage = Usage()
        self.requests = 0
        # Built once a call: every validation and repair reads it.
        self.ctx = article_context(article)
        self.sentences = list(self.ctx.sentences)
        withheld = self.ctx.withheld
        hedges = hedged(self.sentences)  # for the hint and the grammar: searched once
        self.base = prompts.brief_messages(
            numbered(self.sentences, withheld=withheld),
            hint(self.sentences, skip=withheld, found=hedges),
        )
        open_points = tuple(n for n in hedges if n not in withheld)
        self.grammar = grammar_fields(open_points) if settings.llama_grammar else None
        self.messages = self.base
        self.history: list[list[Problem]] = []
        self.repairs: list[Repair] = []
        self.answer: _Answer | None = None
        self.started = 0.0

    def start(self) -> None:
        """Start the clock: connecting (a server start) is not part of the call's deadline."""
        self.started = time.monotonic()
        self.deadline.start(self.settings.deadline)

    def watching(self, conn: Connection) -> contextlib.AbstractContextManager[None]:
        """Prompt progress from the local server while a long article is read."""
        long = len(self.article) / CHARS_PER_TOKEN >= LONG_PROMPT_TOKENS
        if conn.backend != "local" or not self.shows_progress or not long:
            return contextlib.nullcontext()
        return prompt_progress(conn.base_url, self.notify)

    def rounds(self) -> Iterator[int]:
        """The answers this call may still ask for, numbered from 1."""
        for round_no in range(1, self.settings.max_answers + 1):
            if self.deadline.remaining() <= 0:
                return  # a re-ask too is bounded by the call's deadline
            self.notify(f"generating (attempt {round_no} of {self.settings.max_answers})")
            yield round_no

    def counted(self) -> None:
        self.requests += 1

    def retried(self, reason: str, delay: float) -> None:
        self.notify(f"request failed ({reason}); retrying in {delay:.1f}s")

    def body(self) -> dict[str, Any]:
        """The JSON body of the next request, the same for both drivers and the Batch API.

        What `chat.completions.create(model=…, messages=…, max_tokens=…, temperature=…,
        extra_body=…)` sends, key for key and in its order; posted as is, because
        openai's typed parameters walk every message through each message type on every
        request (~2 ms a call). The messages go out exactly as built: no library renders
        them as a template (the article and a previous answer may hold `{{ }}` or `{%`).
        """
        return {
            "messages": self.messages,
            "model": self.settings.model,
            "max_tokens": self.settings.max_tokens,
            "temperature": self.settings.temperature,
            # Under the grammar, `response_format: null` and the grammar; else the
            # draft's schema as the json_schema response format.
            **(self.grammar or {"response_format": response_format()}),
        }

    def read(self, reply: Reply) -> _Answer:
        """One reply as an answer, validated with the article as context."""
        raw = reply.content
        self.usage.add(reply.prompt_tokens, reply.completion_tokens)
        if reply.finish_reason == "length":
            return _Answer(draft=None, raw=raw, truncated=True)
        try:
            draft = Draft.model_validate_json(raw, context=as_pydantic(self.ctx), strict=False)
        except ValidationError as exc:
            return _Answer(draft=None, raw=raw, errors=format_errors(exc))
        return _Answer(draft=draft, raw=raw)

    def transport_failed(self, exc: TransportError) -> TransportError:
        """`exc` with the whole call's cost, not only the failed answer's."""
        exc.requests, exc.usage = self.requests, self.usage
        return exc

    def settle(
        self, round_no: int, answer: _Answer, backend: Backend, base_url: str
    ) -> Result | None:
        """The result if `answer` (or its repair) is good; None to ask again; raises when
        asking again cannot help."""
        settings = self.settings
        self.answer = answer
        if answer.truncated:
            raise OutputTruncatedError(
                f"the model's answer was cut off at the {settings.max_tokens}-token limit "
                f"(attempt {round_no}); not re-asked, as the same request would be cut off again",
                requests=self.requests,
                usage=self.usage,
                last_raw=answer.raw,
            )
        if answer.draft is None and answer.raw is not None:
            # A summary copying a message to machines, or a phase its own status
            # contradicts, is asked about once before code fixes it: the model may
            # correct more than code can (the phase may have followed that message too).
            fixed, changes = repair(
                answer.raw,
                self.ctx,
                second_thoughts=round_no > 1 or round_no == settings.max_answers,
            )
            if fixed is not None:
                self.history.append(answer.errors)
                answer = self.answer = _Answer(draft=fixed, raw=answer.raw)
                self.repairs.extend(changes)
        if answer.draft is not None:
            self.repairs.extend(drop_repeated_claims(answer.draft))
            self.repairs.extend(attribute_quoted_status(answer.draft, self.ctx))
            brief, evidence = cite(answer.draft, self.ctx)
            meta = Meta(
                model=settings.model,
                backend=backend,
                base_url=public_url(base_url),
                prompt_version=prompts.prompt_version(),
                schema_version=SCHEMA_VERSION,
                requests=self.requests,
                reasks=round_no - 1,
                transport_retries=self.requests - round_no,
                usage=self.usage,
                latency_s=round(time.monotonic() - self.started, 3),
                validation_errors=self.history,
                repairs=self.repairs,
                warnings=[f.warning() for f in self.ctx.flags],
            )
            return Result(brief=brief, meta=meta, evidence=evidence)
        self.history.append(answer.errors)
        if round_no < settings.max_answers:
            self.notify(f"answer rejected ({len(answer.errors)} problem(s)); asking again")
            self.messages = reask_messages(self.base, answer.raw or "", answer.errors)
        return None

    def give_up(self) -> NoReturn:
        """No answer left to ask for: the error that says what was spent and why."""
        settings, answer = self.settings, self.answer
        if answer is None:  # the deadline passed before a single answer (cannot happen today)
            raise TransportError(
                f"the call's {settings.deadline:g}s deadline passed before any answer",
                requests=self.requests,
                usage=self.usage,
            )
        spent = len(self.history)
        within = (
            f"within the {settings.deadline:g}s deadline ({spent} of {settings.max_answers} "
            "attempts used)"
            if spent < settings.max_answers
            else f"after {settings.max_answers} attempt(s)"
        )
        raise NoValidBriefError(
            f"no valid brief {within}; last problems: "
            + "; ".join(p.line() for p in answer.errors[:3]),
            requests=self.requests,
            usage=self.usage,
            errors=[p.line() for p in answer.errors],
            problems=answer.errors,
            last_raw=answer.raw,
        )


def run(
    article: str,
    settings: Settings,
    *,
    connection: Callable[[], tuple[Connection, Gate | None]] | None = None,
    client: openai.OpenAI | None = None,
    progress: Progress | None = None,
) -> Result:
    """One call on the sync client. `connection()` gives the connection (and the gate
    its senders share); it is asked only once the article passed its checks, so bad
    input never starts a server. Without it, a connection is made for this call.
    """
    call = Call(article, settings, progress=progress)
    if connection is not None:
        conn, gate = connection()
    else:
        conn, gate = connect(settings, client=client, progress=progress), None
    sync = conn.client
    call.start()

    def ask() -> _Answer:
        body = sync.post(CHAT_PATH, cast_to=bytes, body=call.body(), options=CHAT_OPTIONS)
        return call.read(read_reply(body))

    with call_limit(call.deadline.request_limit), call.watching(conn):
        for round_no in call.rounds():
            try:
                answer = send(
                    ask,
                    settings,
                    on_request=call.counted,
                    on_retry=call.retried,
                    deadline_at=call.deadline.at,
                    gate=gate,
                )
            except TransportError as exc:
                raise call.transport_failed(exc) from None
            result = call.settle(round_no, answer, conn.backend, conn.base_url)
            if result is not None:
                return result
    call.give_up()


async def arun(
    article: str,
    settings: Settings,
    *,
    connection: Callable[[], Awaitable[tuple[Connection, Gate | None]]],
    progress: Progress | None = None,
) -> Result:
    """`run` on the async client: the same requests, byte for byte, and the same errors."""
    call = Call(article, settings, progress=progress)
    conn, gate = await connection()
    call.start()
    return await adrive(call, conn, gate)


async def adrive(call: Call, conn: Connection, gate: Gate | None, *, answered: int = 0) -> Result:
    """Ask for `call`'s answers on the async client until one is good. `answered`: rounds
    already settled elsewhere (an OpenAI Batch API answer), so this goes on with a re-ask."""
    settings = call.settings
    client = conn.async_client

    async def ask() -> _Answer:
        body = await client.post(CHAT_PATH, cast_to=bytes, body=call.body(), options=CHAT_OPTIONS)
        return call.read(read_reply(body))

    with call_limit(call.deadline.request_limit), call.watching(conn):
        for round_no in itertools.islice(call.rounds(), answered, None):
            try:
                answer = await asend(
                    ask,
                    settings,
                    on_request=call.counted,
                    on_retry=call.retried,
                    deadline_at=call.deadline.at,
                    gate=gate,
                )
            except TransportError as exc:
                raise call.transport_failed(exc) from None
            result = call.settle(round_no, answer, conn.backend, conn.base_url)
            if result is not None:
                return result
    call.give_up()
