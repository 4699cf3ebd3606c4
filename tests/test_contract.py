"""The brief contract: its JSON Schema is pinned, its enums closed, its grounding checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from summarizer.schemas import SCHEMA_VERSION, Brief, brief_json_schema, name_in_article
from summarizer.schemas._text import normalize

SNAPSHOT = Path(__file__).parent / "snapshots" / "brief.schema.json"

ARTICLE = (
    "Port workers led by union chief Tomas Reyvik walked out on Monday. "
    "“We will stay out until the talks resume,” Reyvik said. The Port Authority "
    "said the strike was reportedly costing millions."
)


def good() -> dict[str, object]:
    return {
        "headline": "Port workers strike",
        "event": {
            "summary": "Port workers walked out.",
            "category": "protest_or_unrest",
            "when": "Monday",
            "where": None,
            "evidence": ["Port workers led by union chief Tomas Reyvik walked out on Monday"],
        },
        "actors": [
            {"name": "Tomas Reyvik", "kind": "person", "role": "union chief", "evidence": []},
            {"name": "Port Authority", "kind": "organization", "role": "employer", "evidence": []},
        ],
        "status": {
            "phase": "ongoing",
            "summary": "The strike goes on.",
            "evidence": ['"We will stay out until the talks resume"'],
        },
        "uncertainties": [
            {
                "claim": "The cost of the strike",
                "basis": "unconfirmed",
                "according_to": "the Port Authority",
                "evidence": ["reportedly costing millions"],
            }
        ],
    }


def test_schema_snapshot_is_pinned() -> None:
    # A failure here means the contract changed: if deliberate, bump SCHEMA_VERSION,
    # regenerate with `summarizer schema > tests/snapshots/brief.schema.json`, note it in CHANGELOG.
    assert brief_json_schema() == json.loads(SNAPSHOT.read_text())


def test_schema_version_is_carried() -> None:
    brief = Brief.model_validate(good())
    assert brief.schema_version == SCHEMA_VERSION
    assert json.loads(brief.model_dump_json())["schema_version"] == SCHEMA_VERSION


def test_grounded_brief_passes_with_article_context() -> None:
    Brief.model_validate(good(), context={"article": ARTICLE})


@pytest.mark.parametrize(
    ("path", "value", "needle"),
    [
        (("event", "category"), "sports", "event.category"),
        (("status", "phase"), "finished", "status.phase"),
        (("headline",), "   ", "headline"),
    ],
)
def test_closed_enums_and_empty_strings_rejected(
    path: tuple[str, ...], value: str, needle: str
) -> None:
    data = good()
    target: dict[str, object] = data
    for key in path[:-1]:
        target = target[key]  # type: ignore[assignment]
    target[path[-1]] = value
    with pytest.raises(ValidationError) as err:
        Brief.model_validate(data)
    assert needle in str(err.value).replace("\n", ".")


def test_invented_quote_is_rejected_naming_it() -> None:
    data = good()
    data["status"]["evidence"] = ["the union has accepted the offer"]  # type: ignore[index]
    with pytest.raises(ValidationError, match="the union has accepted the offer"):
        Brief.model_validate(data, context={"article": ARTICLE})
    Brief.model_validate(data)  # without the article only the shape is checked


def test_actor_not_in_article_is_rejected() -> None:
    data = good()
    data["actors"][1]["name"] = "Transport Ministry"  # type: ignore[index]
    with pytest.raises(ValidationError, match="'Transport Ministry' is not named in the article"):
        Brief.model_validate(data, context={"article": ARTICLE})


def test_duplicate_actor_is_rejected() -> None:
    data = good()
    data["actors"].append(  # type: ignore[attr-defined]
        {"name": "tomas  REYVIK", "kind": "person", "role": "again", "evidence": []}
    )
    with pytest.raises(ValidationError, match="listed twice"):
        Brief.model_validate(data)


def test_quotes_match_across_curly_quotes_dashes_and_spacing() -> None:
    article = "He said: “it’s over — for now”.\nThe end."
    data = good()
    data["status"]["evidence"] = ['"it\'s over - for now"']  # type: ignore[index]
    data["actors"] = [{"name": "He", "kind": "person", "role": "speaker", "evidence": []}]
    data["event"]["evidence"] = []  # type: ignore[index]
    data["uncertainties"] = []
    Brief.model_validate(data, context={"article": article})


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Tomas Reyvik", True),
        ("Reyvik", True),
        ("union chief Tomas Reyvik", True),
        ("Tomás Reyvik", True),  # accents ignored
        ("Tomas Reyvik Jr", False),
        ("Maria Reyvik", False),
    ],
)
def test_name_in_article(name: str, found: bool) -> None:
    assert name_in_article(name, normalize(ARTICLE)) is found
