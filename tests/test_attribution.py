"""Who says so: `according_to` read from the sentence an uncertainty cites."""

from __future__ import annotations

import pytest

from summarizer._text._attribution import source

NAMES = ["Harbor Council of Velmora", "Ilse Brandt", "police"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Ilse Brandt said the pier may be unsafe.", "Ilse Brandt"),
        ("Brandt, the mayor of the town, said repairs could take a year.", "Ilse Brandt"),
        ("The work may last a year, according to the Harbor Council of Velmora.",
         "Harbor Council of Velmora"),
        ("The fire was probably arson, said police on Friday.", "police"),
        ("Police denied that anyone was hurt.", "police"),
    ],
)  # fmt: skip
def test_a_source_the_sentence_names_next_to_a_reporting_verb(sentence: str, expected: str) -> None:
    assert source([sentence], NAMES) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Ilse Brandt is reported to be unwell.",  # named, but as the subject, not the source
        "The pier may be unsafe, an unnamed official said.",
        "It is not yet known where the ferries will dock.",
        "Brandtville officials said the pier may close.",  # a name inside another word
    ],
)
def test_no_attribution_in_the_sentence_gives_no_source(sentence: str) -> None:
    assert source([sentence], NAMES) is None


def test_new_names_reuse_the_compiled_patterns() -> None:
    # The boundary classes take milliseconds to compile: a name must be data, not a new
    # pattern (fails when the phrase is spliced into the regex again).
    from summarizer.schemas._text import _phrase_finder, contains_phrase

    source(["Someone said it."], ["Someone"])
    contains_phrase("a b", "b")
    before = _phrase_finder.cache_info().currsize
    names = [f"Person{i} Name{i}" for i in range(50)]
    assert source([f"{n} said so." for n in names[-1:]], names) == names[-1]
    assert all(contains_phrase(f"x {n.casefold()} y", n.casefold()) for n in names)
    assert _phrase_finder.cache_info().currsize == before
