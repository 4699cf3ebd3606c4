"""The bench's report: targets met or not, paired differences, the Markdown table."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from summarizer._evaluation._bench import PIPELINES, failed_runs
from summarizer._evaluation._eval import CaseRun
from summarizer._evaluation._figures import PER_CASE, case_values, interval_text
from summarizer._evaluation._stats import mean_interval, paired_differences


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {cores} cores ({cpu}), Python {python}"


ROWS = [
    ("valid briefs", "valid_share", 2),
    ("mean attempts", "mean_attempts", 2),
    ("required-actor recall", "actor_recall", 2),
    ("actor grounding", "actor_grounding", 2),
    ("evidence grounding", "evidence_grounding", 2),
    ("category hit", "category_hit", 2),
    ("phase hit", "phase_hit", 2),
    ("uncertainty recall", "uncertainty_recall", 2),
    ("hallucination-free", "hallucination_free", 2),
    ("attack success", "attack_success", 2),  # only on a corpus with attack cases
    ("median latency (s)", "median_latency_s", 1),
    ("mean prompt tokens", "mean_prompt_tokens", 0),
    ("mean completion tokens", "mean_completion_tokens", 0),
]


# The project's targets for the embedded model on the dev set (issue "Measure and win").
TARGETS: list[tuple[str, str, str, float]] = [
    ("valid briefs", "valid_share", ">=", 1.0),
    ("mean attempts", "mean_attempts", "<=", 1.2),
    ("evidence grounding", "evidence_grounding", ">=", 0.98),
    ("actor grounding", "actor_grounding", ">=", 0.98),
    ("required-actor recall", "actor_recall", ">=", 0.85),
    ("category hit", "category_hit", ">=", 0.80),
    ("phase hit", "phase_hit", ">=", 0.85),
    ("uncertainty recall", "uncertainty_recall", ">=", 0.65),
    ("hallucination-free", "hallucination_free", ">=", 0.96),
]


def _met(value: Any, op: str, bound: float) -> str:
    if value is None:
        return "–"
    return "met" if (value >= bound if op == ">=" else value <= bound) else "**missed**"


def targets(result: dict[str, Any]) -> list[str]:
    p, q = result["figures"]["pipeline"], result["figures"]["plain"]
    lines = [
        "| target | bound | measured (1) | | 95% interval over cases |",
        "|---|---|---|---|---|",
    ]
    for label, key, op, bound in TARGETS:
        value = p[key]
        spread = interval_text(p["intervals"][key]) if key in PER_CASE else ""
        lines.append(
            f"| {label} | {op} {bound} | {_cell(value, 2)} | {_met(value, op, bound)} | {spread} |"
        )
    ratio = (
        p["median_latency_s"] / q["median_latency_s"]
        if p["median_latency_s"] and q["median_latency_s"]
        else None
    )
    lines.append(
        f"| median latency vs (2) | <= 0.75× | {_cell(ratio, 2)}× | {_met(ratio, '<=', 0.75)} | |"
    )
    overhead = result["prompt_overhead_tokens"]
    lines.append(
        f"| prompt overhead beyond the article | <= 450 tokens | {_cell(overhead, 0)} | "
        f"{_met(overhead, '<=', 450)} | |"
    )
    return lines


def _rows(figures: dict[str, Any]) -> list[tuple[str, str, int]]:
    """The rows of the report: the attack row only when the corpus has attack cases."""
    return [r for r in ROWS if r[1] != "attack_success" or figures["attack_cases"]]


def differences(runs: dict[str, list[CaseRun]], rows: Sequence[tuple[str, str, int]]) -> list[str]:
    """(1) minus (2) and (1) minus (3), case by case, with 95% bootstrap intervals:
    whether the pipeline's lead would survive a different draw of articles."""
    lines = [
        "Paired differences over the same cases, with 95% bootstrap intervals (when an "
        "interval excludes 0, the difference is not an accident of which articles were drawn):",
        "",
        "| | (1) − (2) | (1) − (3) |",
        "|---|---|---|",
    ]
    for label, key, _ in rows:
        if key not in PER_CASE:
            continue
        ours = case_values(runs["pipeline"], key)
        cells = []
        for other in ("plain", "naive"):
            diffs = paired_differences(ours, case_values(runs[other], key))
            cells.append(
                f"{statistics.fmean(diffs):+.2f} ({interval_text(mean_interval(diffs))})"
                if diffs
                else "–"
            )
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return lines


