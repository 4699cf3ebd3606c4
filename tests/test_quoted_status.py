"""A status that states one party's quoted words as fact is attributed to that party
(issue 15: the status is the reporter's account, not a quote from one side)."""

from __future__ import annotations

from typing import Any

import pytest
from fakeopenai import FakeOpenAI, reply_json

import summarizer
from summarizer._result import Result

ARTICLE = (
    "Miners at the Saltrane pit stayed out on strike on Monday for a third week.\n\n"
    'Union secretary Marguerite Ducasse said the strike would go on "for as long as it '
    'takes". The company said it was ready to talk.\n\n'
    "Prosecutor Leena Vasquez said documents had been seized. "
    '"The investigation is continuing and no conclusions have been drawn," she said.'
)


def answer(latest: str) -> dict[str, Any]:
    return {
        "event": {
            "summary": "Miners at the Saltrane pit stayed out on strike.",
            "category": "protest",
            "when": "Monday",
            "where": None,
        },
        "actors": [
            {"name": "Marguerite Ducasse", "kind": "person", "role": "union secretary"},
            {"name": "Leena Vasquez", "kind": "person", "role": "prosecutor"},
        ],
        "status": {"latest": latest, "phase": "ongoing"},
        "uncertainties": [],
    }


def brief(latest: str) -> Result:
    with FakeOpenAI([reply_json(answer(latest))]) as srv:
        return summarizer.summarize_detailed(
            ARTICLE, backend="openai", base_url=srv.base_url, model="m", api_key="k"
        )


@pytest.mark.parametrize(
    ("latest", "after", "sentence"),
    [
        (
            "The strike will go on for as long as it takes.",
            "The strike will go on for as long as it takes, according to Marguerite Ducasse.",
            2,
        ),
        (
            # "…," she said: the speaker is named in the sentence before.
            "The investigation is continuing and no conclusions have been drawn.",
            "The investigation is continuing and no conclusions have been drawn, according to "
            "Leena Vasquez.",
            5,
        ),
    ],
)
def test_a_status_stating_a_quote_as_fact_is_attributed(
    latest: str, after: str, sentence: int
) -> None:
    result = brief(latest)
    assert result.brief.status.summary == after
    [change] = result.meta.repairs
    assert (change.kind, change.before, change.after) == ("unattributed_quote", latest, after)
    assert f"quoted in sentence {sentence}" in change.message


@pytest.mark.parametrize(
    "latest",
    [
        "Ducasse said the strike would go on for as long as it takes.",  # attributed already
        "Miners at the Saltrane pit stayed out on strike for a third week.",  # no quote
    ],
)
def test_the_reporters_account_is_left_as_it_is(latest: str) -> None:
    result = brief(latest)
    assert result.brief.status.summary == latest
    assert result.meta.repairs == []
