"""A `BriefDiff` as one self-contained HTML page: each change, then beside now, with the
quotes from each version's own article.

As in the report (`_html`), every field is untrusted (model answers, article quotes)
and goes through `_text`, escaped into element content. The page has no script at
all: its Content-Security-Policy allows none, and blocks every request.
"""

from __future__ import annotations

from summarizer._output._diff import ActorItem, BriefDiff, Quote, StatusItem, UncertaintyItem
from summarizer._output._html import _text
from summarizer._output._render import shown

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_STYLE = """
:root { --new: #009e73; --gone: #d55e00; --open: #0072b2; color-scheme: light; }
body { margin: 0 auto; max-width: 80rem; padding: 1rem; color: #1a1a1a; background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.05rem; margin-top: 1.5rem; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 1px solid #bbb; padding: .4rem .6rem; vertical-align: top; text-align: left;
  overflow-wrap: anywhere; }
th { background: #f0f0f0; } thead th:first-child { width: 10rem; }
td.empty { background: repeating-linear-gradient(45deg, #fafafa 0 6px, #f0f0f0 6px 12px); }
.tag { display: inline-block; font-weight: bold; font-size: .8em; border: 1px solid #555;
  border-radius: 3px; padding: 0 .3em; margin-right: .3em; }
.tag.new { border: 2px solid var(--new); } .tag.gone { border: 2px dashed var(--gone); }
.tag.open { border: 2px double var(--open); }
blockquote { margin: .3rem 0 0 .5rem; padding-left: .6rem; border-left: 3px solid #999;
  font-family: Georgia, serif; }
.where { color: #555; font-size: .85em; font-family: system-ui, sans-serif; }
@media (max-width: 40rem) { table, tr, td, th { display: block; } th:empty { display: none; } }
"""


def _quotes(quotes: list[Quote]) -> str:
    out = []
    for q in quotes:
        at = ""
        if q.start is not None and q.end is not None:
            cut = ", cut" if q.clipped else ""
            at = f' <span class="where">(characters {q.start}–{q.end}{cut})</span>'
        out.append(f"<blockquote>{_text(shown(q.text))}{at}</blockquote>")
    return "".join(out)


def _tag(kind: str, word: str) -> str:
    return f'<span class="tag {kind}">{word}</span>'


def _actor(a: ActorItem) -> str:
    return (
        f"<b>{_text(shown(a.name))}</b> ({_text(a.kind.replace('_', ' '))}): "
        f"{_text(shown(a.role))}{_quotes(a.evidence)}"
    )


def _uncertainty(u: UncertaintyItem) -> str:
    who = f"; according to {_text(shown(u.according_to))}" if u.according_to else ""
    basis = _text(u.basis.replace("_", " "))
    return f"{_text(shown(u.claim))} <i>[{basis}{who}]</i>{_quotes(u.evidence)}"


def _status(s: StatusItem) -> str:
    phase = _text(s.phase.replace("_", " "))
    return f"<b>{phase}</b>: {_text(shown(s.summary))}{_quotes(s.evidence)}"


def _cell(body: str | None) -> str:
    return "<td>" + body + "</td>" if body is not None else '<td class="empty">—</td>'


def _row(head: str, then: str | None, now: str | None) -> str:
    return f'<tr><th scope="row">{head}</th>{_cell(then)}{_cell(now)}</tr>'


def _table(caption: str, rows: list[str], diff: BriefDiff) -> str:
    if not rows:
        rows = ['<tr><td colspan="3">Nothing here in either brief.</td></tr>']
    return (
        f"<h2>{caption}</h2>\n<table>\n"
        f'<thead><tr><th></th><th scope="col">Then: {_text(shown(diff.old_label))}</th>'
        f'<th scope="col">Now: {_text(shown(diff.new_label))}</th></tr></thead>\n'
        f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>\n"
    )


def as_diff_html(diff: BriefDiff) -> str:
    """The diff page; self-contained, no script."""
    phase = "changed" if diff.phase_changed else "unchanged"
    story = [
        _row("Headline", _text(shown(diff.old_headline)), _text(shown(diff.new_headline))),
        _row(f"Status ({phase})", _status(diff.status_then), _status(diff.status_now)),
    ]
    actors = [_row(_tag("new", "+ new"), None, _actor(a)) for a in diff.actors_new]
    actors += [_row(_tag("gone", "− gone"), _actor(a), None) for a in diff.actors_gone]
    actors += [_row("in both", _actor(p.old), _actor(p.new)) for p in diff.actors_kept]
    uncertain = [
        _row(_tag("open", "= still open"), _uncertainty(p.old), _uncertainty(p.new))
        for p in diff.still_open
    ]
    uncertain += [_row(_tag("new", "+ newly raised"), None, _uncertainty(u)) for u in diff.raised]
    uncertain += [
        _row(_tag("gone", "− no longer reported"), _uncertainty(u), None)
        for u in diff.no_longer_reported
    ]
    title = f"What changed: {_text(shown(diff.new_headline))}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{title}</h1>\n"
        f"<p>Phase: {_text(_phase_line(diff))}. Each item shows the quotes of the article "
        "its brief was made from (then on the left, now on the right).</p>\n"
        f"{_table('The story', story, diff)}{_table('Actors', actors, diff)}"
        f"{_table('Uncertain', uncertain, diff)}</main>\n</body>\n</html>\n"
    )


def _phase_line(diff: BriefDiff) -> str:
    then, now = (s.phase.replace("_", " ") for s in (diff.status_then, diff.status_now))
    return f"{then} → {now}" if diff.phase_changed else f"{now} (unchanged)"
