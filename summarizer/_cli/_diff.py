"""`summarizer diff OLD NEW`: what changed in a developing story between two briefs.

OLD and NEW are each a brief (`brief --meta` JSON, or a bare brief's JSON) or an
article, which is briefed first with the model options given. Heavy modules are
imported inside the command, so `--help` costs nothing of them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

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
from summarizer._errors import InputError

if TYPE_CHECKING:
    from summarizer._output._diff import Version

EXIT_OK = 0


@click.command(short_help="What changed between two briefs (or articles) of one story.")
@click.argument("old", type=PATH)
@click.argument("new", type=PATH)
@format_option(
    "Output format (default: text on a terminal, json otherwise); html shows the two "
    "versions' evidence side by side."
)
@output_option("Write to FILE instead of stdout (- is stdout), replaced atomically.")
@no_cache_option
@debug_option
@model_options
def diff(
    old: str,
    new: str,
    fmt: str | None,
    output: str | None,
    no_cache: bool,
    model_options: ModelOptions,
) -> int:
    """Say what changed from OLD to NEW: the phase, actors new and gone, uncertainties
    still open, newly raised and no longer reported, each with its own quotes.

    OLD and NEW are `summarizer brief --meta` JSON files or articles (briefed first,
    with the model options below, through the brief cache); - reads one of them from
    standard input.
    """
    if old == new == "-":
        raise InputError("only one of OLD and NEW can be - (standard input); pass a file")
    target = _files.STDOUT if output is None else output
    for path in (old, new):
        _files.check(target, input_path=path)
    to_terminal = target == _files.STDOUT and sys.stdout.isatty()
    chosen = fmt or ("text" if to_terminal else "json")

    from summarizer._output import _diff_render
    from summarizer._output._diff import compare

    versions = [_version(path, model_options, cache=not no_cache) for path in (old, new)]
    result = compare(versions[0], versions[1])
    if chosen == "html":
        from summarizer._output._diff_html import as_diff_html

        text = as_diff_html(result)
    elif chosen == "markdown":
        text = _diff_render.as_diff_markdown(result)
    elif chosen == "text":
        text = _diff_render.as_diff_text(result)
    else:
        text = _diff_render.as_diff_json(result)
    _files.write(target, text, input_path=old if new == "-" else new)
    return EXIT_OK


def _version(path: str, options: ModelOptions, *, cache: bool) -> Version:
    """The brief in `path`, or the brief of the article in `path`."""
    from summarizer._input._read import read_article
    from summarizer._output._diff import Version, version_from_json

    label = "standard input" if path == "-" else path
    text = read_article(path)
    found = version_from_json(text, label)
    if found is not None:
        return found
    from summarizer._client import Summarizer

    with Summarizer(**options.api_options(), cache=cache) as session:
        result = session.brief_detailed(text, progress=progress())
    return Version(result.brief, result.evidence, label)
