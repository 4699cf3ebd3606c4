"""Briefs as text for people: plain text for a terminal, Markdown for documents."""

from __future__ import annotations

from schemas import Brief


def _label(value: object) -> str:
    return str(getattr(value, "value", value)).replace("_", " ")


def _event(brief: Brief) -> str:
    # Briefs made here use the event summary as the headline: not printed twice.
    summary = brief.event.summary
    return "" if summary == brief.headline else f": {summary}"


def as_text(brief: Brief) -> str:
    e, s = brief.event, brief.status
    lines = [brief.headline, "", f"Event ({_label(e.category)}){_event(brief)}"]
    place = ", ".join(x for x in (e.when, e.where) if x)
    if place:
        lines.append(f"  When/where: {place}")
    lines += ["", "Actors:"]
    lines += [f"  - {a.name} ({_label(a.kind)}): {a.role}" for a in brief.actors]
    lines += ["", f"Status ({_label(s.phase)}): {s.summary}", "", "Uncertain:"]
    if brief.uncertainties:
        for u in brief.uncertainties:
            source = f"; according to {u.according_to}" if u.according_to else ""
            lines.append(f"  - {u.claim} [{_label(u.basis)}{source}]")
    else:
        lines.append("  (nothing the article marks as uncertain)")
    return "\n".join(lines) + "\n"


def _quotes(evidence: list[str]) -> str:
    return " ".join(f"“{q}”" for q in evidence)


def as_markdown(brief: Brief) -> str:
    e, s = brief.event, brief.status
    out = [f"# {brief.headline}", "", f"**Event** ({_label(e.category)}){_event(brief)}"]
    if e.when or e.where:
        out.append(f"*When:* {e.when or '—'} · *Where:* {e.where or '—'}")
    if e.evidence:
        out += ["", f"> {_quotes(e.evidence)}"]
    out += ["", "## Actors", ""]
    out += [f"- **{a.name}** ({_label(a.kind)}): {a.role}" for a in brief.actors]
    out += ["", f"## Status: {_label(s.phase)}", "", s.summary, "", "## Uncertain", ""]
    if brief.uncertainties:
        for u in brief.uncertainties:
            source = f", according to {u.according_to}" if u.according_to else ""
            out.append(f"- {u.claim} (*{_label(u.basis)}*{source})")
    else:
        out.append("- Nothing the article marks as uncertain.")
    return "\n".join(out) + "\n"
