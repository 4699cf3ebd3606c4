"""A brief as one self-contained HTML page: the brief beside its article, each quote marked.

Everything shown comes from outside: the article, and the model's answer in every
field of the brief. All of it goes through `_text`/`_attr` (html.escape, quotes too)
and lands in element content or a quoted attribute, never in a script, a style, a URL
or a template. The page's one script is a constant, allowed by its hash in the
Content-Security-Policy, which also blocks every request (no fonts, images or scripts
from anywhere) and any inline handler an escaping bug could let in.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise

from summarizer._errors import InputError
from summarizer._output._render import shown, source_lines, when_shown
from summarizer._result import Result, Span
from summarizer._text._hedges import basis_words

# What a page must not carry from the article: C0 controls but tab and line breaks, DEL,
# C1 controls, bidi embeddings/overrides/isolates (they can make text read differently
# from what it is); a lone surrogate cannot be written as UTF-8 and becomes U+FFFD.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")

_ASSETS = resources.files("summarizer._output")
_STYLE = (_ASSETS / "report.css").read_text(encoding="utf-8")
_SCRIPT = (_ASSETS / "report.js").read_text(encoding="utf-8")
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode()
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; base-uri 'none'; form-action 'none'"
)


def _text(value: str) -> str:
    """Untrusted text as element content: escaped, line breaks kept."""
    return html.escape(_SURROGATE.sub("\ufffd", _INVISIBLE.sub("", value)), quote=True)


def _attr(value: str) -> str:
    """Untrusted text as a quoted attribute value: one line, escaped."""
    return html.escape(shown(value), quote=True)


def _label(value: object) -> str:
    return str(getattr(value, "value", value)).replace("_", " ")


@dataclass(frozen=True)
class _Item:
    """One brief item a reader can select: its id in the page, its badge, its spans."""

    id: str
    kind: str  # event | actor | status | uncertainty: picks colour and underline style
    badge: str
    title: str  # untrusted (names, claims): escaped where used
    spans: tuple[Span, ...]
    hedges: tuple[tuple[int, int], ...] = ()


def _items(result: Result, article: str) -> list[_Item]:
    b, ev = result.brief, result.evidence
    event = _checked(ev.of("event"), b.event.evidence, article)
    out = [_Item("event", "event", "E", "Event", event)]
    for i, a in enumerate(b.actors):
        spans = _checked(ev.of(f"actors[{i}]"), a.evidence, article)
        out.append(_Item(f"a{i + 1}", "actor", f"A{i + 1}", f"Actor {i + 1}: {a.name}", spans))
    status = _checked(ev.of("status"), b.status.evidence, article)
    out.append(_Item("status", "status", "S", "Status", status))
    for i, u in enumerate(b.uncertainties):
        spans = _checked(ev.of(f"uncertainties[{i}]"), u.evidence, article)
        hedges = tuple(
            (s.start + start, s.start + end)
            for s in spans
            for start, end in basis_words(article[s.start : s.end], u.basis)
        )
        title = f"Uncertainty {i + 1}: {u.claim}"
        out.append(_Item(f"u{i + 1}", "uncertainty", f"U{i + 1}", title, spans, hedges))
    return out


def _checked(spans: list[Span], quotes: Sequence[str], article: str) -> tuple[Span, ...]:
    # Offsets from another article (or another cleaning of it) would mark wrong text.
    if len(spans) != len(quotes) or any(
        article[s.start : s.end] != q for s, q in zip(spans, quotes, strict=False)
    ):
        raise InputError(
            "the brief's evidence positions do not match this article: render the report "
            "with the article text the brief was made from"
        )
    return tuple(spans)


def as_html(result: Result, article: str) -> str:
    """The report page for `result`, a brief of `article` (the text the pipeline read)."""
    items = _items(result, article)
    b = result.brief
    title = _text(shown(b.headline))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title} — brief</title>\n<style>\n{_STYLE}</style>\n</head>\n<body>\n"
        '<main class="report">\n'
        f'<section class="brief" aria-label="The brief">\n{_brief(result, items)}</section>\n'
        '<section class="article" id="article" aria-label="The article">\n'
        "<h2>The article</h2>\n"
        f"{_article(article, items)}</section>\n</main>\n"
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )


def _button(item: _Item, body: str) -> str:
    n = len(item.spans)
    count = f"{n} quote{'s' if n != 1 else ''}" if n else "no quote"
    return (
        f'<button type="button" class="item k-{item.kind}" data-item="{item.id}" '
        f'data-label="{_attr(item.title)}" aria-pressed="false" aria-controls="article">'
        f'<span class="tag">{item.badge}</span> {body} <span class="count">({count})</span>'
        "</button>"
    )


def _brief(result: Result, items: list[_Item]) -> str:
    b, by_id = result.brief, {i.id: i for i in items}
    e, s = b.event, b.status
    out = [f"<h1>{_text(shown(b.headline))}</h1>"]
    for w in result.meta.warnings:
        out.append(f'<p class="warning"><strong>Warning:</strong> {_text(shown(w))}</p>')
    # The page's address is shown as text, not made a link: a page's claims are data.
    about = "<br>".join(_text(x) for x in source_lines(result.source))
    out += [f'<p class="source"><strong>Source:</strong> {about}</p>'] if about else []
    summary = "" if e.summary == b.headline else f": {_text(shown(e.summary))}"
    out += ["<h2>Event</h2>", _button(by_id["event"], f"<b>{_label(e.category)}</b>{summary}")]
    when = when_shown(e.when, result.source) if e.when else None
    places = [
        f"<dt>{k}</dt><dd>{_text(v) if v else '—'}</dd>"
        for k, v in (("When", when), ("Where", shown(e.where) if e.where else None))
    ]
    out += [f'<dl class="facts">{"".join(places)}</dl>', "<h2>Actors</h2>", "<ul>"]
    for i, a in enumerate(b.actors, 1):
        body = f"<b>{_text(shown(a.name))}</b> ({_label(a.kind)}): {_text(shown(a.role))}"
        out.append(f"<li>{_button(by_id[f'a{i}'], body)}</li>")
    out += ["</ul>", "<h2>Status</h2>"]
    out.append(_button(by_id["status"], f"<b>{_label(s.phase)}</b>: {_text(shown(s.summary))}"))
    out += ["<h2>Uncertain</h2>", "<ul>"]
    for i, u in enumerate(b.uncertainties, 1):
        who = f"; according to {_text(shown(u.according_to))}" if u.according_to else ""
        body = f'{_text(shown(u.claim))} <span class="basis">[{_label(u.basis)}{who}]</span>'
        out.append(f"<li>{_button(by_id[f'u{i}'], body)}</li>")
    if not b.uncertainties:
        out.append("<li>Nothing the article marks as uncertain.</li>")
    out += ["</ul>", '<p id="picked" class="picked" aria-live="polite"></p>']
    return "\n".join([*out, _meta(result), _LEGEND]) + "\n"


def _meta(result: Result) -> str:
    m = result.meta
    rows = [
        ("Model", f"{m.model} ({m.backend})"),
        ("Prompt / schema", f"{m.prompt_version} / {m.schema_version}"),
        ("Requests", f"{m.attempts} ({m.reasks} re-ask(s), {m.transport_retries} retried)"),
        ("Tokens", f"{m.usage.prompt_tokens} in, {m.usage.completion_tokens} out"),
        ("Latency", f"{m.latency_s:.1f} s"),
        ("Rejected answers", str(len(m.validation_errors))),
    ]
    cells = "".join(f"<dt>{k}</dt><dd>{_text(shown(v))}</dd>" for k, v in rows)
    out = ['<details class="meta" open><summary>How this brief was made</summary>']
    out.append(f'<dl class="facts">{cells}</dl>')
    repairs = [r.line() for r in m.repairs]
    for heading, entries in (("Repairs", repairs), ("Warnings", m.warnings)):
        lines = "".join(f"<li>{_text(shown(x))}</li>" for x in entries) or "<li>none</li>"
        out.append(f"<h3>{heading}</h3><ul>{lines}</ul>")
    return "\n".join([*out, "</details>"])


_LEGEND = """<details class="legend" open><summary>Legend</summary><ul>
<li><mark class="cite k-event">Event</mark> solid underline, badge E</li>
<li><mark class="cite k-actor">Actor</mark> dashed underline, badges A1, A2…</li>
<li><mark class="cite k-status">Status</mark> double underline, badge S</li>
<li><mark class="cite k-uncertainty">Uncertainty</mark> wavy underline, badges U1, U2…</li>
<li><em class="hedge">hedge word</em> bold italic, boxed: a word the uncertainty's basis
was read from</li>
<li><mark class="cite active">Selected</mark> outlined: the sentences of the item you picked</li>
<li><span class="cut-note">cut</span> in a badge: the quote stops there (length limit)</li>
</ul><p>Pick an item on the left (click, or Tab and Enter) to highlight and scroll to its
sentences; pick a marked sentence to see which items cite it.</p></details>"""


def _article(article: str, items: list[_Item]) -> str:
    """The whole article, each cited span a <mark> naming the items that cite it (its
    description is kept out of the text, so the text stays exactly the article's)."""
    bounds = sorted(
        {0, len(article)} | {p for i in items for s in i.spans for p in (s.start, s.end)}
    )
    hedges = sorted({h for i in items for h in i.hedges})
    out: list[str] = []
    notes: list[str] = []
    for n, (a, z) in enumerate(pairwise(bounds), 1):
        cover = [(i, s) for i in items for s in i.spans if s.start <= a and z <= s.end]
        if not cover:
            out.append(_text(article[a:z]))
            continue
        citing = list(dict.fromkeys(i for i, _ in cover))
        clipped = any(s.clipped and s.end == z for _, s in cover)
        badge = " ".join(i.badge for i in citing) + (" · cut" if clipped else "")
        why = "; ".join(i.title for i in citing) + (" (quote cut here)" if clipped else "")
        kinds = " ".join(dict.fromkeys(f"k-{i.kind}" for i in citing))
        ids = " ".join(i.id for i in citing)
        out.append(
            f'<mark id="m{n}" class="cite {kinds}" data-items="{ids}" data-badge="{badge}" '
            f'tabindex="0" title="Cited by: {_attr(why)}" aria-describedby="m{n}-why">'
            f"{_hedged(article, a, z, hedges)}</mark>"
        )
        notes.append(f'<span id="m{n}-why">Cited by: {_text(shown(why))}</span>')
    return f'<div class="text">{"".join(out)}</div>\n<div hidden>{"".join(notes)}</div>\n'


def _hedged(article: str, a: int, z: int, hedges: list[tuple[int, int]]) -> str:
    """article[a:z] with the hedge words inside it marked."""
    out, at = [], a
    for start, end in hedges:
        start, end = max(start, at), min(end, z)
        if start >= end:
            continue
        out.append(_text(article[at:start]))
        out.append(f'<em class="hedge" title="hedge word">{_text(article[start:end])}</em>')
        at = end
    out.append(_text(article[at:z]))
    return "".join(out)
