"""Briefs as text: plain text for a terminal, Markdown for documents, JSON for programs.

The fields come from the article, which may carry terminal control sequences (a
window title change, a screen clear). None of the three forms passes one through:
text and Markdown drop them (see `shown`), JSON escapes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from summarizer._result import Result
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


def as_json(payload: object) -> str:
    """`payload` as indented UTF-8-safe JSON, every control character and lone surrogate
    \\u-escaped (C0 as json does)."""
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def detailed(result: Result) -> dict[str, object]:
    """`result` as `brief --meta` writes it: `{"brief", "meta", "evidence"}`, the last
    mapping each field path to its quotes' `{"start", "end", "clipped"}` in the article."""
    return {
        "brief": result.brief.model_dump(mode="json"),
        "meta": result.meta.model_dump(mode="json"),
        "evidence": result.evidence.model_dump(mode="json"),
    }


def _label(value: object) -> str:
    return str(getattr(value, "value", value)).replace("_", " ")


def _event(brief: Brief) -> str:
    # Briefs made here use the event summary as the headline: not printed twice.
    summary = brief.event.summary
    return "" if summary == brief.headline else f": {shown(summary)}"


def as_text(brief: Brief, warnings: Sequence[str] = ()) -> str:
    """`warnings` (meta.warnings) are printed under the headline, one a line."""
    e, s = brief.event, brief.status
    lines = [shown(brief.headline), ""]
    lines += [f"Warning: {shown(w)}" for w in warnings] + ([""] if warnings else [])
    lines += [f"Event ({_label(e.category)}){_event(brief)}"]
    place = ", ".join(shown(x) for x in (e.when, e.where) if x)
    if place:
        lines.append(f"  When/where: {place}")
    lines += ["", "Actors:"]
    lines += [f"  - {shown(a.name)} ({_label(a.kind)}): {shown(a.role)}" for a in brief.actors]
    lines += ["", f"Status ({_label(s.phase)}): {shown(s.summary)}", "", "Uncertain:"]
    if brief.uncertainties:
        for u in brief.uncertainties:
            source = f"; according to {shown(u.according_to)}" if u.according_to else ""
            lines.append(f"  - {shown(u.claim)} [{_label(u.basis)}{source}]")
    else:
        lines.append("  (nothing the article marks as uncertain)")
    return "\n".join(lines) + "\n"


def _quotes(evidence: list[str]) -> str:
    return " ".join(f"“{shown(q)}”" for q in evidence)


def as_markdown(brief: Brief, warnings: Sequence[str] = ()) -> str:
    """`warnings` (meta.warnings) are a quoted block under the headline."""
    e, s = brief.event, brief.status
    out = [f"# {shown(brief.headline)}", ""]
    out += [f"> **Warning:** {shown(w)}" for w in warnings] + ([""] if warnings else [])
    out += [f"**Event** ({_label(e.category)}){_event(brief)}"]
    if e.when or e.where:
        when, where = (shown(x) if x else "—" for x in (e.when, e.where))
        out.append(f"*When:* {when} · *Where:* {where}")
    if e.evidence:
        out += ["", f"> {_quotes(e.evidence)}"]
    out += ["", "## Actors", ""]
    out += [f"- **{shown(a.name)}** ({_label(a.kind)}): {shown(a.role)}" for a in brief.actors]
    out += ["", f"## Status: {_label(s.phase)}", "", shown(s.summary), "", "## Uncertain", ""]
    if brief.uncertainties:
        for u in brief.uncertainties:
            source = f", according to {shown(u.according_to)}" if u.according_to else ""
            out.append(f"- {shown(u.claim)} (*{_label(u.basis)}*{source})")
    else:
        out.append("- Nothing the article marks as uncertain.")
    return "\n".join(out) + "\n"
