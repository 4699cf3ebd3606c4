"""`summarizer eval`: brief every case of a gold corpus, score it, report.

A corpus is a folder of `NAME.txt` (or `NAME.html`) articles with `NAME.gold.json`
annotations (the format of the evaluation corpus's FORMAT.md, plus an optional `attack`
object: bench/injection/README.md). Each case's brief and meta
(or its error) is written to `OUT/NAME.json` as soon as it is done, so a long
run can be resumed and one failing case (an unusable article or gold file, a
failed request, no valid brief) never stops the others.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from summarizer._errors import (
    ArticleTooLongError,
    BackendUnavailableError,
    ConfigurationError,
    InputError,
    NoValidBriefError,
    OutputTruncatedError,
    SummarizerError,
    TransportError,
)
from summarizer._evaluation._scoring import (
    Attack,
    BadAttackError,
    CaseScore,
    score_case,
)
from summarizer._files import atomic_file
from summarizer._input._read import read_article
from summarizer._problems import Problem
from summarizer._result import Usage

# The keys of a gold file that scoring reads, each a list (FORMAT.md; `[]` where none).
GOLD_KEYS = ("categories", "phases", "actors", "uncertainties", "absent")


class BadGoldError(InputError):
    """A case's NAME.gold.json cannot be used: not JSON, not an object, or keys missing."""


# Most specific first: the first class an error is an instance of names its kind.
_KINDS: tuple[tuple[type[SummarizerError], str], ...] = (
    (BadGoldError, "bad_gold"),
    (ArticleTooLongError, "article_too_long"),
    (InputError, "input"),
    (ConfigurationError, "configuration"),
    (TransportError, "transport"),
    (BackendUnavailableError, "backend_unavailable"),
    (OutputTruncatedError, "output_truncated"),
    (NoValidBriefError, "no_valid_brief"),
)


@dataclass(frozen=True)
class CaseError:
    """Why a record has no brief, as saved in it: `exit_code` is what `summarizer brief`
    would have exited with for that article."""

    kind: str
    message: str
    exit_code: int

    @classmethod
    def of(cls, exc: SummarizerError) -> CaseError:
        kind = next((k for t, k in _KINDS if isinstance(exc, t)), "error")
        return cls(kind, str(exc), exc.exit_code)

    @classmethod
    def from_saved(cls, value: Any) -> CaseError | None:
        """The error of a saved record: the typed shape, or an older run's
        "ClassName: message" string."""
        if isinstance(value, dict):
            code = value.get("exit_code")
            return cls(
                str(value.get("kind", "error")),
                str(value.get("message", "")),
                code if isinstance(code, int) else 1,
            )
        if isinstance(value, str):
            name, sep, message = value.partition(": ")
            for error_type, kind in _KINDS:
                if sep and error_type.__name__ == name:
                    return cls(kind, message, error_type.exit_code)
            return cls("error", value, 1)
        return None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CaseInput:
    article: str
    gold: dict[str, Any]


@dataclass(frozen=True)
class Case:
    case_id: str
    article_path: Path
    gold_path: Path

    def read(self) -> CaseInput:
        """The cleaned article (decoded as `summarizer brief` decodes files) and the gold.

        Raises InputError (BadGoldError for the gold file) when either cannot be used.
        """
        gold = self._gold()
        twin = self.article_path.with_suffix(".html")
        if self.article_path.suffix == ".txt" and twin.exists():
            raise InputError(
                f"{self.article_path} and {twin.name}: two articles for one case; remove one"
            )
        return CaseInput(read_article(self.article_path), gold)

    def _gold(self) -> dict[str, Any]:
        where = str(self.gold_path)
        try:
            gold = json.loads(self.gold_path.read_bytes())
        except OSError as exc:
            raise BadGoldError(f"{where}: cannot read it ({exc.strerror or exc})") from None
        except ValueError as exc:  # not UTF-8 JSON (UnicodeDecodeError is a ValueError too)
            raise BadGoldError(f"{where}: not valid JSON ({exc}); fix or remove it") from None
        if not isinstance(gold, dict):
            raise BadGoldError(
                f"{where}: a JSON {type(gold).__name__}, not an object with "
                f"{', '.join(GOLD_KEYS)} (see the corpus's FORMAT.md)"
            )
        missing = [k for k in GOLD_KEYS if not isinstance(gold.get(k), list)]
        if missing:
            raise BadGoldError(
                f"{where}: {', '.join(missing)} missing or not a list (see the corpus's FORMAT.md)"
            )
        try:
            Attack.from_gold(gold)
        except BadAttackError as exc:
            raise BadGoldError(f"{where}: {exc} (see bench/injection/README.md)") from None
        return gold


@dataclass(frozen=True)
class CaseRun:
    """One case's outcome: the scored brief (or error) and what it cost."""

    score: CaseScore
    record: dict[str, Any]  # as written to OUT/NAME.json

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.record.get("meta")
        return meta if isinstance(meta, dict) else {}

    @property
    def error(self) -> CaseError | None:
        return CaseError.from_saved(self.record.get("error"))


