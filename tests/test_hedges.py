"""The hedged-sentence hint: which sentences carry a hedging word."""

from __future__ import annotations

import pytest

from summarizer._text._hedges import basis, hedged, hint
from summarizer.schemas import Basis


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


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The company denied it may have lost data.", Basis.disputed),
        ("An official who asked to remain anonymous said talks stalled.", Basis.anonymous_source),
        ("He is accused of taking bribes.", Basis.alleged),
        ("It is not yet known where the ferries will dock.", Basis.unknown),
        ("A ruling is expected in March.", Basis.pending),
        ("At least 40 people were hurt, according to the council.", Basis.unconfirmed),
        ("The toll could rise.", Basis.speculative),
        ("The council voted 7 to 2 on Tuesday.", Basis.unconfirmed),  # no hedge word
    ],
)
def test_the_basis_is_the_strongest_hedge_in_the_cited_sentences(
    sentence: str, expected: Basis
) -> None:
    assert basis([sentence]) == expected


def test_every_hedging_word_gives_a_basis_from_its_own_group() -> None:
    # A word in the hint lexicon but in no basis group would silently read as "unconfirmed".
    assert basis(["The toll could rise.", "He denied it."]) == Basis.disputed
    assert basis([]) == Basis.unconfirmed
