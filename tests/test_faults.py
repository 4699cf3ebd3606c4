"""Faults, driven through the real pipeline against a real (fake) HTTP server.

Every test sends real HTTP to FakeOpenAI on loopback with the real openai client,
instructor and tenacity underneath, then checks what the pipeline claims against
what the server saw: the number of requests, the gaps between them, the messages
sent, and the tokens reported on every answer, failed ones included.
"""

from __future__ import annotations

import copy
import json
import time
import traceback
from typing import Any

import openai
import pytest
from drafts import ACTORS, ARTICLE, SENTENCES, VALID, draft
from fakeopenai import Action, FakeOpenAI, drop, hang, malformed, reply_json, status

import summarizer
from summarizer import NoValidBriefError, OutputTruncatedError, TransportError
from summarizer._result import Result
from summarizer._text._sentences import split_sentences

KEY = "sk-test-SECRETSECRETSECRET1234"

SPLIT = split_sentences(ARTICLE)
NO_STATUS = {k: v for k, v in VALID.items() if k != "status"}  # violates the schema


def answer(obj: dict[str, Any], prompt: int = 100, completion: int = 50, **kw: Any) -> Action:
    return reply_json(obj, prompt_tokens=prompt, completion_tokens=completion, **kw)


def serve(*script: Action) -> FakeOpenAI:
    # lifetime_s bounds every test: a runaway retry loop meets a closed port.
    return FakeOpenAI(list(script), max_requests=20, lifetime_s=10.0)


def run(srv: FakeOpenAI, **options: Any) -> Result:
    settings: dict[str, Any] = {
        "backend": "openai",
        "base_url": srv.base_url,
        "model": "fake-model",
        "api_key": KEY,
        "timeout": 2.0,
        "max_attempts": 3,
        "max_retries": 2,
        "retry_wait_base": 0.01,
        "retry_wait_max": 0.5,
        "deadline": 10.0,
    }
    settings.update(options)
    if "client" in options:  # the endpoint and key are the client's own
        for name in ("backend", "base_url", "api_key"):
            settings.pop(name)
    return summarizer.summarize_detailed(ARTICLE, **settings)


def messages(srv: FakeOpenAI, index: int) -> list[dict[str, str]]:
    body = srv.chat_requests[index].json
    assert isinstance(body, dict)
    return list(body["messages"])


def assert_no_key(*texts: str) -> None:
    for text in texts:
        assert KEY not in text
        assert "SECRETSECRET" not in text


def assert_clean_error(exc: BaseException) -> None:
    """One line, and the key nowhere: not in the message, repr, or a --debug traceback."""
    message = str(exc)
    assert message and "\n" not in message
    assert_no_key(message, repr(exc), "".join(traceback.format_exception(exc)))


def assert_good_brief(result: Result) -> None:
    brief = result.brief
    assert [a.name for a in brief.actors] == ACTORS
    assert brief.event.evidence == [SENTENCES[0]]
    assert brief.status.evidence == [SENTENCES[2]]
    assert_no_key(repr(result.meta), result.meta.model_dump_json(), repr(result))


def test_article_splits_into_the_four_sentences_the_answers_cite() -> None:
    assert SPLIT == SENTENCES


def test_valid_first_answer_one_request_key_sent_but_never_shown() -> None:
    with serve(answer(VALID, 321, 54)) as srv:
        result = run(srv)
    assert_good_brief(result)
    meta = result.meta
    assert len(srv.chat_requests) == meta.attempts == 1
    assert (meta.reasks, meta.transport_retries) == (0, 0)
    assert (meta.usage.prompt_tokens, meta.usage.completion_tokens) == (321, 54)
    assert (meta.model, meta.backend) == ("fake-model", "openai")
    # The key really was used (so its absence from meta is not vacuous) ...
    assert srv.chat_requests[0].headers["authorization"] == f"Bearer {KEY}"
    # ... and the request is the plain two-message prompt with the numbered article.
    sent = messages(srv, 0)
    assert [m["role"] for m in sent] == ["system", "user"]
    assert f"\n2 {SENTENCES[1]}\n" in sent[1]["content"]


