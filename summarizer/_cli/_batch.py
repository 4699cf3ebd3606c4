"""`summarizer batch` and `summarizer cache stats|clear`: many articles, and the brief cache.

The work is `summarizer._batch`'s (inputs, records, runner, progress) and the
session object's (`Summarizer`, with the cache in front); this module wires the
flags to them. Everything heavy is imported inside the commands.

Exit codes (the runner's `Summary.exit_code`): 0 every article got a brief; 4 some
did not (their records say why); 2 bad input or usage, before any request; 3 the
backend is unavailable from the start; 130 interrupted (the record file is whole).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from summarizer._cli._openai_batch import openai_batch_option
from summarizer._cli._options import (
    PATH,
    ModelOptions,
    debug_option,
    model_options,
    no_cache_option,
    progress,
)

if TYPE_CHECKING:
    from summarizer._batch import Summary
    from summarizer._client import Progress
    from summarizer._config import Settings

EXIT_OK = 0
# `--jobs` when not given. Local: 4 slots gave the most articles an hour on 2 cores with
# the same briefs (bench/NOTES.md, "batch --jobs"); an endpoint takes more in flight.
LOCAL_DEFAULT_JOBS = 4
REMOTE_DEFAULT_JOBS = 8


def _say(line: str) -> None:
    """A note for a person watching (stderr on a terminal); piped, stderr is errors only."""
    if sys.stderr.isatty():
        print(line, file=sys.stderr, flush=True)


@click.command(short_help="Summarise many articles into one JSONL record file.")
@click.argument("inputs", nargs=-1, required=True, type=PATH)
@click.option(
    "-o",
    "--output",
    required=True,
    type=PATH,
    metavar="OUT.jsonl",
    help="The record file: one JSON line per article, written as each finishes.",
)
@click.option(
    "--out-dir",
    type=PATH,
    metavar="DIR",
    help="Also write ID.json per article ({brief, meta, evidence}, as `brief --meta` does).",
)
@click.option(
    "--html",
    is_flag=True,
    help="With --out-dir: also an HTML report per article (ID.html, the brief beside its "
    "article) and index.html listing them, failures included.",
)
@click.option(
    "--resume", is_flag=True, help="Continue OUT.jsonl: skip ids with a brief, redo the rest."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    metavar="N",
    help=f"Requests in flight (default {LOCAL_DEFAULT_JOBS} for the local backend, "
    f"{REMOTE_DEFAULT_JOBS} for an endpoint).",
)
@click.option(
    "--shard", metavar="K/N", help="Take share K of N of the input (by a hash of each id)."
)
@no_cache_option
@debug_option
@model_options
@openai_batch_option
def batch(
    inputs: tuple[str, ...],
    output: str,
    out_dir: str | None,
    resume: bool,
    jobs: int | None,
    shard: str | None,
    html: bool,
    no_cache: bool,
    model_options: ModelOptions,
) -> int:
    """Summarise many articles: files, folders, globs, http(s) URLs, JSONL manifests
    ({"id", "text"|"path"|"url"} a line) or - (paths or manifest lines on stdin).

    Records go to OUT.jsonl as `{id, source, sha256, brief, meta, error}`, one line per
    article. Exit 0 when every article got a brief, 4 when some did not, 2 for bad
    input, 3 when the backend is unavailable, 130 when interrupted (--resume goes on).
    """
    import asyncio

    from summarizer._batch import (
        check_out_dir,
        collect,
        open_records,
        parse_shard,
        reporter_for,
        run_batch,
    )
    from summarizer._client import Summarizer

    if html and out_dir is None:
        raise click.UsageError("--html writes its reports into --out-dir DIR: give one")
    options = model_options.api_options()
    # Input first: a bad line or a duplicate id is refused before anything starts.
    items = collect(list(inputs), shard=parse_shard(shard) if shard is not None else None)
    folder = check_out_dir(out_dir) if out_dir is not None else None
    # Before the model server starts: an OUT.jsonl that needs --resume is said at once.
    records, prior = open_records(output, resume=resume)
    # Progress lines only for starting a server: per-article lines would break the bar.
    with records, Summarizer(**options, cache=not no_cache) as session:
        local = session.settings.backend == "local"
        wanted = jobs or (LOCAL_DEFAULT_JOBS if local else REMOTE_DEFAULT_JOBS)
        if local:
            _local_slots(session.settings, wanted, progress())

        async def run() -> Summary:
            try:
                return await run_batch(
                    items,
                    session.abrief_detailed,
                    records,
                    prior=prior,
                    jobs=wanted,
                    out_dir=folder,
                    html=html,
                    reporter=reporter_for(sys.stderr),
                )
            finally:
                await session.aclose()  # this loop's async client, before the loop closes

        summary = asyncio.run(run())
    return summary.exit_code


def _local_slots(settings: Settings, jobs: int, show: Progress | None) -> None:
    """One llama-server slot per job: the running `summarizer server` if it has them."""
    from summarizer._engine._service import batch_slots

    slots = batch_slots(settings, jobs, progress=show)
    if slots.own and slots.background is not None:
        _say(
            f"summarizer: the running `summarizer server` has {slots.background.slots} "
            f"slot(s), fewer than --jobs {jobs}; this batch starts its own with {jobs} "
            f"(`summarizer server start --slots {jobs}` keeps one running)"
        )


@click.group(invoke_without_command=True)
@debug_option
@click.pass_context
def cache(ctx: click.Context) -> int:
    """The brief cache that `brief` and `batch` read and write (stats|clear).

    A brief is kept under the sha256 of its text and every setting that changes the
    answer; asking again answers from it with no request (meta.cached is true).
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
    return EXIT_OK


@cache.command()
@debug_option
def stats() -> int:
    """Where the cache is, how many briefs it holds and how big it is."""
    import datetime

    from summarizer._cache import BriefCache, default_folder
    from summarizer._config import resolve

    with BriefCache(default_folder(resolve())) as opened:
        found = opened.stats()

    def when(stamp: float | None) -> str:
        if stamp is None:
            return "-"
        return datetime.datetime.fromtimestamp(stamp).isoformat(sep=" ", timespec="seconds")

    print(f"cache: {found.path}")
    print(f"briefs: {found.entries}")
    print(f"size: {found.bytes / 1024:.1f} KiB")
    print(f"oldest: {when(found.oldest)}")
    print(f"newest: {when(found.newest)}")
    return EXIT_OK


@cache.command()
@debug_option
def clear() -> int:
    """Remove every cached brief (a damaged cache file is removed whole)."""
    from summarizer._cache import BriefCache, default_folder, remove_files
    from summarizer._config import resolve
    from summarizer._errors import ConfigurationError

    folder = default_folder(resolve())
    try:
        with BriefCache(folder) as opened:
            removed = opened.clear()
        print(f"cache: removed {removed} brief(s) from {opened.path}")
    except ConfigurationError:  # cannot be opened (damaged): start over
        files = remove_files(folder)
        print(f"cache: the file could not be opened; removed {files} file(s) in {folder}")
    return EXIT_OK
