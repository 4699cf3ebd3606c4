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
from instructor.core.exceptions import (
    IncompleteOutputException,
    InstructorRetryException,
    ResponseParsingError,
)
from pydantic import ValidationError

from schemas import Brief

from ._errors import InputError, NoValidBriefError, TransportError
from ._eval import (
    PER_CASE,
    Case,
    CaseError,
    CaseRun,
    Cost,
    brief_record,
    case_values,
    failure_record,
    interval_text,
    report,
    reusable_record,
    save_record,
)
from ._result import Usage
from ._scoring import score_case
from ._stats import mean_interval, paired_differences
from ._transport import describe

ONE_LINE = "Summarise the news article as a brief in JSON."
PIPELINES = ("pipeline", "plain", "naive")
NAIVE_RETRIES = 1
NO_VALID_BRIEF_EXIT = NoValidBriefError.exit_code
# Exceptions instructor raises when the model's answer, not the request, was at fault.
ANSWER_REJECTED = (ValidationError, json.JSONDecodeError, ResponseParsingError)


def _record(brief: Brief | None, cost: Cost) -> dict[str, Any]:
    return {
        "brief": brief.model_dump(mode="json") if brief else None,
        "meta": {
            "attempts": cost.attempts,
            "usage": cost.usage.model_dump(),
            "latency_s": round(time.monotonic() - cost.started, 3),
        },
    }


def _request_failed(name: str, exc: BaseException, cost: Cost) -> dict[str, Any]:
    """A baseline whose request failed: recorded like the pipeline's transport errors.

    The message is built from the status or failure alone: a provider's error body can
    echo the API key, so neither it nor the exception's text is kept.
    """
    if isinstance(exc, openai.APIStatusError):
        what = f"answered {describe(exc)}"
    elif isinstance(exc, openai.APIConnectionError):
        what = describe(exc)
    else:
        what = "sent a malformed response"
    message = f"{name} baseline: the model endpoint {what} after {cost.attempts} request(s)"
    return failure_record(CaseError("transport", message, TransportError.exit_code), cost)


def _count_usage(usage: Usage, completion: Any) -> None:
    u = getattr(completion, "usage", None)
    prompt, done = getattr(u, "prompt_tokens", None), getattr(u, "completion_tokens", None)
    usage.add(prompt if isinstance(prompt, int) else None, done if isinstance(done, int) else None)


def plain_call(client: openai.OpenAI, model: str, article: str) -> dict[str, Any]:
    cost = Cost()
    try:
        cost.attempts += 1
        reply = client.chat.completions.create(
            model=model,
            messages=[
                {"role": "system", "content": ONE_LINE},
                {"role": "user", "content": article},
            ],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "Brief", "schema": Brief.model_json_schema()},
            },
            temperature=0,
            max_tokens=2048,
        )
    # openai lets a body that is not JSON escape as a bare JSONDecodeError (a ValueError).
    except (openai.APIError, ValueError) as exc:
        return _request_failed("plain", exc, cost)
    _count_usage(cost.usage, reply)
    try:
        content = reply.choices[0].message.content
    except (AttributeError, IndexError, TypeError) as exc:  # 200, but not a chat completion
        return _request_failed("plain", exc, cost)
    try:
        brief: Brief | None = Brief.model_validate_json(content or "")
    except ValidationError:  # a measured outcome: the baseline's answer is not a valid brief
        brief = None
    return _record(brief, cost)


class _NaiveFailures(logging.Filter):
    """Drops instructor's ERROR lines for the naive baseline's failures: the bench
    records each one itself, and the lines quote the provider's error body."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("Max retries exceeded", "API call failed"))


def _quiet_instructor() -> None:
    log = logging.getLogger("instructor.v2.retry")
    if not any(isinstance(f, _NaiveFailures) for f in log.filters):
        log.addFilter(_NaiveFailures())


def naive_call(client: openai.OpenAI, model: str, article: str) -> dict[str, Any]:
    cost = Cost()
    _quiet_instructor()  # its ERROR lines quote the provider's error body, key and all
    patched = instructor.from_openai(client, mode=instructor.Mode.JSON)

    def on_request(*_args: Any, **_kwargs: Any) -> None:
        cost.attempts += 1  # before each request instructor sends, answered or not

    def on_response(response: Any) -> None:
        _count_usage(cost.usage, response)

    patched.on("completion:kwargs", on_request)
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
    except Exception as exc:  # classified: a rejected answer, or a request that failed
        failed = _transport_cause(exc)
        if failed is not None:
            return _request_failed("naive", failed, cost)
        brief = None  # a measured outcome: the baseline's answer is not a valid brief
    return _record(brief, cost)


def _transport_cause(exc: BaseException) -> BaseException | None:
    """The request failure behind an exception from instructor (which wraps it in
    InstructorRetryException), or None when the model's answer itself was rejected."""
    if isinstance(exc, IncompleteOutputException):
        return None  # cut off at the token limit: an answer, and not a valid brief
    cause = exc.__cause__ if isinstance(exc, InstructorRetryException) else exc
    last = getattr(exc, "last_completion", None)
    if isinstance(cause, ANSWER_REJECTED) and not (
        isinstance(cause, json.JSONDecodeError) and last is None
    ):
        return None
    # A failed request, or a 200 body that is not JSON or not a chat completion: no answer.
    return cause if isinstance(cause, BaseException) else exc


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
    """Run every pipeline on every case. A run that fails (its request, or the case's
    article or gold file) is recorded with its error and cost, and the bench goes on."""
    runs: dict[str, list[CaseRun]] = {p: [] for p in PIPELINES}
    overheads: list[int] = []
    reused = 0
    for i, case in enumerate(cases, 1):
        try:
            given = case.read()
        except InputError as exc:  # no model call: every pipeline fails the case alike
            for name in PIPELINES:
                record = failure_record(CaseError.of(exc), Cost())
                save_record(out_dir / name / f"{case.case_id}.json", record)
                runs[name].append(CaseRun(score_case(case.case_id, "", {}, None), record))
            continue
        article = given.article
        for name in PIPELINES:
            if progress:
                progress(f"[{i}/{len(cases)}] {case.case_id}: {name}")
            path = out_dir / name / f"{case.case_id}.json"
            saved = reusable_record(path) if resume else None
            if saved is not None:
                record = saved
                reused += 1
            elif name == "pipeline":
                record = brief_record(ours, article)
            elif name == "plain":
                record = plain_call(client, model, article)
            else:
                record = naive_call(client, model, article)
            if saved is None:  # a reused record is left as it was (and keeps its date)
                save_record(path, record)
            brief = record.get("brief")
            score = score_case(
                case.case_id, article, given.gold, brief if isinstance(brief, dict) else None
            )
            runs[name].append(CaseRun(score, record))
            meta = record.get("meta") or {}
            if name == "pipeline" and brief is not None and meta.get("attempts") == 1:
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


def failed_runs(runs: dict[str, list[CaseRun]]) -> list[tuple[str, CaseRun, CaseError]]:
    """The runs that got no answer to score, by error: a failed request or an unusable
    case. The pipeline finding no valid brief is a measured result, as is a baseline's
    invalid answer, and is not among them."""
    failed = []
    for name, pipeline_runs in runs.items():
        for run in pipeline_runs:
            error = run.error
            if error is not None and error.exit_code != NO_VALID_BRIEF_EXIT:
                failed.append((name, run, error))
    return failed


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
