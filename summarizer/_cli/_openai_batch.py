"""`summarizer batch … --openai-batch submit|status|collect`: the batch through OpenAI's Batch API.

The work is `summarizer._batch._openai_batch`'s; this module parses nothing of its
own but the action, and shows what was done. Attaching it to the `batch` command is
one decorator, right below `@model_options` (so it gets the `model_options` argument):

    @model_options
    @openai_batch_option
    def batch(inputs, output, shard, resume, jobs, out_dir, ..., model_options): ...

With `--openai-batch` given, the command's body does not run: `run` gets
its arguments instead (by these names; others are not used by the Batch API path).
Nothing heavy is imported until the action runs.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from summarizer._cli._options import ModelOptions

ACTIONS = ("submit", "status", "collect")
EXIT_OK = 0


def openai_batch_option(command: Callable[..., int]) -> Callable[..., int]:
    """Add `--openai-batch ACTION` to a batch command: given, `openai_batch` runs instead."""

    @functools.wraps(command)
    def with_openai_batch(*, openai_batch: str | None = None, **kwargs: Any) -> int:
        if openai_batch is None:
            return command(**kwargs)
        return run(openai_batch, **kwargs)

    option = click.option(
        "--openai-batch",
        type=click.Choice(ACTIONS),
        default=None,
        help="Use OpenAI's Batch API (half price, answers within 24 h): submit the "
        "requests, ask their status, or collect the answers into -o (validated, the "
        "invalid ones re-asked live).",
    )
    return option(with_openai_batch)


def run(
    action: str,
    *,
    inputs: Sequence[str],
    output: str,
    model_options: ModelOptions,
    shard: Any = None,
    resume: bool = False,
    jobs: int | None = None,
    out_dir: str | None = None,
    **_others: Any,  # the batch command's other options, which the Batch API path ignores
) -> int:
    """Run one Batch API action for the articles `inputs` name, records in `output`.

    submit: upload the requests and create the batch (with `resume`, the ids already
    done in `output` are left out). status: one line on standard output. collect: the
    records, as `batch` writes them; exit 0 / 4 as `batch`, 75 while the batch runs.
    """
    import asyncio
    from pathlib import Path

    from summarizer._batch import (
        Summary,
        check_out_dir,
        collect,
        open_records,
        parse_shard,
        reporter_for,
    )
    from summarizer._batch._openai_batch import (
        batch_status,
        collect_batch,
        status_line,
        submit_batch,
    )
    from summarizer._client import Summarizer
    from summarizer._pipeline._batch_api import BatchModel

    if action not in ACTIONS:
        raise click.BadParameter(f"{action!r} is not one of {', '.join(ACTIONS)}")
    settings = Summarizer(**model_options.api_options()).settings
    model = BatchModel(settings)
    if action == "status":
        state, batch = batch_status(output, model)
        print(status_line(state, batch))
        return EXIT_OK
    share = parse_shard(shard) if isinstance(shard, str) else shard
    items = collect(list(inputs), shard=share)
    if action == "submit":
        # Opened (and closed) first: an output that cannot be written is refused before
        # anything is paid for.
        records, prior = open_records(output, resume=resume)
        records.close()
        state, skipped = submit_batch(items, output, model, prior=prior)
        print(
            f"batch: submitted {len(state.items)} request(s) as {state.batch_id}"
            + (f"; {len(skipped)} refused (collect records why)" if skipped else "")
            + "; see --openai-batch status, then collect",
            file=sys.stderr,
        )
        return EXIT_OK
    directory = Path(out_dir) if out_dir else None
    if directory is not None:
        check_out_dir(directory)
    records, prior = open_records(output, resume=True)  # collect adds to what submit began

    async def run() -> Summary:
        try:
            return await collect_batch(
                items,
                output,
                records,
                model,
                prior=prior,
                jobs=jobs or 8,
                out_dir=directory,
                reporter=reporter_for(sys.stderr),
            )
        finally:
            await model.aclose()

    with records:
        summary = asyncio.run(run())
    return summary.exit_code
