"""Briefs as text and Markdown: every field shown once, in reading order."""

from __future__ import annotations

from typing import Any

import pytest

from schemas import Brief
from summarizer._render import as_markdown, as_text

SUMMARY = "The council voted to close the ferry pier."


def brief(headline: str) -> Brief:
    data: dict[str, Any] = {
        "headline": headline,
        "event": {
            "summary": SUMMARY,
            "category": "policy_or_legislation",
            "when": "Tuesday",
            "where": None,
            "evidence": [],
        },
        "actors": [{"name": "Ilse Brandt", "kind": "person", "role": "mayor", "evidence": []}],
        "status": {"phase": "scheduled", "summary": "Closure due in May.", "evidence": []},
        "uncertainties": [
            {
                "claim": "dock site not yet known",
                "basis": "unknown",
                "according_to": "Ilse Brandt",
                "evidence": [],
            }
        ],
    }
    return Brief.model_validate(data)


@pytest.mark.parametrize("render", [as_text, as_markdown])
def test_a_headline_that_is_the_event_summary_is_shown_once(render: Any) -> None:
    out = render(brief(SUMMARY))
    assert out.count(SUMMARY) == 1
    assert "policy or legislation" in out and "Closure due in May." in out
    assert "dock site not yet known" in out and "according to Ilse Brandt" in out


@pytest.mark.parametrize("render", [as_text, as_markdown])
def test_a_headline_of_its_own_keeps_the_summary_under_it(render: Any) -> None:
    out = render(brief("Pier to close"))
    assert out.splitlines()[0].endswith("Pier to close")
    assert out.count(SUMMARY) == 1
    assert out.index("Pier to close") < out.index(SUMMARY)
