"""The `summarizer` command: a thin shell over the library.

Exit codes: 0 ok; 2 bad usage or unreadable input; 3 backend unavailable;
4 no valid brief within the attempts allowed; 1 an unexpected bug. Errors are
one line on stderr; set SUMMARIZER_DEBUG=1 (or --debug) for a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from ._errors import InputError, SummarizerError

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
    g.add_argument("--llama-server", help="path of a llama-server binary for the local backend")


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
    brief.add_argument("--meta", action="store_true", help='JSON as {"brief": …, "meta": …}')
    brief.add_argument("-o", "--output", help="write to FILE (atomically) instead of stdout")
    _model_options(brief)

    sub.add_parser("schema", help="print the brief's JSON Schema")
    return parser


def _progress(stream: TextIO) -> Callable[[str], None] | None:
    if not stream.isatty():
        return None

    def show(message: str) -> None:
        print(f"… {message}", file=stream, flush=True)

    return show


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that a reader sees the old file or the new, never half."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_atomic(Path(output), text)
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror or exc}") from None


def _cmd_brief(args: argparse.Namespace) -> int:
    from . import _render
    from ._api import summarize_detailed
    from ._input import read_article

    if args.output and args.path != "-":
        out, src = Path(args.output), Path(args.path)
        if out.exists() and src.exists() and out.resolve() == src.resolve():
            raise InputError(f"-o {args.output} is the input file; choose another output path")
    article = read_article(args.path)
    result = summarize_detailed(
        article,
        model=args.model,
        backend=args.backend,
        base_url=args.base_url,
        timeout=args.timeout,
        max_attempts=args.max_attempts,
        llama_server=args.llama_server,
        progress=_progress(sys.stderr),
    )
    fmt = args.format or ("text" if sys.stdout.isatty() and not args.output else "json")
    if fmt == "json":
        payload: object = result.brief.model_dump(mode="json")
        if args.meta:
            payload = {"brief": payload, "meta": result.meta.model_dump(mode="json")}
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "markdown":
        text = _render.as_markdown(result.brief)
    else:
        text = _render.as_text(result.brief)
    _emit(text, args.output)
    return EXIT_OK


def _cmd_schema(_args: argparse.Namespace) -> int:
    from schemas import brief_json_schema

    sys.stdout.write(json.dumps(brief_json_schema(), indent=2) + "\n")
    return EXIT_OK


COMMANDS = {"brief": _cmd_brief, "schema": _cmd_schema}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    debug = args.debug or os.environ.get("SUMMARIZER_DEBUG", "") not in ("", "0")
    try:
        return COMMANDS[args.command](args)
    except SummarizerError as exc:
        if debug:
            traceback.print_exc()
        print(f"summarizer: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("summarizer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK  # e.g. `summarizer brief x | head`
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
