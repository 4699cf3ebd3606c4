"""The `summarizer` command: a thin shell over the library.

Exit codes: 0 ok; 2 bad usage, unreadable input or unwritable output (standard
output closed or full included); 3 backend unavailable;
4 no valid brief within the attempts allowed; 1 an unexpected bug. Errors are
one line on stderr; set SUMMARIZER_DEBUG=1 (or --debug) for a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from summarizer import _files as _output
from summarizer._errors import ConfigurationError, InputError, SummarizerError

# The bench report is written with it too: where the user asked, keeping what is there.
from summarizer._files import write as write_atomic

EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_BACKEND, EXIT_NO_BRIEF = 0, 1, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse's own exit code is 2 too; this keeps the message to one line with a hint.
        self.exit(EXIT_USAGE, f"summarizer: error: {message} (see `summarizer --help`)\n")


def _model_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model")
    g.add_argument("-m", "--model", help="model name (env SUMMARIZER_MODEL)")
    g.add_argument("--backend", choices=["local", "openai"], help="env SUMMARIZER_BACKEND")
    g.add_argument("--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL)")
    g.add_argument("--timeout", type=float, help="seconds per request (env SUMMARIZER_TIMEOUT)")
    g.add_argument(
        "--max-attempts", type=int, help="model answers allowed, re-asks included (default 3)"
    )
    g.add_argument(
        "--max-retries", type=int, help="transport retries per answer (default 4; env var too)"
    )
    g.add_argument(
        "--api-key-env",
        metavar="NAME",
        help="read the API key from this environment variable instead of OPENAI_API_KEY",
    )
    g.add_argument("--llama-server", help="path of a llama-server binary for the local backend")
    g.add_argument(
        "--llama-grammar",
        action=argparse.BooleanOptionalAction,
        help="send a compact output grammar (llama-server only; default on for the local "
        "backend; env SUMMARIZER_LLAMA_GRAMMAR)",
    )


def _positive_int(text: str) -> int:
    """A count of at least 1 (argparse type): `--limit -1` would silently mean "all but one"."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="summarizer", description="Turn a news article into a typed brief.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    brief = sub.add_parser("brief", help="summarise one article (a file, or - for stdin)")
    brief.add_argument("path", help="plain text, Markdown or HTML file; - reads stdin")
    brief.add_argument(
        "-f", "--format", choices=["json", "text", "markdown"],
        help="output format (default: text on a terminal, json otherwise)",
    )  # fmt: skip
    brief.add_argument(
        "--meta", action="store_true", help='JSON as {"brief": …, "meta": …}; implies --format json'
    )
    brief.add_argument(
        "-o", "--output", metavar="FILE",
        help="write to FILE instead of stdout (- is stdout); a file is replaced atomically "
        "keeping its mode, a symlink is followed, a FIFO or device is written as a stream",
    )  # fmt: skip
    _model_options(brief)

    sub.add_parser("schema", help="print the brief's JSON Schema")

    ev = sub.add_parser(
        "eval",
        help="brief and score every case of a gold corpus",
        description="Brief and score every case of a gold corpus. A case that fails (an "
        "unusable article or gold file, a failed request, no valid brief) is recorded in "
        "-o with its error and the run goes on.",
        epilog="exit codes: 0 every case produced a brief; 4 the run finished but some case "
        "has no brief (its record in -o says why; --resume redoes only those); 2 bad usage "
        "(corpus folder, -o, options); 1 a bug",
    )
    ev.add_argument("corpus", help="folder of NAME.txt (or NAME.html) + NAME.gold.json cases")
    ev.add_argument("-o", "--out", default="eval-out", help="folder for each case's brief + meta")
    ev.add_argument(
        "--resume", action="store_true", help="reuse the briefs already in --out; redo failed cases"
    )
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.add_argument("--limit", type=_positive_int, metavar="N", help="only the first N cases")
    _model_options(ev)

    bench = sub.add_parser(
        "bench",
        help="this pipeline vs plain constrained vs naive instructor",
        description="This pipeline vs plain constrained decoding vs naive instructor, on the "
        "same server. A run that fails (a refused or dropped request, an unusable case) is "
        "recorded with its error and cost, and the bench goes on.",
        epilog="exit codes: 0 the report is written and every pipeline answered every case "
        "(valid or not: that is what it measures); 3 the report is written but some request "
        "failed (refused, rate limited, dropped: see the report's list; --resume redoes only "
        "those); 2 bad usage, or some case's article or gold file is unusable; 1 a bug",
    )
    bench.add_argument("corpus", help="folder of NAME.txt (or NAME.html) + NAME.gold.json cases")
    bench.add_argument("-o", "--out", default="bench-out", help="folder for every brief")
    bench.add_argument(
        "--report", help="Markdown report to write (default: REPORT.md in the --out folder)"
    )
    bench.add_argument("--limit", type=_positive_int, metavar="N", help="only the first N cases")
    bench.add_argument(
        "--resume",
        action="store_true",
        help="reuse the records already in --out (re-render the report); redo failed runs",
    )
    _model_options(bench)

    server = sub.add_parser(
        "server", help="a local model server kept running between calls (start|stop|status)"
    )
    server.add_argument("action", choices=["start", "stop", "status"])
    server.add_argument("--llama-server", help="path of a llama-server binary")
    return parser