def test_429_waits_for_retry_after_then_succeeds() -> None:
    shown: list[str] = []
    with serve(status(429, headers={"Retry-After": "0.3"}), answer(VALID, 200, 40)) as srv:
        result = run(srv, progress=shown.append)
    assert_good_brief(result)
    first, second = srv.chat_requests
    assert second.t - first.t >= 0.3  # the backoff alone would be ~0.01 s
    assert result.meta.attempts == 2
    assert (result.meta.reasks, result.meta.transport_retries) == (0, 1)
    assert (result.meta.usage.prompt_tokens, result.meta.usage.completion_tokens) == (200, 40)
    assert any("HTTP 429" in m and "retrying" in m for m in shown)


@pytest.mark.parametrize("code", [500, 503])
def test_server_errors_are_retried_then_succeed(code: int) -> None:
    with serve(status(code), status(code), answer(VALID, 150, 30)) as srv:
        result = run(srv)
    assert_good_brief(result)
    assert len(srv.chat_requests) == result.meta.attempts == 3
    assert (result.meta.reasks, result.meta.transport_retries) == (0, 2)
    assert (result.meta.usage.prompt_tokens, result.meta.usage.completion_tokens) == (150, 30)


def test_hang_past_the_client_timeout_is_retried() -> None:
    started = time.monotonic()
    with serve(hang(5.0, then=answer(VALID)), answer(VALID, 120, 35)) as srv:
        result = run(srv, timeout=0.3)
    assert time.monotonic() - started < 3.0  # the 5 s hang was abandoned, not waited out
    assert_good_brief(result)
    first, second = srv.chat_requests
    assert second.t - first.t >= 0.3  # the client waited its timeout before retrying
    assert len(srv.chat_requests) == result.meta.attempts == 2
    assert result.meta.transport_retries == 1
    # The answer the server never delivered costs nothing.
    assert (result.meta.usage.prompt_tokens, result.meta.usage.completion_tokens) == (120, 35)


def test_dropped_connection_is_retried() -> None:
    with serve(drop(), answer(VALID, 110, 25)) as srv:
        result = run(srv)
    assert_good_brief(result)
    assert len(srv.chat_requests) == result.meta.attempts == 2
    assert (result.meta.reasks, result.meta.transport_retries) == (0, 1)
    assert (result.meta.usage.prompt_tokens, result.meta.usage.completion_tokens) == (110, 25)


def test_malformed_body_is_a_transport_fault_not_a_model_answer() -> None:
    # openai lets a non-JSON 200 body escape as a bare json.JSONDecodeError; it is the
    # connection that failed, so it is retried, not re-asked (which would send the
    # model an empty "previous answer" and spend a validation attempt).
    with serve(malformed(), answer(VALID, 130, 45)) as srv:
        result = run(srv)
    assert_good_brief(result)
    assert len(srv.chat_requests) == result.meta.attempts == 2
    assert (result.meta.reasks, result.meta.transport_retries) == (0, 1)
    assert result.meta.validation_errors == []
    assert len(messages(srv, 1)) == 2  # the same request again, no re-ask messages


@pytest.mark.parametrize(
    ("action", "code", "phrase"),
    [
        (status(500), 500, "HTTP 500"),
        (status(503), 503, "HTTP 503"),
        (status(429, headers={"Retry-After": "0"}), 429, "HTTP 429"),
        (drop(), None, "connection failed"),
        (malformed(), None, "malformed"),
        (hang(5.0), None, "timed out"),
    ],
    ids=["500", "503", "429", "drop", "malformed", "hang"],
)
def test_retries_exhausted_raise_transport_error(
    action: Action, code: int | None, phrase: str
) -> None:
    with serve(action) as srv, pytest.raises(TransportError) as info:
        run(srv, max_retries=2, timeout=0.2)
    err = info.value
    assert len(srv.chat_requests) == err.attempts == 3  # max_retries + 1
    assert err.exit_code == 3
    assert err.status == code
    assert phrase in str(err) and "after 3 request(s)" in str(err)
    assert_clean_error(err)


@pytest.mark.parametrize("code", [400, 401, 403, 404])
def test_client_errors_are_never_retried(code: int) -> None:
    # Real providers echo (part of) a bad key back in the error body.
    body = {"error": {"message": f"Incorrect API key provided: {KEY}", "type": "invalid"}}
    with (
        serve(status(code, body=body), answer(VALID)) as srv,
        pytest.raises(TransportError) as info,
    ):
        run(srv, max_retries=3)
    err = info.value
    assert len(srv.chat_requests) == err.attempts == 1
    assert err.status == code and err.exit_code == 3
    assert f"HTTP {code}" in str(err)
    assert_clean_error(err)
    if code in (401, 403):
        assert "OPENAI_API_KEY" in str(err)  # the hint says what to check, not the key


