"""Reading a chat completion's JSON body: the four fields the pipeline uses, typed, and
every body that is not a chat completion refused as a transport fault (retried)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from summarizer._pipeline._request import Reply, read_reply
from summarizer._pipeline._retry import MalformedResponseError


def completion(content: Any = "{}", **choice: Any) -> dict[str, Any]:
    first = {"index": 0, "message": {"role": "assistant", "content": content}, **choice}
    return {"id": "c", "object": "chat.completion", "choices": [first]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {
                **completion("hi", finish_reason="stop"),
                "usage": {"prompt_tokens": 7, "completion_tokens": 3},
            },
            Reply("hi", "stop", 7, 3),
        ),
        (completion("cut", finish_reason="length"), Reply("cut", "length", 0, 0)),
        # Left out, null or not a whole number: the count is 0, the reason unknown.
        ({**completion("x"), "usage": None}, Reply("x", None, 0, 0)),
        (
            {
                **completion("x", finish_reason=None),
                "usage": {"prompt_tokens": None, "completion_tokens": 2},
            },
            Reply("x", None, 0, 2),
        ),
        (
            {
                **completion("x", finish_reason=5),
                "usage": {"prompt_tokens": True, "completion_tokens": 1.5},
            },
            Reply("x", None, 0, 0),
        ),
    ],
)
def test_the_fields_the_pipeline_reads(body: dict[str, Any], expected: Reply) -> None:
    assert read_reply(body) == expected
    assert read_reply(json.dumps(body).encode()) == expected


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<html>bad gateway</html>", "JSONDecodeError"),
        (b'{"choices": "\xff"}', "UnicodeDecodeError"),
        (b'{"error": {"message": "overloaded"}}', "not a chat completion"),
        (b"[]", "not a chat completion"),
        (b'{"choices": []}', "not a chat completion"),
        (b'{"choices": [{"text": "legacy completion"}]}', "not a chat completion"),
        (b'{"choices": [{"message": "hi"}]}', "not a chat completion"),
        (json.dumps(completion(None)).encode(), "no text content"),
        (json.dumps(completion(["part"])).encode(), "no text content"),
    ],
)
def test_a_body_that_is_not_a_chat_completion_is_a_transport_fault(body: bytes, says: str) -> None:
    with pytest.raises(MalformedResponseError, match=says):
        read_reply(body)
