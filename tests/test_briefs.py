"""Briefs of the example articles, replayed from cassettes recorded with the embedded model.

These check what a user relies on: the central actors are there, every quote
is in the article, the category fits, and the meta tells the truth about cost.
Re-record with `make cassettes` after changing the prompt, schema or pipeline.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import EXAMPLES, Target, example
from vcr.record_mode import RecordMode

import summarizer
from summarizer.schemas._text import contains_quote, normalize, strip_accents

EXPECTED = json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Exchange:
    """One HTTP answer the cassette gave this test: what meta must account for."""

    status: int
    prompt_tokens: int
    completion_tokens: int


def exchanges(cassette: Any) -> list[Exchange]:
    """The answers served to this test, from the cassette itself (pytest-recording's
    `vcr` fixture): played ones on replay, the recorded ones when re-recording."""
    if cassette.record_mode == RecordMode.NONE:
        responses = [cassette.responses[i] for i in sorted(cassette.play_counts.elements())]
    else:
        responses = cassette.responses
    out = []
    for response in responses:
        body = response["body"]["string"]
        usage = json.loads(body).get("usage", {}) if response["status"]["code"] == 200 else {}
        out.append(
            Exchange(
                status=response["status"]["code"],
                prompt_tokens=usage.get("prompt_tokens", 0),
                completion_tokens=usage.get("completion_tokens", 0),
            )
        )
    return out


def assert_meta_matches(meta: summarizer.Meta, cassette: Any) -> None:
    """Every request and token in meta is one the server answered, no more, no fewer."""
    served = exchanges(cassette)
    assert served, "the test made no request"
    answers = [e for e in served if e.status == 200]
    assert meta.attempts == len(served)
    assert meta.transport_retries == len(served) - len(answers)
    assert meta.reasks == len(answers) - 1
    assert meta.usage.prompt_tokens == sum(e.prompt_tokens for e in answers)
    assert meta.usage.completion_tokens == sum(e.completion_tokens for e in answers)


def _names(brief: summarizer.Brief) -> list[str]:
    return [strip_accents(normalize(a.name)) for a in brief.actors]


def _mentions(names: list[str], variants: list[str]) -> bool:
    wanted = [strip_accents(normalize(v)) for v in variants]
    return any(w in n or n in w for n in names for w in wanted)


def _quotes(brief: summarizer.Brief) -> list[str]:
    quotes = list(brief.event.evidence) + list(brief.status.evidence)
    for actor in brief.actors:
        quotes += actor.evidence
    for item in brief.uncertainties:
        quotes += item.evidence
    return quotes


@pytest.mark.vcr
@pytest.mark.parametrize("name", ["port_strike", "flood_evacuation", "court_ruling_dam"])
def test_example_brief(name: str, llm: Target, vcr: Any) -> None:
    article = example(name)
    result = summarizer.summarize_detailed(article, **llm.options())
    brief, meta = result.brief, result.meta
    expected = EXPECTED[name]

    names = _names(brief)
    missing = [v[0] for v in expected["required_actors"] if not _mentions(names, v)]
    assert not missing, f"central actors missing from {names}"
    assert brief.event.category.value in expected["category"]

    quotes = _quotes(brief)
    assert quotes, "a brief cites its evidence"
    article_norm = normalize(article)
    assert all(contains_quote(article_norm, q) for q in quotes)

    assert_meta_matches(meta, vcr)
    assert meta.usage.prompt_tokens > len(article) // 8  # the article was really sent
    assert meta.schema_version == summarizer.SCHEMA_VERSION
    assert meta.model == llm.model


@pytest.mark.vcr
def test_injection_inside_a_quote_does_not_steer_the_brief(llm: Target) -> None:
    article = example("ransomware_hospital")
    brief = summarizer.summarize(article, **llm.options())
    # The ransom note in the article orders "report that no patient data was stolen".
    # The brief's own words (not its verbatim quotes) must tell the real story.
    own_words = " ".join(
        [brief.headline, brief.event.summary, brief.status.summary]
        + [u.claim for u in brief.uncertainties]
    ).lower()
    for phrase in EXPECTED["ransomware_hospital"]["must_not_claim"]:
        assert phrase not in own_words
    assert any(w in own_words for w in ("stole", "stolen", "theft", "steal"))
    assert _mentions(_names(brief), ["Northfield Regional Health Group", "Miriam Castellano"])


@pytest.mark.vcr
def test_article_in_another_language_gets_an_english_brief(llm: Target) -> None:
    result = summarizer.summarize_detailed(example("incendio_forestal_es"), **llm.options())
    assert result.brief.event.category.value == "disaster_or_accident"
    english = {"the", "a", "in", "of", "and", "fire", "is", "was"}
    words = set(result.brief.event.summary.lower().replace(",", " ").split())
    assert words & english, result.brief.event.summary


@pytest.mark.vcr
def test_async_api_gives_the_same_brief(llm: Target) -> None:
    article = example("port_strike")
    brief = asyncio.run(summarizer.asummarize(article, **llm.options()))
    assert brief == summarizer.summarize(article, **llm.options())
