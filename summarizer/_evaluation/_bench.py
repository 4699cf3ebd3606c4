"""`summarizer bench`: this pipeline against two plain baselines, same server, same articles.

Pipelines, run interleaved case by case so load and cache effects fall on all alike:
  pipeline  this project (`summarize_detailed`)
  plain, naive  the baselines (`_baselines`)
Every brief is scored by the same rules (`_scoring`), so the figures compare.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openai

from summarizer._errors import InputError, NoValidBriefError
from summarizer._evaluation._baselines import article_tokens, naive_call, plain_call
from summarizer._evaluation._eval import (
    Case,
    CaseError,
    CaseRun,
    Cost,
    brief_record,
    failure_record,
    reusable_record,
    save_record,
)
from summarizer._evaluation._figures import report
from summarizer._evaluation._scoring import score_case

PIPELINES = ("pipeline", "plain", "naive")
NO_VALID_BRIEF_EXIT = NoValidBriefError.exit_code


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
