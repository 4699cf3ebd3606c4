"""Briefs as text: plain text for a terminal, Markdown for documents, JSON for programs.

The fields come from the article, which may carry terminal control sequences (a
window title change, a screen clear). None of the three forms passes one through:
text and Markdown drop them (see `shown`), JSON escapes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from summarizer._result import Result, Source
from summarizer.schemas import Brief

# Line and page breaks inside a field would break the layout: each run becomes a space.
_BREAKS = re.compile("[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
# What a terminal acts on instead of showing: C0 controls (ESC, BEL, backspace …), DEL,
# C1 controls (CSI, OSC …), and the bidi embeddings, overrides and isolates that can
# make text read differently from what it is. LRM/RLM stay: they order neutral
# characters only, as right-to-left names need.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A lone surrogate (json.loads makes one from a model's "\ud800") is no character:
# shown as the replacement character, as a decoder shows a broken byte.
_SURROGATE = re.compile("[\ud800-\udfff]")
# json.dumps escapes C0 itself and writes these raw, only ever inside strings: as \u
# escapes they parse back to the same text (lone surrogates too, which UTF-8 cannot hold).
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def shown(value: str) -> str:
    """`value` as it may reach a terminal: one line, no control characters."""
    return _SURROGATE.sub("\ufffd", _INVISIBLE.sub("", _BREAKS.sub(" ", value))).strip()


def safe_text(value: str) -> str:
    """`value` with its lines and tabs kept and every other control character dropped, for
    a terminal (see `_INVISIBLE`); lone surrogates become the replacement character."""
    return _SURROGATE.sub("\ufffd", _KEEP_LINES.sub("", value.replace("\r\n", "\n")))


_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A time the article gives relative to when it was written: read alone, it is ambiguous.
_RELATIVE = re.compile(
    r"\b(today|tonight|yesterday|tomorrow|this (morning|afternoon|evening|week|month|year)|"
    r"(last|next|earlier this|later this) (week|month|year|night|weekend|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"(mon|tues|wednes|thurs|fri|satur|sun)day|ago|recently|overnight)\b",
    re.I,
)


def when_shown(when: str, source: Source | None) -> str:
    """The brief's `when` as the article says it, with the page's publication date beside
    it when the article's time is relative ("on Tuesday", "last week") and the page has one."""
    text = shown(when)
    if source is None or source.published is None or not _RELATIVE.search(when):
        return text
    return f"{text} (page published {source.published.isoformat()})"


def source_lines(source: Source | None) -> list[str]:
    """What the page says about itself, as lines: title, site, author, date; then its address.
    Nothing for an article that came without a page (plain text)."""
    if source is None:
        return []
    about = [shown(x) for x in (source.title, source.site) if x]
    if source.author:
        about.append(f"by {shown(source.author)}")
    if source.published:
        about.append(f"published {source.published.isoformat()}")
    address = source.url or source.canonical_url
    lines = [", ".join(about)] if about else []
    return lines + ([shown(address)] if address else [])


def as_json(payload: object) -> str:
    """`payload` as indented UTF-8-safe JSON, every control character and lone surrogate
    \\u-escaped (C0 as json does)."""
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def detailed(result: Result) -> dict[str, object]:
    """`result` as `brief --meta` writes it: `{"brief", "meta", "evidence", "source"}`;
    evidence maps each field path to its quotes' `{"start", "end", "clipped"}` in the
    article, source is where the article came from (None when not known)."""
    return {
        "brief": result.brief.model_dump(mode="json"),
        "meta": result.meta.model_dump(mode="json"),
        "evidence": result.evidence.model_dump(mode="json"),
        "source": result.source.as_json() if result.source else None,
    }


def _label(value: object) -> str:
    return str(getattr(value, "value", value)).replace("_", " ")


def _event(brief: Brief) -> str:
    # Briefs made here use the event summary as the headline: not printed twice.
    summary = brief.event.summary
    return "" if summary == brief.headline else f": {shown(summary)}"


def as_text(brief: Brief, warnings: Sequence[str] = (), source: Source | None = None) -> str:
    """`warnings` (meta.warnings) are printed under the headline, one a line; then the
    page's `source`, if the article came from one."""
    e, s = brief.event, brief.status
    lines = [shown(brief.headline), ""]
    lines += [f"Warning: {shown(w)}" for w in warnings] + ([""] if warnings else [])
    about = source_lines(source)
    lines += [f"Source: {about[0]}", *(f"  {x}" for x in about[1:]), ""] if about else []
    lines += [f"Event ({_label(e.category)}){_event(brief)}"]
    when = when_shown(e.when, source) if e.when else None
    place = ", ".join(x for x in (when, shown(e.where) if e.where else None) if x)
    if place:
        lines.append(f"  When/where: {place}")
    lines += ["", "Actors:"]
    lines += [f"  - {shown(a.name)} ({_label(a.kind)}): {shown(a.role)}" for a in brief.actors]
    lines += ["", f"Status ({_label(s.phase)}): {shown(s.summary)}", "", "Uncertain:"]
    if brief.uncertainties:
        for u in brief.uncertainties:
            who = f"; according to {shown(u.according_to)}" if u.according_to else ""
            lines.append(f"  - {shown(u.claim)} [{_label(u.basis)}{who}]")
    else:
        lines.append("  (nothing the article marks as uncertain)")
    return "\n".join(lines) + "\n"


def _quotes(evidence: list[str]) -> str:
    return " ".join(f"“{shown(q)}”" for q in evidence)


def as_markdown(brief: Brief, warnings: Sequence[str] = (), source: Source | None = None) -> str:
    """`warnings` (meta.warnings) are a quoted block under the headline; the page's
    `source`, if any, a line under them."""
    e, s = brief.event, brief.status
    out = [f"# {shown(brief.headline)}", ""]
    out += [f"> **Warning:** {shown(w)}" for w in warnings] + ([""] if warnings else [])
    about = source_lines(source)
    if about:
        out += [f"*Source:* {' · '.join(about)}", ""]
    out += [f"**Event** ({_label(e.category)}){_event(brief)}"]
    if e.when or e.where:
        when = when_shown(e.when, source) if e.when else "—"
        where = shown(e.where) if e.where else "—"
        out.append(f"*When:* {when} · *Where:* {where}")
    if e.evidence:
        out += ["", f"> {_quotes(e.evidence)}"]
    out += ["", "## Actors", ""]
    out += [f"- **{shown(a.name)}** ({_label(a.kind)}): {shown(a.role)}" for a in brief.actors]
    out += ["", f"## Status: {_label(s.phase)}", "", shown(s.summary), "", "## Uncertain", ""]
    if brief.uncertainties:
        for u in brief.uncertainties:
            who = f", according to {shown(u.according_to)}" if u.according_to else ""
            out.append(f"- {shown(u.claim)} (*{_label(u.basis)}*{who})")
    else:
        out.append("- Nothing the article marks as uncertain.")
    return "\n".join(out) + "\n"
