"""`summarizer extract`: the text the model would see for an article, before paying for a brief.

The reader and the fetcher are imported inside the command, so `--help` stays quick.
"""

from __future__ import annotations

import click

from summarizer import _files
from summarizer._cli._options import PATH, debug_option

EXIT_OK = 0


@click.command(short_help="Print the article text the model would see (a file, URL or -).")
@click.argument("source", metavar="PATH|URL|-", type=PATH)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print {"text": …, "source": {title, url, site, author, published, …}} as JSON.',
)
@debug_option
def extract(source: str, as_json: bool) -> int:
    """Print the text of one article as `brief` would send it to the model.

    SOURCE is a plain text, Markdown or HTML file, an http(s) URL (fetched), or - for
    standard input. A web page is reduced to its article: check here that the story is
    all there and the page around it is not.
    """
    import sys

    from summarizer._input._source import read_source
    from summarizer._output._render import as_json as json_text
    from summarizer._output._render import safe_text

    page = read_source(source)
    if as_json:
        _files.to_stdout(json_text({"text": page.text, "source": page.source.as_json()}))
    elif sys.stdout.isatty():
        # The page's text may hold terminal escapes: shown without them on a terminal,
        # and exactly as the model sees it in a pipe or a file.
        _files.to_stdout(safe_text(page.text) + "\n")
    else:
        _files.to_stdout(page.text + "\n")
    return EXIT_OK
