"""The hedged-sentence hint: which sentences carry a hedging word."""

from __future__ import annotations

import pytest

from summarizer._hedges import hedged, hint


@pytest.mark.parametrize(
    "sentence",
    [
        "The minister reportedly resigned on Friday.",
        "Officials said the toll may rise.",
        "The cause is not yet known.",
        "According to unnamed sources, talks stalled.",
        "The company denied the claims.",
        "Police are investigating the fire.",
        "At least 40 people were hurt.",
        "The deal is expected to close in March.",
    ],
)
def test_hedging_words_mark_a_sentence(sentence: str) -> None:
    assert hedged([sentence]) == [1]


@pytest.mark.parametrize(
    "sentence",
    [
        "The council voted 7 to 2 on Tuesday.",
        "Mayhem followed the final whistle.",  # "may" only as a whole word
        "The couldron stood empty.",
        "She is a sourcing manager.",
    ],
)
def test_plain_statements_do_not(sentence: str) -> None:
    assert hedged([sentence]) == []


def test_hint_lists_numbers_in_order_or_says_none() -> None:
    sentences = ["A ship sank.", "Two may be missing.", "Help came.", "It is unclear why."]
    assert hint(sentences) == "2, 4"
    assert hint(["A ship sank."]) == "none"