@dataclass
class Cost:
    """What one run spent (requests sent, tokens, time), kept for failed runs too so that
    failures weigh in the figures."""

    attempts: int = 0  # requests sent
    usage: Usage = field(default_factory=Usage)
    started: float = field(default_factory=time.monotonic)


def failure_record(
    error: CaseError, cost: Cost, validation_errors: Sequence[Sequence[Problem]] = ()
) -> dict[str, Any]:
    """The record of a run that produced no brief: the error and its cost."""
    return {
        "brief": None,
        "error": error.as_json(),
        "meta": {
            "attempts": cost.attempts,
            "usage": cost.usage.model_dump(),
            "latency_s": round(time.monotonic() - cost.started, 3),
            "validation_errors": [
                [p.model_dump(mode="json") for p in round_] for round_ in validation_errors
            ],
        },
    }


def brief_record(summarize: Callable[[str], Any], article: str) -> dict[str, Any]:
    """Run the pipeline on one article: its brief and meta, or its error and cost."""
    cost = Cost()
    try:
        result = summarize(article)
    except ConfigurationError:
        raise  # the same for every case: the run's usage error, not this case's
    except SummarizerError as exc:  # recorded; the run goes on
        # Errors raised before any request (input, no backend) carry no attempts: 0 sent.
        cost.attempts = int(getattr(exc, "attempts", 0) or 0)
        usage = getattr(exc, "usage", None)
        if usage is not None:
            cost.usage.add(
                getattr(usage, "prompt_tokens", 0), getattr(usage, "completion_tokens", 0)
            )
        problems = exc.problems if isinstance(exc, NoValidBriefError) else []
        return failure_record(CaseError.of(exc), cost, [problems] if problems else [])
    return {
        "brief": result.brief.model_dump(mode="json"),
        "meta": result.meta.model_dump(mode="json"),
    }


def load_corpus(folder: Path) -> list[Case]:
    """The cases of a corpus folder, by name. Their files are read (and any problem
    with one is recorded as that case's failure) when the case is run.

    A case's article is NAME.txt, or NAME.html when there is no NAME.txt (a web page,
    reduced to its text by the same reader as `summarizer brief`). With both, the case
    fails when run; with neither, it fails naming NAME.txt."""
    if not folder.is_dir():
        raise InputError(
            f"{folder}: not a folder of NAME.txt (or NAME.html) + NAME.gold.json cases"
        )
    cases = []
    for gold_path in sorted(folder.glob("*.gold.json")):
        case_id = gold_path.name.removesuffix(".gold.json")
        article = gold_path.with_name(f"{case_id}.txt")
        page = gold_path.with_name(f"{case_id}.html")
        if not article.exists() and page.exists():
            article = page
        cases.append(Case(case_id, article, gold_path))
    if not cases:
        raise InputError(f"{folder}: no *.gold.json cases found")
    return cases


def prepare_out(folder: Path) -> None:
    """Create the records folder (`--out-dir`) before any model call, or say why it cannot be."""
    if folder.exists() and not folder.is_dir():
        raise InputError(
            f"--out-dir {folder}: is a file, not a folder; name a folder for the records"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out-dir {folder}: cannot create it ({exc.strerror or exc})") from None


def saved_record(path: Path) -> dict[str, Any] | None:
    """A record an earlier run saved, or None if there is none (or it was half-written
    by a killed run: the case is done again)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def reusable_record(path: Path) -> dict[str, Any] | None:
    """A saved record `--resume` keeps: one that has no error. A failed run (an outage,
    a rate limit, a bad input since fixed) is done again."""
    record = saved_record(path)
    if record is None or "brief" not in record or record.get("error") is not None:
        return None
    return record


def save_record(path: Path, record: dict[str, Any]) -> None:
    """Write a record whole or not at all, so a killed run leaves no half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as out:
        out.write(json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))


def run_case(
    case: Case, summarize: Callable[[str], Any], out_dir: Path, *, resume: bool
) -> CaseRun:
    """Brief one case (or reuse its saved brief with `resume`), save and score it.

    An unusable article or gold file is recorded as the case's failure, with no model call.
    """
    path = out_dir / f"{case.case_id}.json"
    try:
        given = case.read()
    except InputError as exc:
        record = failure_record(CaseError.of(exc), Cost())
        save_record(path, record)
        return CaseRun(score_case(case.case_id, "", {}, None), record)
    saved = reusable_record(path) if resume else None
    if saved is not None and isinstance(saved.get("brief"), dict):
        record = saved
    else:  # none saved, or one without a brief: a failure here, whatever it says
        record = brief_record(summarize, given.article)
        save_record(path, record)
    return CaseRun(score_case(case.case_id, given.article, given.gold, record.get("brief")), record)


def failures(runs: Sequence[CaseRun]) -> list[str]:
    """One line for each case without a brief: its name and why."""
    lines = []
    for r in runs:
        if r.record.get("brief") is None:
            error = r.error
            why = f"{error.kind}: {error.message}" if error else "no brief"
            lines.append(f"{r.score.case_id}: {why}")
    return lines
