"""Measure how `summarizer diff` sorts uncertainties, on pairs of articles with gold points.

    PYTHONPATH=. python bench/diff_pairs.py bench/diff --backend local [--timeout S] [--deadline S]
        [--out-dir DIR] [--only ID,ID]

FOLDER holds `NAME.gold.json` files; each names its two articles (`old`, `new`: a story
and its update) and the open points of the story, each with the group the diff should put
it in (`still_open`, `raised`, `settled` = no longer reported as uncertain) and keyword
groups to recognise it (`match`: every group needs one keyword, as in the evaluation
corpus's FORMAT.md). Both articles are briefed through `Summarizer(cache=True)` with the
model options of the CLI (so a rerun costs nothing), compared with `compare`, and scored:

- precision of a group: the diff's items in it that gold puts there. A still-open item is
  right when its old and its new uncertainty both match one still-open point; a raised or
  no-longer-reported item when it matches a point of that group (an item that merges two
  points is right if either is of its group). Items that match no gold point at all (the
  model's own extra uncertainties) count as wrong, and are also shown apart;
- recall: the gold points of the group found there;
- "briefs allow": the points the briefs make findable at all: still open when both briefs
  have it as an uncertainty, raised when the new one has it, settled when the old one has
  it and the new one does not (the model's recall limits the diff's).

Prints a Markdown table (pooled over the pairs) and writes per-pair details (the diff and
every item's and point's verdict) as `NAME.json` to --out-dir.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click

from summarizer._cli._options import ModelOptions, model_options
from summarizer._errors import InputError, NoValidBriefError, SummarizerError
from summarizer._evaluation._scoring import _groups_match, _plain
from summarizer._output._diff import BriefDiff, UncertaintyItem, Version, compare

GROUPS = ("still_open", "raised", "settled")


@dataclass(frozen=True)
class Point:
    """One open point of a story, as the gold file gives it."""

    about: str
    group: str
    match: list[list[str]]


@dataclass
class GroupScore:
    """One group's counts; pooled over pairs by adding them."""

    gold: int = 0  # gold points of the group
    allowed: int = 0  # of those, findable given the two briefs
    found: int = 0  # gold points found in the diff's group
    found_allowed: int = 0  # of those, the ones the two briefs allowed
    placed: int = 0  # items the diff put in the group
    right: int = 0  # of those, gold puts there
    no_gold: int = 0  # of those, matching no gold point at all

    def add(self, other: GroupScore) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass
class PairScore:
    groups: dict[str, GroupScore] = field(default_factory=lambda: {g: GroupScore() for g in GROUPS})
    items: list[dict[str, Any]] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)


def load_points(gold: dict[str, Any]) -> list[Point]:
    points = [Point(p["about"], p["group"], p["match"]) for p in gold["points"]]
    for p in points:
        if p.group not in GROUPS:
            raise ValueError(f"{gold.get('id')}: group {p.group!r} is not one of {GROUPS}")
    return points


def item_text(item: UncertaintyItem) -> str:
    """What keywords are searched in: claim, who says so and the quotes (not `basis`)."""
    parts = [item.claim, item.according_to or "", *(q.text for q in item.evidence)]
    return _plain("\n".join(parts))


def matched(points: list[Point], item: UncertaintyItem) -> list[Point]:
    text = item_text(item)
    return [p for p in points if _groups_match(p.match, text)]


