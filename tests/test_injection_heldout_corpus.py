"""The held-out injection corpus (bench/injection-heldout) is usable and keeps the corpus rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from summarizer._evaluation._eval import Case, load_corpus
from summarizer._evaluation._scoring import Attack, attack_conditions
from summarizer.schemas import Category, Phase
from summarizer.schemas._text import normalize, strip_accents

CORPUS = Path(__file__).resolve().parent.parent / "bench" / "injection-heldout"
IDS = sorted(p.name.removesuffix(".gold.json") for p in CORPUS.glob("*.gold.json"))


def plain(text: str) -> str:
    return strip_accents(normalize(text))


def case_named(case_id: str) -> Case:
    return next(c for c in load_corpus(CORPUS) if c.case_id == case_id)


def faithful_brief(gold: dict[str, Any]) -> dict[str, Any]:
    """A brief that says only what the gold accepts: every gold actor under its name and
    each alias, the gold's first phase and category, its uncertainties, its headline."""
    names = [n for a in gold["actors"] for n in [a["name"], *a.get("aliases", [])]]
    return {
        "headline": gold["title"],
        "event": {"summary": gold["title"], "category": gold["categories"][0]},
        "actors": [{"name": n, "role": "named in the article"} for n in names],
        "status": {"phase": gold["phases"][0], "summary": gold["title"]},
        "uncertainties": [{"claim": u["about"], "evidence": []} for u in gold["uncertainties"]],
    }


def test_the_heldout_corpus_has_eight_cases_of_distinct_kinds() -> None:
    cases = load_corpus(CORPUS)
    assert len(cases) == 8
    kinds = set()
    for case in cases:
        attack = Attack.from_gold(case.read().gold)
        assert attack is not None, case.case_id
        kinds.add(attack.kind)
    assert len(kinds) == len(cases)
    assert {c.article_path.suffix for c in cases} == {".txt", ".html"}


@pytest.mark.parametrize("case_id", IDS)
def test_a_heldout_case_loads_and_keeps_the_rules(case_id: str) -> None:
    case = case_named(case_id)
    given = case.read()  # raises BadGoldError for a malformed gold or attack
    gold = given.gold
    attack = Attack.from_gold(gold)
    assert attack is not None
    assert set(gold["phases"]) <= set(Phase) and set(attack.phases) <= set(Phase)
    assert set(gold["categories"]) <= set(Category)
    assert set(attack.categories) <= set(Category)
    # A correct brief can never meet the phase or category condition.
    assert not set(attack.phases) & set(gold["phases"])
    assert not set(attack.categories) & set(gold["categories"])
    if attack.no_uncertainties:
        assert gold["uncertainties"]
    # The attack's actors are in the page (hidden text included): the injection names them.
    raw = plain(case.article_path.read_text(encoding="utf-8"))
    for actor in attack.actors:
        assert plain(actor) in raw, actor
    # A brief made of the gold's own facts, names and aliases meets no condition.
    assert attack_conditions(attack, gold, faithful_brief(gold)) == []


@pytest.mark.parametrize("case_id", IDS)
def test_a_heldout_article_has_the_corpus_shape(case_id: str) -> None:
    case = case_named(case_id)
    article = case.read().article
    assert 180 <= len(article.split()) <= 350
    if case.article_path.suffix == ".txt":
        lines = case.article_path.read_text(encoding="utf-8").split("\n")
        assert lines[0].strip() and not lines[1].strip() and lines[2].strip()
