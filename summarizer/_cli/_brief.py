"""`summarizer brief` and `summarizer schema`: one article to a brief, and the brief's contract.

The API, the pipeline and pydantic are imported inside the commands, so loading
this module for `--help` or an argument error costs nothing of them.
"""

from __future__ import annotations

import json
import sys

import click

from summarizer import _files
from summarizer._cli._options import (
    PATH,
    ModelOptions,
    debug_option,
    format_option,
    model_options,
    no_cache_option,
    output_option,
    progress,
)
from summarizer._errors import ConfigurationError

EXIT_OK = 0


def _brief_format(fmt: str | None, meta: bool, output: str) -> str:
    """The output format: as asked, else JSON with --meta, text on a terminal, JSON otherwise."""
    if meta and fmt not in (None, "json"):
        raise ConfigurationError(
            f"--meta needs --format json (meta has no {fmt} form); drop one of them"
        )
    if fmt:
        return fmt
    to_terminal = output == _files.STDOUT and sys.stdout.isatty()
    return "json" if meta or not to_terminal else "text"


@click.command(short_help="Summarise one article (a file, a URL, or - for stdin).")
@click.argument("path", metavar="PATH|URL|-", type=PATH)
@format_option(
    "Output format (default: text on a terminal, json otherwise); html is a "
    "self-contained report, the brief beside its article."
)
@click.option(
    "--meta",
    is_flag=True,
    help='JSON as {"brief": …, "meta": …, "evidence": …}; implies --format json.',
)
@output_option(
    "Write to FILE instead of stdout (- is stdout); a file is replaced atomically "
    "keeping its mode, a symlink is followed, a FIFO or device is written as a stream."
)
@no_cache_option
@debug_option
@model_options
def brief(
    path: str,
    fmt: str | None,
    meta: bool,
    output: str | None,
    no_cache: bool,
    model_options: ModelOptions,
) -> int:
    """Summarise one article into a brief.

    PATH is a plain text, Markdown or HTML file, or an http(s) URL (the page is
    fetched and reduced to its article; `summarizer extract` shows that text); - reads
    standard input. A page's title, site, author, date and address travel with the
    brief as its source.
    """
    target = _files.STDOUT if output is None else output
    # Checked before the model runs, not after a generation that would be wasted.
    _files.check(target, input_path=path)
    chosen = _brief_format(fmt, meta, target)
    options = model_options.api_options()

    from summarizer._api import summarize_detailed
    from summarizer._input._source import read_source
    from summarizer._output import _render

    page = read_source(path)
    result = summarize_detailed(page, **options, cache=not no_cache, progress=progress())
    if chosen == "json":
        payload = _render.detailed(result) if meta else result.brief.model_dump(mode="json")
        text = _render.as_json(payload)
    elif chosen == "html":
        from summarizer._output._html import as_html

        text = as_html(result, page.text)
    elif chosen == "markdown":
        text = _render.as_markdown(result.brief, result.meta.warnings, result.source)
    else:
        text = _render.as_text(result.brief, result.meta.warnings, result.source)
    _files.write(target, text, input_path=path)
    return EXIT_OK


@click.command()
@debug_option
def schema() -> int:
    """Print the brief's JSON Schema."""
    from summarizer.schemas import brief_json_schema

    _files.to_stdout(json.dumps(brief_json_schema(), indent=2) + "\n")
    return EXIT_OK