def test_schema_violation_is_reasked_and_every_answer_is_counted() -> None:
    with serve(answer(NO_STATUS, 300, 70), answer(VALID, 310, 60)) as srv:
        result = run(srv)
    assert_good_brief(result)
    meta = result.meta
    assert len(srv.chat_requests) == meta.attempts == 2
    assert (meta.reasks, meta.transport_retries) == (1, 0)
    assert len(meta.validation_errors) == 1
    assert any(e.field.startswith("status") for e in meta.validation_errors[0])
    assert {e.kind for e in meta.validation_errors[0]} == {"schema"}  # a missing section
    assert "status" in messages(srv, 1)[3]["content"]  # the problem went back to the model
    assert (meta.usage.prompt_tokens, meta.usage.completion_tokens) == (610, 130)
    assert meta.repairs == []


def test_one_invented_actor_among_valid_ones_is_repaired_without_reask() -> None:
    invented = draft(actors=[*ACTORS, "Port Authority of Dunmore"])
    with serve(answer(invented, 140, 66), answer(VALID)) as srv:
        result = run(srv)
    assert_good_brief(result)  # the invented actor is gone, the named ones stay
    meta = result.meta
    assert len(srv.chat_requests) == meta.attempts == 1
    assert meta.reasks == 0
    assert len(meta.repairs) == 1
    repair = meta.repairs[0]
    assert (repair.kind, repair.field) == ("unnamed_actor", "actors.2")
    assert (repair.before, repair.after) == ("Port Authority of Dunmore", None)
    assert "not named in the article" in repair.message
    assert (meta.usage.prompt_tokens, meta.usage.completion_tokens) == (140, 66)


def test_a_citation_of_a_missing_sentence_is_dropped_without_reask() -> None:
    cites_missing = copy.deepcopy(VALID)
    cites_missing["uncertainties"][0]["evidence"] = [4, 99]
    with serve(answer(cites_missing), answer(VALID)) as srv:
        result = run(srv)
    assert len(srv.chat_requests) == result.meta.attempts == 1
    (repair,) = result.meta.repairs
    assert repair.line() == "uncertainties.0.evidence: dropped citation of missing sentence(s) [99]"
    assert (repair.kind, repair.before, repair.after) == ("missing_sentence", [4, 99], [4])
    assert result.brief.uncertainties[0].evidence == [SENTENCES[3]]


def test_only_actor_invented_is_reasked_with_the_answer_and_its_problem() -> None:
    invented = draft(actors=["Konrad Vesh"])
    with serve(answer(invented, 90, 20), answer(VALID, 95, 25)) as srv:
        result = run(srv)
    assert_good_brief(result)
    meta = result.meta
    assert len(srv.chat_requests) == meta.attempts == 2
    assert (meta.reasks, meta.repairs) == (1, [])
    (problem,) = meta.validation_errors[0]
    assert (problem.kind, problem.field, problem.value) == (
        "unnamed_actor",
        "actors.0.name",
        "Konrad Vesh",
    )
    assert problem.line() in messages(srv, 1)[3]["content"]  # the same words went back
    assert (meta.usage.prompt_tokens, meta.usage.completion_tokens) == (185, 45)

    first, second = messages(srv, 0), messages(srv, 1)
    assert second[:2] == first  # the original system + user messages, unchanged
    assert len(second) == 4
    assert second[2] == {"role": "assistant", "content": json.dumps(invented)}
    assert second[3]["role"] == "user"
    assert "Konrad Vesh" in second[3]["content"]
    assert "is not named in the article" in second[3]["content"]


GHOSTS = ["Konrad Vesh", "Marta Quell", "Otto Rainier"]


def test_reask_context_stays_bounded() -> None:
    answers = [draft(actors=[g]) for g in GHOSTS]
    with serve(*(answer(a) for a in answers)) as srv, pytest.raises(NoValidBriefError):
        run(srv, max_attempts=3)
    assert len(srv.chat_requests) == 3
    third = messages(srv, 2)
    assert len(third) == 4  # system, user, the LAST answer, its problems: never more
    assert third[:2] == messages(srv, 0)
    assert third[2] == {"role": "assistant", "content": json.dumps(answers[1])}
    assert "Marta Quell" in third[3]["content"]
    assert "Konrad Vesh" not in json.dumps(third)


