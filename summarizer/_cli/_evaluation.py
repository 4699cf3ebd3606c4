"""`summarizer eval` and `summarizer bench`: a gold corpus through the pipeline, scored.

`--out-dir DIR` is the folder of per-case records, `-o/--output FILE` the report,
as `-o` is a file everywhere. The evaluation package, the API and openai are
imported inside the commands, after the arguments are known to be usable.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click

from summarizer import _files
from summarizer._cli._options import (
    PATH,
    ModelOptions,
    debug_option,
    model_options,
    output_option,
    progress,
)
from summarizer._errors import InputError

EXIT_OK, EXIT_NO_BRIEF = 0, 4

_CORPUS_HELP = "CORPUS is a folder of NAME.txt (or NAME.html) + NAME.gold.json cases."


# At least 1: `--limit -1` would silently mean "all but one".
_limit_option = click.option(
    "--limit", type=click.IntRange(min=1), metavar="N", help="Only the first N cases."
)


def _check_report(output: str | None, *, make_folder: bool = False) -> None:
    """Refuse, before any model call, a report path that cannot be written.

    `-o` named the records folder before it named the report: a folder given there
    is most likely an old command line, and the message says what moved."""
    if output is None or output == _files.STDOUT:
        return
    if Path(output).is_dir():
        raise InputError(
            f"-o {output}: is a folder; -o names the report file to write "
            "(the folder for the per-case records is --out-dir)"
        )
    if make_folder:
        try:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            problem = exc.strerror or exc
            raise InputError(f"-o {output}: cannot create its folder ({problem})") from None
    _files.check(output)


@click.command(
    "eval",
    epilog="Exit codes: 0 every case produced a brief; 4 the run finished but some case "
    "has no brief (its record in --out-dir says why; --resume redoes only those); 2 bad "
    "usage (corpus folder, --out-dir, -o, options); 1 a bug.",
)
@click.argument("corpus", type=PATH)
@click.option(
    "--out-dir",
    type=PATH,
    default="eval-out",
    show_default=True,
    metavar="DIR",
    help="Folder for each case's brief + meta.",
)
@output_option("Write the report (table and figures, or --json) to FILE instead of stdout.")
@click.option(
    "--resume", is_flag=True, help="Reuse the briefs already in --out-dir; redo failed cases."
)
@click.option("--json", "as_json", is_flag=True, help="Report the figures as JSON.")
@_limit_option
@debug_option
@model_options
def eval_command(
    corpus: str,
    out_dir: str,
    output: str | None,
    resume: bool,
    as_json: bool,
    limit: int | None,
    model_options: ModelOptions,
) -> int:
    """Brief and score every case of a gold corpus.

    A case that fails (an unusable article or gold file, a failed request, no valid
    brief) is recorded in --out-dir with its error and the run goes on.
    """
    from summarizer import Summarizer
    from summarizer._evaluation import _eval, _figures

    cases = _eval.load_corpus(Path(corpus))[:limit]
    out = Path(out_dir)
    _check_report(output)
    _eval.prepare_out(out)  # before any model call
    show = progress()

    # Options that cannot work are the run's error (exit 2), not a case's; one session
    # (one connection, one server) serves every case.
    session = Summarizer(**model_options.api_options())

    def one_brief(article: str) -> object:
        return session.brief_detailed(article)

    runs = []
    for i, case in enumerate(cases, 1):
        if show:
            show(f"[{i}/{len(cases)}] {case.case_id}")
        runs.append(_eval.run_case(case, one_brief, out, resume=resume))
    figures = _figures.report(runs)
    if as_json:
        cases_json = [
            {
                "case": r.score.case_id,
                **r.score.__dict__,
                "error": error.as_json() if (error := r.error) else None,
            }
            for r in runs
        ]
        text = json.dumps({"summary": figures, "cases": cases_json}, indent=2, default=list)
    else:
        text = "\n".join(
            [
                _figures.case_table(runs),
                "",
                _figures.summary_lines(figures),
                f"(briefs and meta in {out}/)",
            ]
        )
    _files.write(_files.STDOUT if output is None else output, text + "\n")
    failed = _eval.failures(runs)
    if not failed:
        return EXIT_OK
    for line in failed:
        print(f"summarizer: failed: {line}", file=sys.stderr)
    print(
        f"summarizer: {len(failed)} of {len(runs)} case(s) have no brief; fix what their "
        f"errors say, then rerun with --resume to redo only those",
        file=sys.stderr,
    )
    return EXIT_NO_BRIEF


@click.command(
    "bench",
    short_help="This pipeline vs plain constrained vs naive instructor.",
    epilog="Exit codes: 0 the report is written and every pipeline answered every case "
    "(valid or not: that is what it measures); 3 the report is written but some request "
    "failed (refused, rate limited, dropped: see the report's list; --resume redoes only "
    "those); 2 bad usage, or some case's article or gold file is unusable; 1 a bug.",
)
@click.argument("corpus", type=PATH)
@click.option(
    "--out-dir",
    type=PATH,
    default="bench-out",
    show_default=True,
    metavar="DIR",
    help="Folder for every brief.",
)
@output_option("Markdown report to write (default: REPORT.md in the --out-dir folder).")
@click.option(
    "--resume",
    is_flag=True,
    help="Reuse the records already in --out-dir (re-render the report); redo failed runs.",
)
@_limit_option
@debug_option
@model_options
def bench_command(
    corpus: str,
    out_dir: str,
    output: str | None,
    resume: bool,
    limit: int | None,
    model_options: ModelOptions,
) -> int:
    """This pipeline vs plain constrained decoding vs naive instructor, on the same server.

    A run that fails (a refused or dropped request, an unusable case) is recorded with
    its error and cost, and the bench goes on. The report is printed and written.
    """
    from summarizer import Summarizer
    from summarizer._config import resolve
    from summarizer._engine._service import serve_slots
    from summarizer._evaluation import _bench, _bench_report, _eval
    from summarizer._pipeline._backend import connect

    cases = _eval.load_corpus(Path(corpus))[:limit]
    out = Path(out_dir)
    report = str(out / "REPORT.md") if output is None else output
    # Both checked before any model call, not after a bench's worth of generations.
    _eval.prepare_out(out)
    _check_report(report, make_folder=True)
    options = model_options.api_options()
    settings = resolve(**options)
    show = progress()
    # One slot a pipeline: interleaved, they would otherwise evict each other's cached
    # prompt prefix on every case.
    serve_slots(settings, len(_bench.PIPELINES), progress=show)
    conn = connect(settings, progress=show)  # the same server, for all three
    session = Summarizer(
        client=conn.client,
        model=settings.model,
        llama_grammar=settings.llama_grammar,
        timeout=settings.timeout,
        max_answers=settings.max_answers,
        max_retries=settings.max_retries,
    )
    result = _bench.run_bench(
        cases,
        client=conn.client,
        model=settings.model,
        base_url=str(conn.client.base_url),
        ours=session.brief_detailed,
        out_dir=out,
        progress=show,
        resume=resume,
    )
    command = "summarizer " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    text = _bench_report.markdown(result, command=command, model=settings.model, corpus=corpus)
    _files.write(report, text)
    if report != _files.STDOUT:
        _files.to_stdout(text + "\n")
    failed = _bench.failed_runs(result["runs"])
    if not failed:
        return EXIT_OK
    print(
        f"summarizer: {len(failed)} run(s) got no answer (listed in {report}); "
        "rerun with --resume to redo only those",
        file=sys.stderr,
    )
    return max(error.exit_code for _, _, error in failed)
