"""The figures of an eval run: means with intervals, grounding failures by kind, tables."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from summarizer._evaluation._eval import CaseRun
from summarizer._evaluation._scoring import summarize_scores
from summarizer._evaluation._stats import mean_interval
from summarizer._problems import KINDS


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _mean(values: Iterable[float | None]) -> float:
    got = [v for v in values if v is not None]
    return statistics.fmean(got) if got else math.nan


# The grounding failures a run reports, each with the problem kinds it counts (see
# _problems): by kind, so that rewording a message changes no figure.
GROUNDING: dict[str, tuple[str, ...]] = {
    "actors": ("unnamed_actor",),
    "citations": ("missing_sentence",),
    "places": ("unknown_place",),
    "prose": ("ungrounded_name", "ungrounded_figure", "foreign_script"),
}
UNCLASSIFIED = "unclassified"


def problem_kinds(meta: dict[str, Any]) -> Counter[str]:
    """The kinds of the problems met and the repairs made in one saved run: every
    rejected answer's problems, and every repair. An entry without a known kind (a
    record saved before problems had kinds) counts as `UNCLASSIFIED`."""
    rounds = meta.get("validation_errors")
    entries = (
        [e for r in rounds if isinstance(r, list) for e in r] if isinstance(rounds, list) else []
    )
    repairs = meta.get("repairs")
    entries += repairs if isinstance(repairs, list) else []
    kinds: Counter[str] = Counter()
    for entry in entries:
        kind = entry.get("kind") if isinstance(entry, dict) else None
        kinds[kind if isinstance(kind, str) and kind in KINDS else UNCLASSIFIED] += 1
    return kinds


def grounding_failures(metas: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Counts of grounding problems the pipeline met before its final answers, with
    `UNCLASSIFIED` added when some saved entry has no kind to count it by."""
    kinds: Counter[str] = Counter()
    for meta in metas:
        kinds += problem_kinds(meta)
    counts = {key: sum(kinds[k] for k in counted) for key, counted in GROUNDING.items()}
    if kinds[UNCLASSIFIED]:
        counts[UNCLASSIFIED] = kinds[UNCLASSIFIED]
    return counts


# The figures that are means of one value per case, and so get a bootstrap interval
# (grounding is a micro-average over the items of all briefs).
PER_CASE = {
    "actor_recall": "actor recall",
    "category_hit": "category",
    "phase_hit": "phase",
    "uncertainty_recall": "uncertainty recall",
    "hallucination_free": "hallucination-free",
    "prose_grounding": "prose grounding",
    "invented_date": "invented dates",
    "attack_success": "attack success",
}


def case_values(runs: Sequence[CaseRun], key: str) -> list[float | None]:
    """One figure of every case, in order: booleans as 1.0 / 0.0, undefined as None."""
    values: list[float | None] = []
    for r in runs:
        value = getattr(r.score, key)
        values.append(None if value is None else float(value))
    return values


def report(runs: Sequence[CaseRun]) -> dict[str, Any]:
    """The summary figures of a run, as printed and as `--json` gives them."""
    summary = asdict(summarize_scores([r.score for r in runs]))
    metas = [r.meta for r in runs]
    usage = [m.get("usage") or {} for m in metas]
    latencies = [v for m in metas if (v := _num(m.get("latency_s"))) is not None]
    summary.update(
        mean_attempts=_mean(_num(m.get("attempts")) for m in metas),
        first_attempt_valid=sum(1 for r in runs if r.score.valid and r.meta.get("attempts") == 1),
        median_latency_s=statistics.median(latencies) if latencies else math.nan,
        mean_prompt_tokens=_mean(_num(u.get("prompt_tokens")) for u in usage),
        mean_completion_tokens=_mean(_num(u.get("completion_tokens")) for u in usage),
        grounding_failures_before_final=grounding_failures(metas),
        ungrounded_in_final={
            "actors": sum(len(r.score.ungrounded_actors) for r in runs),
            "quotes": sum(len(r.score.ungrounded_quotes) for r in runs),
        },
        repaired_cases=sum(1 for m in metas if m.get("repairs")),
        intervals={key: mean_interval(case_values(runs, key)) for key in PER_CASE},
    )
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in summary.items()}


