"""The `summarizer` command group, and the one place errors become exit codes.

Exit codes: 0 ok; 2 bad usage, unreadable input or unwritable output (standard
output closed or full included); 3 backend unavailable; 4 no valid brief within
the attempts allowed; 1 an unexpected bug; 130 interrupted. Errors are one line
on stderr; `--debug` (anywhere on the line) or SUMMARIZER_DEBUG=1 adds the traceback.

Loading this module imports click and the command modules, never openai,
instructor, pydantic or the pipeline: `--help` and argument errors stay quick.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from summarizer import _files
from summarizer._cli._batch import batch, cache
from summarizer._cli._brief import brief, schema
from summarizer._cli._diff import diff
from summarizer._cli._evaluation import bench_command, eval_command
from summarizer._cli._extract import extract
from summarizer._cli._options import RunState, debug_option, debug_wanted
from summarizer._cli._server import server
from summarizer._errors import SummarizerError

EXIT_OK, EXIT_BUG, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130
PROG = "summarizer"
# Shell completion: `eval "$(_SUMMARIZER_COMPLETE=bash_source summarizer)"` (README).
COMPLETE_VAR = "_SUMMARIZER_COMPLETE"


class _App(click.Group):
    """The group whose `invoke` maps every error a command raises to its exit code.

    Here, not around `main`: click turns some errors (a broken pipe) into its own
    exit before `main` would see them, and here the `--debug` flags are parsed."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            code = super().invoke(ctx)
            _files.flush_stdout()  # what print() left buffered: a full disk is reported here
            return code
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # usage errors, --help, --version: `main` shows them
        except SummarizerError as exc:
            _report(ctx, f"summarizer: error: {exc}")
            return exc.exit_code
        except KeyboardInterrupt:
            print("summarizer: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            # The reader stopped reading (`summarizer brief x | head`): its choice, not a failure.
            _files.discard_stdout()
            return EXIT_OK
        except Exception as exc:  # a bug: say so in one line, with the way to see more
            _report(
                ctx,
                f"summarizer: internal error: {type(exc).__name__}: {exc} "
                "(rerun with --debug or SUMMARIZER_DEBUG=1 for a traceback, and report it)",
            )
            return EXIT_BUG


def _report(ctx: click.Context, line: str) -> None:
    if debug_wanted(ctx):
        traceback.print_exc()
    print(line, file=sys.stderr)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    # The package root is loaded already (it is this module's parent): no import cost.
    from summarizer import __version__

    print(f"{PROG} {__version__}")
    ctx.exit(EXIT_OK)


@click.group(
    cls=_App,
    name=PROG,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--version",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_show_version,
    help="Show the version and exit.",
)
@debug_option
@click.pass_context
def cli(ctx: click.Context) -> int:
    """Turn a news article into a typed brief."""
    if ctx.invoked_subcommand is None:  # a bare `summarizer`: what it can do
        click.echo(ctx.get_help())
    return EXIT_OK


cli.add_command(brief)
cli.add_command(schema)
cli.add_command(diff)
cli.add_command(extract)
cli.add_command(eval_command)
cli.add_command(bench_command)
cli.add_command(server)
cli.add_command(batch)
cli.add_command(cache)


def _usage_line(exc: click.UsageError) -> str:
    """Click's usage error as one line, with the help to read next."""
    message = " ".join(exc.format_message().split())
    where = exc.ctx.command_path if exc.ctx is not None else PROG
    return f"summarizer: error: {message} (see `{where} --help`)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on `argv` (default: sys.argv[1:]); return the exit code."""
    try:
        code = cli.main(
            args=argv,
            prog_name=PROG,
            complete_var=COMPLETE_VAR,
            standalone_mode=False,
            obj=RunState(),
        )
    except click.UsageError as exc:
        print(_usage_line(exc), file=sys.stderr)
        return EXIT_USAGE
    except click.ClickException as exc:
        print(f"summarizer: error: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code
    except click.Abort:  # Ctrl-C while click itself was parsing
        print("summarizer: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return code if isinstance(code, int) else EXIT_OK
