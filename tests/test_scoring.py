"""Tests of brief scoring against gold annotations, on a synthetic article."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from summarizer._evaluation._scoring import CaseScore, Summary, score_case, summarize_scores

# Curly quotes, an em dash and accented names on purpose: briefs quote them plainly.
ARTICLE = """Dockworkers strike at Port Veloria

Harbour workers at Port Veloria walked off the job on Monday, union leader Anaïs \
Kovačević said. “We will not return until the back pay arrives,” she told the Coastal \
Herald.

The Veloria Port Authority has not commented on the strike. Officials put the turnout at \
about 300 workers — the union says more than 500 joined.
"""

GOLD: dict[str, Any] = {
    "id": "synthetic_port_strike",
    "categories": ["protest_or_unrest", "economy_or_business"],
    "phases": ["developing", "ongoing"],
    "actors": [
        {"name": "Anaïs Kovačević", "aliases": ["Kovačević"], "required": True},
        {"name": "Dockworkers", "aliases": ["harbour workers"], "required": True},
        {"name": "Veloria Port Authority", "aliases": ["port authority"], "required": True},
        {"name": "Coastal Herald", "aliases": [], "required": False},
    ],
    "uncertainties": [
        {
            "about": "no comment from the port authority",
            "match": [["authority", "officials"], ["comment", "statement", "silent"]],
        },
        {
            "about": "turnout disputed",
            "match": [["300", "500", "turnout"], ["disput", "contest", "union says"]],
        },
    ],
    "absent": ["Marisport", "Minister Ortega"],
}

BRIEF: dict[str, Any] = {
    "headline": "Dockworkers strike at Port Veloria over back pay",
    "event": {
        "summary": "Harbour workers at Port Veloria walked off the job demanding back pay.",
        "category": "protest_or_unrest",
        "when": "Monday",
        "where": "Port Veloria",
        "evidence": ["Harbour workers at Port Veloria walked off the job on Monday"],
    },
    "actors": [
        {
            "name": "Anaïs Kovačević",
            "kind": "person",
            "role": "Union leader",
            "evidence": ['"We will not return until the back pay arrives,"'],
        },
        {
            "name": "Harbour workers",
            "kind": "group",
            "role": "Strikers",
            "evidence": ["Harbour workers at Port Veloria walked off the job"],
        },
        {
            "name": "Veloria Port Authority",
            "kind": "organization",
            "role": "Port operator",
            "evidence": ["The Veloria Port Authority has not commented on the strike."],
        },
    ],
    "status": {
        "phase": "developing",
        "summary": "The strike continues.",
        "evidence": ["about 300 workers - the union says more than 500 joined"],
    },
    "uncertainties": [
        {
            "claim": "The port authority has made no comment.",
            "basis": "unknown",
            "according_to": None,
            "evidence": ["has not commented on the strike"],
        },
        {
            "claim": "Turnout is disputed: 300 or more than 500.",
            "basis": "disputed",
            "according_to": "the union",
            "evidence": [],
        },
    ],
}


def brief() -> dict[str, Any]:
    return copy.deepcopy(BRIEF)


def score(b: dict[str, Any] | None, gold: dict[str, Any] = GOLD) -> CaseScore:
    return score_case("case", ARTICLE, gold, b)


def test_perfect_brief_scores_full_marks() -> None:
    s = score(brief())
    assert s.valid
    assert s.actor_recall == 1.0
    assert s.actor_grounding == 1.0
    assert s.evidence_grounding == 1.0
    assert s.category_hit and s.phase_hit
    assert s.uncertainty_recall == 1.0
    assert s.hallucination_free
    assert (s.missed_actors, s.ungrounded_actors, s.ungrounded_quotes, s.hallucinated) == (
        (),
        (),
        (),
        (),
    )
    assert (s.actor_count, s.quote_count) == (3, 6)


def test_missing_required_actor_lowers_recall_and_is_listed() -> None:
    b = brief()
    b["actors"] = [a for a in b["actors"] if a["name"] != "Veloria Port Authority"]
    s = score(b)
    assert s.actor_recall == pytest.approx(2 / 3)
    assert s.missed_actors == ("Veloria Port Authority",)


def test_optional_gold_actor_is_not_demanded() -> None:
    # Coastal Herald is required=False: its absence from the brief costs nothing.
    assert score(brief()).missed_actors == ()


def test_alias_match() -> None:
    # "Harbour workers" shares no word with "Dockworkers": only the alias matches it.
    assert score(brief()).actor_recall == 1.0
    gold = copy.deepcopy(GOLD)
    gold["actors"][1]["aliases"] = []
    s = score(brief(), gold)
    assert s.missed_actors == ("Dockworkers",)


def test_accent_insensitive_match_and_grounding() -> None:
    b = brief()
    b["actors"][0]["name"] = "Anais Kovacevic"
    s = score(b)
    assert s.actor_recall == 1.0
    assert s.ungrounded_actors == ()


def test_significant_tokens_match_in_any_order() -> None:
    # Neither is a substring of the other; the word sets are equal.
    b = brief()
    b["actors"][0]["name"] = "Kovacevic, Anaïs"
    gold = copy.deepcopy(GOLD)
    gold["actors"][0]["aliases"] = []
    assert score(b, gold).actor_recall == 1.0


def test_substring_match_either_way() -> None:
    gold = copy.deepcopy(GOLD)
    gold["actors"][2]["aliases"] = []
    for name in ("Port Authority", "Veloria Port Authority officials"):  # shorter, longer
        b = brief()
        b["actors"][2]["name"] = name
        assert score(b, gold).missed_actors == ()


def test_substring_match_catches_what_word_sets_miss() -> None:
    # Plural vs singular, and a hyphenated word: no shared significant word, substrings only.
    b = brief()
    b["actors"][1]["name"] = "Dockworker"
    b["actors"][0]["name"] = "Kovacevic-led union"  # also unaccented
    gold = copy.deepcopy(GOLD)
    gold["actors"][1]["aliases"] = []
    assert score(b, gold).missed_actors == ()


def test_invented_actor_is_ungrounded() -> None:
    b = brief()
    b["actors"].append(
        {"name": "Minister Ortega", "kind": "person", "role": "Labour minister", "evidence": []}
    )
    s = score(b)
    assert s.ungrounded_actors == ("Minister Ortega",)
    assert s.actor_grounding == pytest.approx(3 / 4)


def test_names_grounded_only_as_whole_words_with_an_identifying_word() -> None:
    # The validator's rule: part of an article word, or only stopwords, is not a name.
    b = brief()
    for name in ("Kovač", "Harbour work", "Veloria Port Auth", "The", "---"):
        b["actors"].append({"name": name, "kind": "other", "role": "x", "evidence": []})
    s = score(b)
    assert s.ungrounded_actors == ("Kovač", "Harbour work", "Veloria Port Auth", "The", "---")
    assert s.actor_grounding == pytest.approx(3 / 8)


def test_quote_with_plain_quotes_and_hyphen_is_grounded_invented_is_not() -> None:
    b = brief()
    invented = "the union will accept the offer"
    b["status"]["evidence"].append(invented)
    s = score(b)
    # The actor quote has straight quotes and the status quote a hyphen for the em dash.
    assert s.ungrounded_quotes == (invented,)
    assert s.evidence_grounding == pytest.approx(6 / 7)


def test_quotes_from_every_section_are_checked() -> None:
    b = brief()
    b["event"]["evidence"] = ["made up event quote"]
    b["actors"][0]["evidence"] = ["made up actor quote"]
    b["uncertainties"][0]["evidence"] = ["made up uncertainty quote"]
    s = score(b)
    assert set(s.ungrounded_quotes) == {
        "made up event quote",
        "made up actor quote",
        "made up uncertainty quote",
    }
    assert s.evidence_grounding == pytest.approx(3 / 6)


def test_absent_item_is_a_hallucination_case_insensitively() -> None:
    b = brief()
    b["event"]["where"] = "Port Veloria, near MARISPORT"
    s = score(b)
    assert not s.hallucination_free
    assert s.hallucinated == ("Marisport",)
    gold = copy.deepcopy(GOLD)
    gold["absent"] = ["Zoë Marín"]
    b["headline"] = "Strike as minister Zoe Marin looks on"
    assert score(b, gold).hallucinated == ("Zoë Marín",)


def test_category_and_phase_misses() -> None:
    b = brief()
    b["event"]["category"] = "crime"
    b["status"]["phase"] = "concluded"
    s = score(b)
    assert not s.category_hit
    assert not s.phase_hit
    b["event"]["category"] = "economy_or_business"  # the second accepted category
    assert score(b).category_hit


def test_uncertainty_needs_every_keyword_group() -> None:
    b = brief()
    # First gold item: "authority" satisfies group 1, nothing satisfies group 2.
    b["uncertainties"] = [
        {"claim": "The port authority role is unclear.", "basis": "unknown", "evidence": []}
    ]
    assert score(b).uncertainty_recall == 0.0
    b["uncertainties"][0]["claim"] = "The port authority has issued no statement."
    assert score(b).uncertainty_recall == 0.5


def test_uncertainty_keywords_found_in_according_to_and_evidence() -> None:
    b = brief()
    b["uncertainties"] = [
        {
            "claim": "Turnout figures differ.",  # group 1 via "turnout" only
            "basis": "disputed",
            "according_to": "the union, which contests it",  # group 2 via "contest"
            "evidence": [],
        },
        {
            "claim": "Silence from the operator.",  # group 2 via evidence "commented"
            "basis": "unknown",
            "according_to": None,
            "evidence": ["The Veloria Port Authority has not commented"],
        },
    ]
    assert score(b).uncertainty_recall == 1.0


def test_groups_must_be_met_by_one_item_not_spread_over_two() -> None:
    b = brief()
    b["uncertainties"] = [
        {"claim": "Officials spoke.", "basis": "unknown", "according_to": None, "evidence": []},
        {"claim": "A comment is due.", "basis": "pending", "according_to": None, "evidence": []},
    ]
    assert score(b).uncertainty_recall == 0.0


def test_no_brief_scores_zero_and_grounding_none() -> None:
    s = score(None)
    assert not s.valid
    assert s.actor_recall == 0.0
    assert s.uncertainty_recall == 0.0
    assert s.actor_grounding is None and s.evidence_grounding is None
    assert not (s.category_hit or s.phase_hit or s.hallucination_free)
    assert s.missed_actors == ("Anaïs Kovačević", "Dockworkers", "Veloria Port Authority")
    assert s.hallucinated == ()


def test_metrics_undefined_by_gold_are_none() -> None:
    gold = copy.deepcopy(GOLD)
    gold["uncertainties"] = []
    for actor in gold["actors"]:
        actor["required"] = False
    b = brief()
    b["actors"] = []
    b["event"]["evidence"] = []
    b["status"]["evidence"] = []
    b["uncertainties"] = []
    for s in (score(b, gold), score(None, gold)):
        assert s.actor_recall is None
        assert s.uncertainty_recall is None
    s = score(b, gold)
    assert s.actor_grounding is None and s.evidence_grounding is None


def test_summary_averages() -> None:
    perfect = score(brief())
    partial = brief()
    partial["actors"] = partial["actors"][:1]  # recall 1/3; 4 quotes left, all grounded
    partial["actors"].append({"name": "Ortega", "kind": "person", "role": "x", "evidence": []})
    partial["status"]["evidence"].append("invented")  # 4 of 5 quotes grounded
    partial["status"]["phase"] = "concluded"
    no_unc_gold = copy.deepcopy(GOLD)
    no_unc_gold["uncertainties"] = []
    partial_score = score(partial, no_unc_gold)
    assert partial_score.uncertainty_recall is None
    invalid = score(None)

    summary = summarize_scores([perfect, partial_score, invalid])
    assert summary == Summary(
        cases=3,
        valid=2,
        valid_share=pytest.approx(2 / 3),
        actor_recall=pytest.approx((1 + 1 / 3 + 0) / 3),
        actor_grounding=pytest.approx((3 + 1) / (3 + 2)),  # micro: invalid case left out
        evidence_grounding=pytest.approx((6 + 4) / (6 + 5)),
        category_hit=pytest.approx(2 / 3),
        phase_hit=pytest.approx(1 / 3),
        uncertainty_recall=pytest.approx((1 + 0) / 2),  # None case left out, invalid is 0
        hallucination_free=pytest.approx(2 / 3),
        prose_grounding=1.0,  # both briefs' own words name only the article's names
        invented_dates=0,
    )


def test_prose_grounding_and_invented_dates_are_counted() -> None:
    good = score(brief())
    bad = brief()
    bad["event"]["when"] = "2031-07-14"
    bad["headline"] = bad["headline"] + " in Lisbon"
    s = score(bad)
    assert s.invented_date is True and good.invented_date is False
    assert set(s.ungrounded_prose) >= {"2031", "Lisbon"}
    summary = summarize_scores([good, s, score(None)])
    assert summary.invented_dates == 1
    total = good.prose_count + s.prose_count
    assert summary.prose_grounding == pytest.approx((total - len(s.ungrounded_prose)) / total)
    assert summary.prose_grounding < 1.0


def test_summary_of_nothing_is_nan_not_zero() -> None:
    summary = summarize_scores([])
    assert summary.cases == 0
    assert math.isnan(summary.valid_share) and math.isnan(summary.actor_recall)