def _progress(stream: TextIO) -> Callable[[str], None] | None:
    if not stream.isatty():
        return None

    def show(message: str) -> None:
        print(f"… {message}", file=stream, flush=True)

    return show


def _model_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The API options the model flags map to (None: let config resolve it)."""
    _check_model_options(args)
    api_key = None
    if args.api_key_env:
        api_key = os.environ.get(args.api_key_env)
        if not api_key:
            raise InputError(f"--api-key-env {args.api_key_env}: that variable is not set")
    return {
        "model": args.model,
        "backend": args.backend,
        "base_url": args.base_url,
        "api_key": api_key,
        "timeout": args.timeout,
        "max_attempts": args.max_attempts,
        "max_retries": args.max_retries,
        "llama_server": args.llama_server,
        "llama_grammar": args.llama_grammar,
    }


def _check_model_options(args: argparse.Namespace) -> None:
    """Refuse model options that the chosen backend would silently ignore."""
    from summarizer._config import ENV

    # Said in the flags' own words; the library refuses the same (ConfigurationError).
    # With a base URL the default backend is openai, so only an explicit choice is local.
    chosen = args.backend or os.environ.get(ENV["backend"], "").strip()
    if args.base_url and chosen == "local":
        raise ConfigurationError(
            "--base-url is for the openai backend, not the local one; "
            "drop --backend local (or SUMMARIZER_BACKEND=local) to use that endpoint"
        )


def _brief_format(args: argparse.Namespace) -> str:
    """The output format: as asked, else JSON with --meta, text on a terminal, JSON otherwise."""
    if args.meta and args.format not in (None, "json"):
        raise ConfigurationError(
            f"--meta needs --format json (meta has no {args.format} form); drop one of them"
        )
    if args.format:
        return str(args.format)
    to_terminal = args.output in (None, _output.STDOUT) and sys.stdout.isatty()
    return "json" if args.meta or not to_terminal else "text"


def _cmd_brief(args: argparse.Namespace) -> int:
    from summarizer._api import summarize_detailed
    from summarizer._input._read import read_article
    from summarizer._output import _render

    output = _output.STDOUT if args.output is None else args.output
    # Checked before the model runs, not after a generation that would be wasted.
    _output.check(output, input_path=args.path)
    fmt = _brief_format(args)
    options = _model_kwargs(args)
    article = read_article(args.path)
    result = summarize_detailed(article, **options, progress=_progress(sys.stderr))
    if fmt == "json":
        payload: object = result.brief.model_dump(mode="json")
        if args.meta:
            payload = {"brief": payload, "meta": result.meta.model_dump(mode="json")}
        text = _render.as_json(payload)
    elif fmt == "markdown":
        text = _render.as_markdown(result.brief, result.meta.warnings)
    else:
        text = _render.as_text(result.brief, result.meta.warnings)
    _output.write(output, text, input_path=args.path)
    return EXIT_OK


def _cmd_schema(_args: argparse.Namespace) -> int:
    from summarizer.schemas import brief_json_schema

    _output.to_stdout(json.dumps(brief_json_schema(), indent=2) + "\n")
    return EXIT_OK


def _cmd_eval(args: argparse.Namespace) -> int:
    from summarizer._api import summarize_detailed
    from summarizer._config import resolve
    from summarizer._evaluation import _eval

    cases = _eval.load_corpus(Path(args.corpus))[: args.limit]
    out = Path(args.out)
    _eval.prepare_out(out)  # before any model call
    show = _progress(sys.stderr)

    options = _model_kwargs(args)
    resolve(**options)  # options that cannot work are the run's error (exit 2), not a case's

    def brief(article: str) -> object:
        return summarize_detailed(article, **options)

    runs = []
    for i, case in enumerate(cases, 1):
        if show:
            show(f"[{i}/{len(cases)}] {case.case_id}")
        runs.append(_eval.run_case(case, brief, out, resume=args.resume))
    figures = _eval.report(runs)
    if args.json:
        cases_json = [
            {
                "case": r.score.case_id,
                **r.score.__dict__,
                "error": error.as_json() if (error := r.error) else None,
            }
            for r in runs
        ]
        print(json.dumps({"summary": figures, "cases": cases_json}, indent=2, default=list))
    else:
        print(_eval.case_table(runs))
        print()
        print(_eval.summary_lines(figures))
        print(f"(briefs and meta in {out}/)")
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


def _cmd_bench(args: argparse.Namespace) -> int:
    import shlex

    from summarizer._api import summarize_detailed
    from summarizer._config import resolve
    from summarizer._evaluation import _bench, _bench_report, _eval
    from summarizer._pipeline._backend import connect

    cases = _eval.load_corpus(Path(args.corpus))[: args.limit]
    out = Path(args.out)
    report = Path(args.report) if args.report else out / "REPORT.md"
    # Both checked before any model call, not after a bench's worth of generations.
    _eval.prepare_out(out)
    if report.is_dir():
        raise InputError(f"--report {report}: is a folder; name the Markdown file to write")
    try:
        report.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = exc.strerror or exc
        raise InputError(f"--report {report}: cannot create its folder ({problem})") from None
    options = _model_kwargs(args)
    settings = resolve(**options)
    show = _progress(sys.stderr)
    from summarizer._engine._background import find

    if settings.backend == "local" and find(settings.cache_dir) is None:
        from summarizer._engine._llama_server import shared_server

        # One slot a pipeline: interleaved, they would otherwise evict each
        # other's cached prompt prefix on every case.
        shared_server(
            binary=settings.llama_server,
            cache_dir=settings.cache_dir,
            context_size=settings.context_size,
            progress=show,
            slots=len(_bench.PIPELINES),
        )
    conn = connect(settings, progress=show)  # the same server, for all three
    result = _bench.run_bench(
        cases,
        client=conn.client,
        model=settings.model,
        base_url=str(conn.client.base_url),
        ours=lambda article: summarize_detailed(
            article,
            client=conn.client,
            model=settings.model,
            llama_grammar=settings.llama_grammar,
            timeout=settings.timeout,
            max_attempts=settings.max_attempts,
            max_retries=settings.max_retries,
        ),
        out_dir=out,
        progress=show,
        resume=args.resume,
    )
    command = "summarizer " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    text = _bench_report.markdown(result, command=command, model=settings.model, corpus=args.corpus)
    write_atomic(report, text)
    print(text)
    failed = _bench.failed_runs(result["runs"])
    if not failed:
        return EXIT_OK
    print(
        f"summarizer: {len(failed)} run(s) got no answer (listed in {report}); "
        "rerun with --resume to redo only those",
        file=sys.stderr,
    )
    return max(error.exit_code for _, _, error in failed)


def _cmd_server(args: argparse.Namespace) -> int:
    from summarizer._config import resolve
    from summarizer._engine import _background
    from summarizer._engine._llama_server import find_binary
    from summarizer._engine._model_file import ensure_model

    settings = resolve(backend="local", llama_server=args.llama_server)
    cache = settings.cache_dir
    if args.action == "status":
        running = _background.find(cache)
        if running is None:
            print("summarizer server: not running (start it with `summarizer server start`)")
            return EXIT_BACKEND
        print(f"summarizer server: running at {running.base_url} (pid {running.pid})")
        return EXIT_OK
    if args.action == "stop":
        stopped = _background.stop(cache)
        if stopped.server is not None:
            print(f"summarizer server: stopped (pid {stopped.server.pid})")
        elif stopped.stale:
            print(
                f"summarizer server: was not running; removed {_background.state_path(cache)}, "
                "which named no server this tool started (nothing was signalled)"
            )
        else:
            print("summarizer server: was not running")
        return EXIT_OK
    show = _progress(sys.stderr)
    running, new = _background.start(
        find_binary(settings.llama_server),
        ensure_model(cache, progress=show),
        cache,
        context_size=settings.context_size,
        progress=show,
    )
    state = "started" if new else "already running"
    print(
        f"summarizer server: {state} at {running.base_url} (pid {running.pid}); local briefs "
        "use it until `summarizer server stop`"
    )
    return EXIT_OK


COMMANDS = {
    "brief": _cmd_brief,
    "schema": _cmd_schema,
    "eval": _cmd_eval,
    "bench": _cmd_bench,
    "server": _cmd_server,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    debug = args.debug or os.environ.get("SUMMARIZER_DEBUG", "") not in ("", "0")
    try:
        code = COMMANDS[args.command](args)
        _output.flush_stdout()  # what print() left buffered: a full disk is reported here
        return code
    except SummarizerError as exc:
        if debug:
            traceback.print_exc()
        print(f"summarizer: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("summarizer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped reading (`summarizer brief x | head`): its choice, not a failure.
        _output.discard_stdout()
        return EXIT_OK
    except Exception as exc:  # a bug: say so in one line, with the way to see more
        if debug:
            traceback.print_exc()
        print(
            f"summarizer: internal error: {type(exc).__name__}: {exc} "
            "(rerun with --debug or SUMMARIZER_DEBUG=1 for a traceback, and report it)",
            file=sys.stderr,
        )
        return EXIT_BUG


def entry() -> None:
    sys.exit(main())
