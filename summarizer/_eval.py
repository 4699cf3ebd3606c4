"""`summarizer eval`: brief every case of a gold corpus, score it, report.

A corpus is a folder of `NAME.txt` articles with `NAME.gold.json` annotations
(the format of the evaluation corpus's FORMAT.md). Each case's brief and meta
(or its error) is written to `OUT/NAME.json` as soon as it is done, so a long
run can be resumed and one failing case never stops the others.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ._errors import InputError, SummarizerError
from ._scoring import CaseScore, score_case, summarize_scores
from ._stats import mean_interval


@dataclass(frozen=True)
class Case:
    case_id: str
    article_path: Path
    gold: dict[str, Any]

    def article(self) -> str:
        return self.article_path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class CaseRun:
    """One case's outcome: the scored brief (or error) and what it cost."""

    score: CaseScore
    record: dict[str, Any]  # as written to OUT/NAME.json

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.record.get("meta")
        return meta if isinstance(meta, dict) else {}


def load_corpus(folder: Path) -> list[Case]:
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of NAME.txt + NAME.gold.json cases")
    cases = []
    for gold_path in sorted(folder.glob("*.gold.json")):
        case_id = gold_path.name.removesuffix(".gold.json")
        article = gold_path.with_name(f"{case_id}.txt")
        if not article.is_file():
            raise InputError(f"{gold_path}: no article {article.name} beside it")
        try:
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise InputError(f"{gold_path}: not valid JSON ({exc})") from None
        cases.append(Case(case_id, article, gold))
    if not cases:
        raise InputError(f"{folder}: no *.gold.json cases found")
    return cases


def saved_record(path: Path) -> dict[str, Any] | None:
    """A record an earlier run saved, or None if there is none (or it was half-written
    by a killed run: the case is done again)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def save_record(path: Path, record: dict[str, Any]) -> None:
    """Write a record whole or not at all, so a killed run leaves no half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


def run_case(
    case: Case, summarize: Callable[[str], Any], out_dir: Path, *, resume: bool
) -> CaseRun:
    """Brief one case (or reuse its saved record with `resume`), save and score it."""
    path = out_dir / f"{case.case_id}.json"
    article = case.article()
    record = saved_record(path) if resume else None
    if record is None:
        started = time.monotonic()
        try:
            result = summarize(article)
            record = {
                "brief": result.brief.model_dump(mode="json"),
                "meta": result.meta.model_dump(mode="json"),
            }
        except SummarizerError as exc:
            record = {
                "brief": None,
                "error": f"{type(exc).__name__}: {exc}",
                "meta": {
                    "attempts": getattr(exc, "attempts", None),
                    "usage": _usage_dict(getattr(exc, "usage", None)),
                    "latency_s": round(time.monotonic() - started, 3),
                    "validation_errors": [getattr(exc, "errors", [])],
                },
            }
        save_record(path, record)
    return CaseRun(score_case(case.case_id, article, case.gold, record.get("brief")), record)


def _usage_dict(usage: Any) -> dict[str, int] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": int(getattr(usage, "prompt_tokens", 0)),
        "completion_tokens": int(getattr(usage, "completion_tokens", 0)),
    }


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _mean(values: Iterable[float | None]) -> float:
    got = [v for v in values if v is not None]
    return statistics.fmean(got) if got else math.nan


def _grounding_failures(errors: Sequence[Sequence[str]], repairs: Sequence[str]) -> dict[str, int]:
    """Counts of grounding problems the pipeline met before its final answer."""
    flat = [e for round_ in errors for e in round_]
    return {
        "actors": sum("is not named in the article" in e for e in flat)
        + sum("actor not named" in r for r in repairs),
        "citations": sum("does not exist" in e for e in flat)
        + sum("missing sentence" in r for r in repairs),
        "places": sum("is not in the article" in e for e in flat)
        + sum("place not in the article" in r for r in repairs),
    }


# The figures that are means of one value per case, and so get a bootstrap interval
# (grounding is a micro-average over the items of all briefs).
PER_CASE = {
    "actor_recall": "actor recall",
    "category_hit": "category",
    "phase_hit": "phase",
    "uncertainty_recall": "uncertainty recall",
    "hallucination_free": "hallucination-free",
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
    before = {"actors": 0, "citations": 0, "places": 0}
    for m in metas:
        counts = _grounding_failures(m.get("validation_errors") or [], m.get("repairs") or [])
        for key, value in counts.items():
            before[key] += value
    summary.update(
        mean_attempts=_mean(_num(m.get("attempts")) for m in metas),
        first_attempt_valid=sum(1 for r in runs if r.score.valid and r.meta.get("attempts") == 1),
        median_latency_s=statistics.median(latencies) if latencies else math.nan,
        mean_prompt_tokens=_mean(_num(u.get("prompt_tokens")) for u in usage),
        mean_completion_tokens=_mean(_num(u.get("completion_tokens")) for u in usage),
        grounding_failures_before_final=before,
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
    head += f"{'cat':>3} {'phase':>5} {'unc':>4} {'hall':>4} {'sec':>6} {'out.tok':>7}"
    lines = [head, "-" * len(head)]
    for r in runs:
        s, m = r.score, r.meta
        lines.append(
            f"{s.case_id[:34]:34} {'yes' if s.valid else 'NO':>3} {m.get('attempts') or '-':>3} "
            f"{_f(s.actor_recall):>6} {_f(s.actor_grounding):>5} {_f(s.evidence_grounding):>5} "
            f"{'y' if s.category_hit else 'n':>3} {'y' if s.phase_hit else 'n':>5} "
            f"{_f(s.uncertainty_recall):>4} {'ok' if s.hallucination_free else 'HAL':>4} "
            f"{_f(_num(m.get('latency_s')), 1):>6} "
            f"{(m.get('usage') or {}).get('completion_tokens', '-'):>7}"
        )
    return "\n".join(lines)


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
            f"median latency {_f(f['median_latency_s'], 1)} s, mean tokens "
            f"{_f(f['mean_prompt_tokens'], 0)} prompt / "
            f"{_f(f['mean_completion_tokens'], 0)} completion",
            "grounding failures met before the final brief "
            f"{f['grounding_failures_before_final']}, in final briefs "
            f"{f['ungrounded_in_final']}, cases repaired {f['repaired_cases']}",
            "95% intervals over cases: "
            + ", ".join(
                f"{label} {interval_text(f['intervals'][key])}" for key, label in PER_CASE.items()
            ),
        ]
    )


def interval_text(interval: Sequence[float] | None) -> str:
    return "-" if interval is None else f"[{interval[0]:.2f}, {interval[1]:.2f}]"