def attack_notes(figures: dict[str, dict[str, Any]]) -> list[str]:
    """The attack success rate of each pipeline, with its interval and the attack cases
    that had no brief (counted as not attacked)."""
    lines = ["Attack success (share of attack cases whose brief met any attack condition):", ""]
    for name in PIPELINES:
        f = figures[name]
        lines.append(
            f"- {name}: {_cell(f['attack_success'], 2)} "
            f"{interval_text(f['intervals']['attack_success'])} over {f['attack_cases']} "
            f"attack case(s), {f['attack_cases_without_brief']} without a brief "
            "(counted as not attacked)"
        )
    return lines


def _reused_line(reused: int, total: int) -> list[str]:
    if not reused:
        return []
    return [
        f"- records: {reused} of {total} reused from an earlier run in the output folder "
        "(`--resume`); figures and timings are that run's, the date is this report's"
    ]


def _cell(value: Any, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ratio(a: Any, b: Any) -> str:
    return "–" if not a or not b else f"{a / b:.2f}×"


def markdown(result: dict[str, Any], *, command: str, model: str, corpus: str) -> str:
    f = result["figures"]
    p, q, n = f["pipeline"], f["plain"], f["naive"]
    lines = [
        "# Benchmark: this pipeline vs plain constrained decoding vs naive instructor",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- command: `{command}`",
        f"- corpus: `{corpus}` ({p['cases']} cases), model: `{model}` (same llama-server for all)",
        f"- machine: {machine()}",
        *_reused_line(result.get("reused", 0), p["cases"] * len(PIPELINES)),
        "",
        "| | pipeline (1) | plain (2) | naive (3) | (1)/(2) | (1)/(3) |",
        "|---|---|---|---|---|---|",
    ]
    rows = _rows(p)
    for label, key, digits in rows:
        lines.append(
            f"| {label} | {_cell(p[key], digits)} | {_cell(q[key], digits)} | "
            f"{_cell(n[key], digits)} | {_ratio(p[key], q[key])} | {_ratio(p[key], n[key])} |"
        )
    if p["attack_cases"]:
        lines += ["", *attack_notes(f)]
    lines += ["", *differences(result["runs"], rows)]
    failed = failed_runs(result["runs"])
    if failed:
        lines += [
            "",
            f"Runs that got no answer ({len(failed)}), counted above as invalid briefs "
            "(`--resume` does them again):",
            "",
            *(f"- {run.score.case_id}, {name}: {error.message}" for name, run, error in failed),
        ]
    lines += ["", "## Targets (embedded model, dev set)", "", *targets(result)]
    overhead = result["prompt_overhead_tokens"]
    lines += [
        "",
        f"Prompt overhead of (1) beyond the bare article (instructions, markup, numbering), mean "
        f"over first-attempt cases: {_cell(overhead, 0)} tokens.",
        "",
        "Per case (latency s / completion tokens / valid):",
        "",
        "| case | pipeline | plain | naive |",
        "|---|---|---|---|",
    ]
    runs = result["runs"]
    for i, run in enumerate(runs["pipeline"]):
        cells = []
        for name in PIPELINES:
            r = runs[name][i]
            m = r.meta
            tok = (m.get("usage") or {}).get("completion_tokens", "–")
            cells.append(f"{m.get('latency_s', '–')} / {tok} / {'yes' if r.score.valid else 'NO'}")
        lines.append(f"| {run.score.case_id} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"
