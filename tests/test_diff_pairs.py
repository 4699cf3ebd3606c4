"""The scoring of `bench/diff_pairs.py` (how `summarizer diff` sorts uncertainties), offline,
on hand-made diffs; and the shape of the pairs in `bench/diff/`."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from summarizer._output._diff import BriefDiff, Quote, StatusItem, UncertaintyItem, UncertaintyPair

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "bench" / "diff"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("diff_pairs", ROOT / "bench" / "diff_pairs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["diff_pairs"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _item(claim: str, *quotes: str) -> UncertaintyItem:
    return UncertaintyItem(
        claim=claim, basis="unknown", according_to=None, evidence=[Quote(text=q) for q in quotes]
    )


def _diff(
    still: list[tuple[UncertaintyItem, UncertaintyItem]],
    raised: list[UncertaintyItem],
    gone: list[UncertaintyItem],
) -> BriefDiff:
    status = StatusItem(phase="developing", summary="s", evidence=[])
    return BriefDiff(
        old_label="old", new_label="new", old_headline="h", new_headline="h",
        phase_changed=False, status_then=status, status_now=status,
        actors_new=[], actors_gone=[], actors_kept=[],
        still_open=[UncertaintyPair(old=a, new=b, score=0.5) for a, b in still],
        raised=raised, no_longer_reported=gone,
    )  # fmt: skip


def test_each_group_scores_precision_recall_and_what_the_briefs_allow(bench: ModuleType) -> None:
    points = bench.load_points({"points": [
        {"about": "charges", "group": "still_open", "match": [["brisk"], ["charge"]]},
        {"about": "verdict", "group": "settled", "match": [["verdict"]]},
        {"about": "appeal", "group": "raised", "match": [["appeal"]]},
        {"about": "sentence", "group": "raised", "match": [["sentenc"]]},
        {"about": "dam", "group": "settled", "match": [["dam "]]},
        {"about": "road", "group": "settled", "match": [["road"]]},
    ]})  # fmt: skip
    diff = _diff(
        # right: both sides are the charges point
        still=[
            (_item("Whether Brisk will be charged"), _item("Brisk has still not been charged")),
            # wrong: the verdict (settled) paired with the appeal (raised)
            (_item("When the jury reaches a verdict"), _item("Whether the defence will appeal")),
            # wrong: only the old side is the charges point
            (_item("Brisk may be charged later"), _item("Whether the union will strike")),
        ],
        # one right (sentencing), one extra the gold does not know
        # and one the model wrongly keeps uncertain although gold says it is settled
        raised=[
            _item("No date for sentencing"),
            _item("Unclear what the union will do"),
            _item("Road repairs may take weeks"),
        ],
        # wrong: the charges point shows as settled although it is in both briefs
        gone=[
            _item("Prosecutors would not say", "Whether Brisk faces a charge is unclear"),
            _item("When the road reopens"),
        ],
    )
    score = bench.score_pair(points, diff)
    g = score.groups
    assert (g["still_open"].placed, g["still_open"].right, g["still_open"].found) == (3, 1, 1)
    assert (g["raised"].placed, g["raised"].right, g["raised"].no_gold) == (3, 1, 1)
    assert (g["raised"].gold, g["raised"].found, g["raised"].allowed) == (2, 1, 2)
    assert (g["settled"].placed, g["settled"].right, g["settled"].found) == (2, 1, 1)
    # The verdict was in the old brief only: settled was possible; the road was in both
    # briefs (the model's miss, not the diff's); the dam was never seen.
    assert (g["settled"].gold, g["settled"].allowed) == (3, 1)
    assert g["still_open"].allowed == 1
    verdict = next(p for p in score.points if p["about"] == "verdict")
    assert verdict == {"about": "verdict", "group": "settled", "in_old_brief": True,
                       "in_new_brief": False, "briefs_allow": True, "found": False}  # fmt: skip


def test_the_table_pools_counts_and_shows_ratios(bench: ModuleType) -> None:
    a = bench.GroupScore(gold=3, allowed=2, found=2, found_allowed=1, placed=2, right=1, no_gold=1)
    a.add(bench.GroupScore(gold=1, allowed=1, found=1, found_allowed=1, placed=2, right=2))
    text = bench.table({"raised": a, "settled": bench.GroupScore()})
    # Recall of what the briefs allowed counts only allowed points found: never above 1.
    assert "| raised | 4 | 3 | 3/4 = 0.75 | 2/3 = 0.67 | 3/4 = 0.75 | 1 |" in text
    assert "| settled | 0 | 0 | – | – | – | 0 |" in text


def test_a_gold_group_outside_the_three_is_refused(bench: ModuleType) -> None:
    with pytest.raises(ValueError, match="closed"):
        bench.load_points({"id": "x", "points": [{"about": "a", "group": "closed", "match": []}]})


def test_every_pair_has_two_articles_and_points_of_known_groups(bench: ModuleType) -> None:
    golds = sorted(PAIRS.glob("*.gold.json"))
    assert len(golds) >= 6
    for path in golds:
        gold = json.loads(path.read_text(encoding="utf-8"))
        assert {p.group for p in bench.load_points(gold)} == set(bench.GROUPS), path.name
        for name in (gold["old"], gold["new"]):
            words = len((PAIRS / name).read_text(encoding="utf-8").split())
            assert 200 <= words <= 400, (name, words)
