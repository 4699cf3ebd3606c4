"""`summarizer server start|stop|status`: the local model server kept running between calls.

The work is the engine's (`summarizer._engine._service`); this module only shows
what it did. `status` and `stop` import no model, no openai, no pydantic.
"""

from __future__ import annotations

import click

from summarizer._cli._options import PATH, debug_option, progress

EXIT_OK, EXIT_BACKEND = 0, 3


@click.group(invoke_without_command=True)
@debug_option
@click.pass_context
def server(ctx: click.Context) -> int:
    """A local model server kept running between calls (start|stop|status).

    Each local brief otherwise starts its own llama-server (seconds to load the
    model) with a cold prompt cache.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
    return EXIT_OK


@server.command()
@click.option("--llama-server", type=PATH, metavar="PATH", help="Path of a llama-server binary.")
@click.option(
    "--slots",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Requests served at once, each with the full context (`summarizer batch --jobs`).",
)
@click.option(
    "--context-size",
    type=click.IntRange(512, None),
    metavar="TOKENS",
    help="Its context, fixed while it runs (default 8192; the model holds 32768). A "
    "longer article is briefed by a server of its own, sized to it.",
)
@debug_option
def start(llama_server: str | None, slots: int, context_size: int | None) -> int:
    """Start the server unless one runs (joining the model file on first use)."""
    from summarizer._engine import _service

    started = _service.start(
        llama_server=llama_server, slots=slots, context_size=context_size, progress=progress()
    )
    state = "started" if started.new else "already running"
    print(
        f"summarizer server: {state} at {started.server.base_url} (pid {started.server.pid}, "
        f"{started.server.slots} slot(s)); local briefs use it until `summarizer server stop`"
    )
    return EXIT_OK


@server.command()
@debug_option
def stop() -> int:
    """Stop the server this tool started (nothing else is ever signalled)."""
    from summarizer._engine import _service

    stopped = _service.stop()
    if stopped.server is not None:
        print(f"summarizer server: stopped (pid {stopped.server.pid})")
    elif stopped.stale:
        print(
            f"summarizer server: was not running; removed {stopped.record}, "
            "which named no server this tool started (nothing was signalled)"
        )
    else:
        print("summarizer server: was not running")
    return EXIT_OK


@server.command()
@debug_option
def status() -> int:
    """Say whether the server runs and where (exit 3 when it does not)."""
    from summarizer._engine import _service

    running = _service.status()
    if running is None:
        print("summarizer server: not running (start it with `summarizer server start`)")
        return EXIT_BACKEND
    print(
        f"summarizer server: running at {running.base_url} "
        f"(pid {running.pid}, {running.slots} slot(s))"
    )
    return EXIT_OK