def test_all_answers_invalid_raise_no_valid_brief_with_the_full_account() -> None:
    answers = [draft(actors=[g]) for g in GHOSTS]
    tokens = [(100, 10), (200, 20), (400, 40)]
    script = [answer(a, p, c) for a, (p, c) in zip(answers, tokens, strict=True)]
    with serve(*script) as srv, pytest.raises(NoValidBriefError) as info:
        run(srv, max_attempts=3, max_retries=4)
    err = info.value
    assert not isinstance(err, OutputTruncatedError)
    assert err.exit_code == 4
    assert len(srv.chat_requests) == err.attempts == 3
    assert (err.usage.prompt_tokens, err.usage.completion_tokens) == (700, 70)
    assert err.last_raw == json.dumps(answers[2])
    assert any("Otto Rainier" in e for e in err.errors)
    assert "Otto Rainier" in str(err)
    assert_clean_error(err)


def test_answer_cut_at_the_token_limit_is_not_reasked() -> None:
    cut = answer(VALID, 500, 1536, finish_reason="length")
    with serve(cut, answer(VALID)) as srv, pytest.raises(OutputTruncatedError) as info:
        run(srv, max_attempts=3)
    err = info.value
    assert err.exit_code == 4
    assert len(srv.chat_requests) == err.attempts == 1
    assert (err.usage.prompt_tokens, err.usage.completion_tokens) == (500, 1536)
    assert err.last_raw == json.dumps(VALID)
    assert "token limit" in str(err)
    assert_clean_error(err)


def test_openai_client_retries_are_off() -> None:
    with serve(status(500), answer(VALID)) as srv, pytest.raises(TransportError) as info:
        run(srv, max_retries=0)
    assert len(srv.chat_requests) == info.value.attempts == 1
    assert info.value.status == 500


def test_a_callers_client_has_its_retries_switched_off() -> None:
    with (
        serve(status(500), answer(VALID)) as srv,
        openai.OpenAI(base_url=srv.base_url, api_key=KEY, max_retries=5) as client,
        pytest.raises(TransportError) as info,
    ):
        run(srv, client=client, max_retries=0)
    assert len(srv.chat_requests) == info.value.attempts == 1


def test_retries_and_reasks_add_up() -> None:
    invented = draft(actors=["Konrad Vesh"])
    script = [status(503), answer(invented, 100, 11), drop(), answer(VALID, 100, 22)]
    with serve(*script) as srv:
        result = run(srv)
    assert_good_brief(result)
    meta = result.meta
    assert len(srv.chat_requests) == meta.attempts == 4
    assert (meta.reasks, meta.transport_retries) == (1, 2)
    assert (meta.usage.prompt_tokens, meta.usage.completion_tokens) == (200, 33)
    assert len(messages(srv, 3)) == 4  # the retry after the drop re-sends the re-ask


def test_deadline_covers_the_whole_call_not_each_answer() -> None:
    # First answer after a 0.8 s Retry-After; the second 0.8 s wait would end past the
    # 1.2 s deadline, so it is not started, though that answer has waited nothing yet.
    wait = status(429, headers={"Retry-After": "0.8"})
    invented = draft(actors=["Konrad Vesh"])
    script = [wait, answer(invented, 100, 10), wait, answer(VALID)]
    with serve(*script) as srv, pytest.raises(TransportError) as info:
        run(srv, deadline=1.2, max_retries=3)
    err = info.value
    assert len(srv.chat_requests) == err.attempts == 3
    assert err.status == 429
    assert (err.usage.prompt_tokens, err.usage.completion_tokens) == (100, 10)


def test_retry_after_beyond_the_deadline_is_not_waited_for() -> None:
    started = time.monotonic()
    with (
        serve(status(429, headers={"Retry-After": "30"}), answer(VALID)) as srv,
        pytest.raises(TransportError) as info,
    ):
        run(srv, deadline=2.0, max_retries=3)
    assert time.monotonic() - started < 2.0
    assert len(srv.chat_requests) == info.value.attempts == 1
    assert "rate limited" in str(info.value)


def test_meta_serialises_without_the_key() -> None:
    with serve(status(503), answer(NO_STATUS), answer(VALID)) as srv:
        result = run(srv)
    dumped = json.loads(result.meta.model_dump_json())
    assert dumped["attempts"] == 3 and dumped["usage"]["prompt_tokens"] == 200
    assert_no_key(repr(result.meta), result.meta.model_dump_json(), str(result.meta))
