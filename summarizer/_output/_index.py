"""The batch's `index.html`: one row per article (headline, category, phase, how many
uncertainties) linking to its report, and the failures with their messages.

Ids, headlines and messages come from outside (file names, manifests, model answers):
all are escaped into element content. A link is only ever a plain file name in the
index's own folder (letters, digits, `.`, `_`, `~`, `-`; no leading dot), percent-encoded:
nothing can point elsewhere (`../`, `/etc`, `javascript:`), so any other name is refused
as the caller's bug. The page has no script; its CSP blocks every request.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from summarizer._output._html import _text
from summarizer._output._render import shown
from summarizer._result import Result

__all__ = ["IndexEntry", "as_index", "safe_link"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_NAME = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,199}")

_STYLE = """
body { margin: 0 auto; max-width: 70rem; padding: 1rem; color: #1a1a1a; background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color-scheme: light; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: .3rem .5rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #f0f0f0; } td.n { text-align: right; }
.failed td { background: #fff4f4; }
@media (max-width: 40rem) { table, tr, td, th { display: block; } thead { display: none; } }
"""


@dataclass(frozen=True)
class IndexEntry:
    """One article of the batch: a brief with its report's file name, or a failure."""

    id: str
    report: str | None = None  # file name of the article's report, beside index.html
    headline: str = ""
    category: str = ""
    phase: str = ""
    uncertainties: int = 0
    error: str | None = None  # the failure's one-line message

    @classmethod
    def of(cls, id: str, report: str, result: Result) -> IndexEntry:
        b = result.brief
        return cls(
            id=id,
            report=report,
            headline=b.headline,
            category=b.event.category.value,
            phase=b.status.phase.value,
            uncertainties=len(b.uncertainties),
        )

    @classmethod
    def failed(cls, id: str, message: str) -> IndexEntry:
        return cls(id=id, error=message)


def safe_link(name: str) -> str:
    """`name` as an href that can only reach a file in the same folder; ValueError for
    any name that is not a plain file name."""
    if not _NAME.fullmatch(name) or name in (".", ".."):
        raise ValueError(f"not a plain file name for a link: {name!r}")
    return "./" + urllib.parse.quote(name, safe="")


def _label(value: str) -> str:
    return _text(value.replace("_", " "))


def as_index(entries: Iterable[IndexEntry], *, title: str = "Briefs") -> str:
    """The index page of a batch's reports, in the order given."""
    done, failed = [], []
    for e in entries:
        if e.error is None and e.report is not None:
            link = safe_link(e.report)
            done.append(
                f'<tr><td><a href="{link}">{_text(shown(e.headline) or e.id)}</a>'
                f"<br><small>{_text(shown(e.id))}</small></td>"
                f"<td>{_label(e.category)}</td><td>{_label(e.phase)}</td>"
                f'<td class="n">{e.uncertainties}</td></tr>'
            )
        else:
            message = shown(e.error or "no report")
            failed.append(
                f'<tr class="failed"><td>{_text(shown(e.id))}</td><td>{_text(message)}</td></tr>'
            )
    count = f"{len(done)} brief{'s' if len(done) != 1 else ''}, {len(failed)} failed"
    out = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(shown(title))}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>",
        f"<h1>{_text(shown(title))}</h1>\n<p>{count}.</p>",
    ]
    if done:
        out += [
            "<table>\n<thead><tr><th>Headline (article)</th><th>Category</th><th>Phase</th>"
            '<th scope="col">Uncertainties</th></tr></thead>\n<tbody>',
            *done,
            "</tbody>\n</table>",
        ]
    if failed:
        out += [
            "<h2>Failures</h2>\n<table>\n<thead><tr><th>Article</th><th>Error</th></tr></thead>"
            "\n<tbody>",
            *failed,
            "</tbody>\n</table>",
        ]
    return "\n".join([*out, "</main>\n</body>\n</html>\n"])
