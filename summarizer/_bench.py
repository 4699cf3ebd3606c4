"""`summarizer bench`: this pipeline against two plain baselines, same server, same articles.

Pipelines, run interleaved case by case so load and cache effects fall on all alike:
  pipeline  this project (`summarize_detailed`)
  plain     one request, the brief's JSON Schema as response_format, a one-line
            system prompt, temperature 0, 2048-token limit
  naive     instructor Mode.JSON, a one-line prompt, the same schema without the
            grounding validators (no article context), one instructor re-ask (bounded:
            its default of 3 could spend four 2048-token answers on one case)
Every brief is scored by the same rules (`_scoring`), so the figures compare.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import time
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import instructor
import openai
from pydantic import ValidationError

from schemas import Brief

from ._eval import (
    PER_CASE,
    Case,
    CaseRun,
    case_values,
    interval_text,
    report,
    save_record,
    saved_record,
)
from ._result import Usage
from ._scoring import score_case
from ._stats import mean_interval, paired_differences

ONE_LINE = "Summarise the news article as a brief in JSON."
PIPELINES = ("pipeline", "plain", "naive")
NAIVE_RETRIES = 1


def _record(brief: Brief | None, attempts: int, usage: Usage, started: float) -> dict[str, Any]:
    return {
        "brief": brief.model_dump(mode="json") if brief else None,
        "meta": {
            "attempts": attempts,
            "usage": usage.model_dump(),
            "latency_s": round(time.monotonic() - started, 3),
        },
    }


def plain_call(client: openai.OpenAI, model: str, article: str) -> dict[str, Any]:
    started, usage = time.monotonic(), Usage()
    reply = client.chat.completions.create(
        model=model,
        messages=[{"role": "system", "content": ONE_LINE}, {"role": "user", "content": article}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "Brief", "schema": Brief.model_json_schema()},
        },
        temperature=0,
        max_tokens=2048,
    )
    if reply.usage:
        usage.add(reply.usage.prompt_tokens, reply.usage.completion_tokens)
    try:
        brief: Brief | None = Brief.model_validate_json(reply.choices[0].message.content or "")
    except ValidationError:
        brief = None
    return _record(brief, 1, usage, started)


class _NaiveFailures(logging.Filter):
    """Drops instructor's ERROR lines for the naive baseline's failures: the bench
    records each one as an invalid brief, and a line on stderr per case is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("Max retries exceeded", "API call failed"))


def _quiet_instructor() -> None:
    log = logging.getLogger("instructor.v2.retry")
    if not any(isinstance(f, _NaiveFailures) for f in log.filters):
        log.addFilter(_NaiveFailures())


def naive_call(client: openai.OpenAI, model: str, article: str) -> dict[str, Any]:
    started, usage, attempts = time.monotonic(), Usage(), 0
    _quiet_instructor()
    patched = instructor.from_openai(client, mode=instructor.Mode.JSON)

    def on_response(response: Any) -> None:
        nonlocal attempts
        attempts += 1
        if getattr(response, "usage", None):
            usage.add(response.usage.prompt_tokens, response.usage.completion_tokens)

    patched.on("completion:response", on_response)
    brief: Brief | None
    try:
        brief = patched.chat.completions.create(
            model=model,
            messages=[
                {"role": "system", "content": ONE_LINE},
                {"role": "user", "content": article},
            ],
            response_model=Brief,
            max_retries=NAIVE_RETRIES,
            temperature=0,
            max_tokens=2048,
        )
    except Exception:  # any failure of the baseline is an invalid brief
        brief = None
    return _record(brief, attempts, usage, started)


def article_tokens(base_url: str, text: str) -> int | None:
    """Tokens of the bare article, from llama-server's /tokenize (None elsewhere)."""
    root = base_url.rstrip("/").removesuffix("/v1")
    req = urllib.request.Request(
        f"{root}/tokenize",
        data=json.dumps({"content": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return len(json.loads(r.read())["tokens"])
    except (OSError, ValueError, KeyError):
        return None


def run_bench(
    cases: Sequence[Case],
    *,
    client: openai.OpenAI,
    model: str,
    base_url: str,
    ours: Callable[[str], Any],
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    runs: dict[str, list[CaseRun]] = {p: [] for p in PIPELINES}
    overheads: list[int] = []
    reused = 0
    for i, case in enumerate(cases, 1):
        article = case.article()
        for name in PIPELINES:
            if progress:
                progress(f"[{i}/{len(cases)}] {case.case_id}: {name}")
            path = out_dir / name / f"{case.case_id}.json"
            saved = saved_record(path) if resume else None
            if saved is not None:
                record = saved
                reused += 1
            elif name == "pipeline":
                try:
                    result = ours(article)
                    record = {
                        "brief": result.brief.model_dump(mode="json"),
                        "meta": result.meta.model_dump(mode="json"),
                    }
                except Exception as exc:  # recorded; the run goes on
                    record = {"brief": None, "error": str(exc), "meta": {}}
            elif name == "plain":
                record = plain_call(client, model, article)
            else:
                record = naive_call(client, model, article)
            if saved is None:  # a reused record is left as it was (and keeps its date)
                save_record(path, record)
            score = score_case(case.case_id, article, case.gold, record.get("brief"))
            runs[name].append(CaseRun(score, record))
            meta = record.get("meta") or {}
            if name == "pipeline" and meta.get("attempts") == 1:
                bare = article_tokens(base_url, article)
                if bare is not None:
                    overheads.append(meta["usage"]["prompt_tokens"] - bare)
    figures = {name: report(r) for name, r in runs.items()}
    return {
        "figures": figures,
        "prompt_overhead_tokens": (sum(overheads) / len(overheads)) if overheads else None,
        "runs": runs,
        "reused": reused,
    }


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


def differences(runs: dict[str, list[CaseRun]]) -> list[str]:
    """(1) minus (2) and (1) minus (3), case by case, with 95% bootstrap intervals:
    whether the pipeline's lead would survive a different draw of articles."""
    lines = [
        "Paired differences over the same cases, with 95% bootstrap intervals (when an "
        "interval excludes 0, the difference is not an accident of which articles were drawn):",
        "",
        "| | (1) − (2) | (1) − (3) |",
        "|---|---|---|",
    ]
    for label, key, _ in ROWS:
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
    for label, key, digits in ROWS:
        lines.append(
            f"| {label} | {_cell(p[key], digits)} | {_cell(q[key], digits)} | "
            f"{_cell(n[key], digits)} | {_ratio(p[key], q[key])} | {_ratio(p[key], n[key])} |"
        )
    lines += ["", *differences(result["runs"])]
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