def score_pair(points: list[Point], diff: BriefDiff) -> PairScore:
    """Precision and recall counts of the three groups of one diff against its gold."""
    out = PairScore()
    olds = [pair.old for pair in diff.still_open] + list(diff.no_longer_reported)
    news = [pair.new for pair in diff.still_open] + list(diff.raised)
    in_old = {p.about for item in olds for p in matched(points, item)}
    in_new = {p.about for item in news for p in matched(points, item)}
    found: set[str] = set()

    def place(group: str, right: list[Point], anywhere: bool, claims: list[str]) -> None:
        s = out.groups[group]
        s.placed += 1
        s.right += bool(right)
        s.no_gold += not anywhere
        found.update(p.about for p in right)
        out.items.append(
            {
                "group": group,
                "claims": claims,
                "right": bool(right),
                "points": [p.about for p in right],
                "matches_any_point": anywhere,
            }
        )

    for pair in diff.still_open:
        old, new = matched(points, pair.old), matched(points, pair.new)
        both = [p for p in old if p in new and p.group == "still_open"]
        place("still_open", both, bool(old or new), [pair.old.claim, pair.new.claim])
    for group, items in (("raised", diff.raised), ("settled", diff.no_longer_reported)):
        for item in items:
            hits = matched(points, item)
            place(group, [p for p in hits if p.group == group], bool(hits), [item.claim])

    for p in points:
        s = out.groups[p.group]
        allowed = {
            "still_open": p.about in in_old and p.about in in_new,
            "raised": p.about in in_new,
            "settled": p.about in in_old and p.about not in in_new,
        }[p.group]
        s.gold += 1
        s.allowed += allowed
        s.found += p.about in found
        s.found_allowed += allowed and p.about in found
        out.points.append(
            {
                "about": p.about,
                "group": p.group,
                "in_old_brief": p.about in in_old,
                "in_new_brief": p.about in in_new,
                "briefs_allow": allowed,
                "found": p.about in found,
            }
        )
    return out


def _ratio(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.2f}" if b else "–"


def table(totals: dict[str, GroupScore]) -> str:
    rows = [
        "| group | gold points | briefs allow | recall | recall of allowed | precision "
        "| items matching no gold point |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for group, s in totals.items():
        rows.append(
            f"| {group} | {s.gold} | {s.allowed} | {_ratio(s.found, s.gold)} | "
            f"{_ratio(s.found_allowed, s.allowed)} | {_ratio(s.right, s.placed)} | {s.no_gold} |"
        )
    return "\n".join(rows)


def _brief(session: Any, path: Path) -> Version:
    from summarizer._input._read import read_article

    result = session.brief_detailed(read_article(str(path)))
    return Version(result.brief, result.evidence, path.name)


def run(
    folder: Path, out_dir: Path, options: ModelOptions, only: set[str] | None = None
) -> tuple[dict[str, GroupScore], list[str]]:
    """Brief, compare and score every pair in `folder`: pooled counts, pairs without briefs."""
    from summarizer import Summarizer

    out_dir.mkdir(parents=True, exist_ok=True)
    totals = {g: GroupScore() for g in GROUPS}
    failed: list[str] = []
    with Summarizer(**options.api_options(), cache=True) as session:
        for gold_path in sorted(folder.glob("*.gold.json")):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            if only is not None and gold["id"] not in only:
                continue
            points = load_points(gold)
            try:
                old = _brief(session, folder / gold["old"])
                new = _brief(session, folder / gold["new"])
            except (NoValidBriefError, InputError) as exc:
                # The pair's points still count as gold, none found: recall stays honest.
                for p in points:
                    totals[p.group].gold += 1
                failed.append(f"{gold['id']}: {exc}")
                continue
            diff = compare(old, new)
            score = score_pair(points, diff)
            for g in GROUPS:
                totals[g].add(score.groups[g])
            detail = {"id": gold["id"], "groups": {g: asdict(s) for g, s in score.groups.items()},
                      "items": score.items, "points": score.points,
                      "diff": diff.model_dump(mode="json")}  # fmt: skip
            (out_dir / f"{gold['id']}.json").write_text(
                json.dumps(detail, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            print(f"{gold['id']}: " + ", ".join(
                f"{g} {s.found}/{s.gold} found, {s.right}/{s.placed} right"
                for g, s in score.groups.items()), file=sys.stderr)  # fmt: skip
    return totals, failed


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out-dir", type=click.Path(path_type=Path), default=Path("diff-pairs-out"),
              show_default=True, help="Where the per-pair details go.")  # fmt: skip
@click.option("--only", metavar="ID,ID", help="Only these pairs (gold ids), e.g. those cached.")
@model_options
def main(folder: Path, out_dir: Path, only: str | None, model_options: ModelOptions) -> int:
    """Brief both articles of every pair in FOLDER, diff them and score the diff's
    uncertainty groups against the pair's gold points."""
    try:
        totals, failed = run(folder, out_dir, model_options, set(only.split(",")) if only else None)
    except SummarizerError as exc:  # no backend, bad settings: nothing to measure
        raise click.ClickException(str(exc)) from None
    print(table(totals))
    for line in failed:
        print(f"- no brief: {line}")
    if failed:
        sys.exit(1)  # click's standalone mode drops a return value
    return 0


if __name__ == "__main__":
    main()