def _f(value: float | None, digits: int = 2) -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:.{digits}f}"
    )


def case_table(runs: Sequence[CaseRun]) -> str:
    head = f"{'case':34} {'ok':>3} {'att':>3} {'recall':>6} {'a.gnd':>5} {'e.gnd':>5} "
    head += f"{'cat':>3} {'phase':>5} {'unc':>4} {'hall':>4} {'atk':>4} {'sec':>6} {'out.tok':>7}"
    lines = [head, "-" * len(head)]
    for r in runs:
        s, m = r.score, r.meta
        lines.append(
            f"{s.case_id[:34]:34} {'yes' if s.valid else 'NO':>3} {m.get('attempts') or '-':>3} "
            f"{_f(s.actor_recall):>6} {_f(s.actor_grounding):>5} {_f(s.evidence_grounding):>5} "
            f"{'y' if s.category_hit else 'n':>3} {'y' if s.phase_hit else 'n':>5} "
            f"{_f(s.uncertainty_recall):>4} {'ok' if s.hallucination_free else 'HAL':>4} "
            f"{_ATTACKED[s.attacked]:>4} {_f(_num(m.get('latency_s')), 1):>6} "
            f"{(m.get('usage') or {}).get('completion_tokens', '-'):>7}"
            + (f"  attacked: {', '.join(s.attack_fired)}" if s.attack_fired else "")
        )
    return "\n".join(lines)


_ATTACKED = {None: "-", False: "no", True: "YES"}


def summary_lines(figures: dict[str, Any]) -> str:
    f = figures
    return "\n".join(
        [
            f"valid {f['valid']}/{f['cases']} ({_f(f['valid_share'])}), first attempt "
            f"{f['first_attempt_valid']}/{f['cases']}, mean attempts {_f(f['mean_attempts'])}",
            f"actor recall {_f(f['actor_recall'])}, actor grounding {_f(f['actor_grounding'])}, "
            f"evidence grounding {_f(f['evidence_grounding'])}",
            f"category {_f(f['category_hit'])}, phase {_f(f['phase_hit'])}, uncertainty recall "
            f"{_f(f['uncertainty_recall'])}, hallucination-free {_f(f['hallucination_free'])}",
            f"prose grounding {_f(f['prose_grounding'])} (names and figures in the brief's own "
            f"words found in the article), invented dates {f['invented_dates']}",
            f"median latency {_f(f['median_latency_s'], 1)} s, mean tokens "
            f"{_f(f['mean_prompt_tokens'], 0)} prompt / "
            f"{_f(f['mean_completion_tokens'], 0)} completion",
            "grounding failures met before the final brief "
            f"{f['grounding_failures_before_final']}, in final briefs "
            f"{f['ungrounded_in_final']}, cases repaired {f['repaired_cases']}",
            "95% intervals over cases: "
            + ", ".join(
                f"{label} {interval_text(f['intervals'][key])}"
                for key, label in PER_CASE.items()
                if key != "attack_success"
            ),
            *attack_lines(f),
        ]
    )


def attack_lines(figures: dict[str, Any]) -> list[str]:
    """The attack success rate, when the corpus has attack cases (none: no line)."""
    n = figures["attack_cases"]
    if not n:
        return []
    missing = figures["attack_cases_without_brief"]
    return [
        f"attack success {_f(figures['attack_success'])} over {n} attack case(s) "
        f"({interval_text(figures['intervals']['attack_success'])} 95% interval); "
        f"{missing} of them without a brief, counted as not attacked"
    ]


def interval_text(interval: Sequence[float] | None) -> str:
    return "-" if interval is None else f"[{interval[0]:.2f}, {interval[1]:.2f}]"
