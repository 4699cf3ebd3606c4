"""A `BriefDiff` as text for a terminal, Markdown for documents, and JSON for programs.

Every field comes from a model's answer or an article: each goes through `shown`
(one line, no control characters) as the brief renderings do; JSON escapes them.
"""

from __future__ import annotations

from summarizer._output._diff import ActorItem, BriefDiff, Quote, StatusItem, UncertaintyItem
from summarizer._output._render import as_json, shown


def as_diff_json(diff: BriefDiff) -> str:
    return as_json(diff.model_dump(mode="json"))


def _label(value: str) -> str:
    return value.replace("_", " ")


def _quotes(quotes: list[Quote], indent: str) -> list[str]:
    return [f"{indent}“{shown(q.text)}”{' (cut)' if q.clipped else ''}" for q in quotes]


def _actor(a: ActorItem) -> str:
    return f"{shown(a.name)} ({_label(a.kind)}): {shown(a.role)}"


def _claim(u: UncertaintyItem) -> str:
    who = f"; according to {shown(u.according_to)}" if u.according_to else ""
    return f"{shown(u.claim)} [{_label(u.basis)}{who}]"


def _phase(diff: BriefDiff) -> str:
    then, now = _label(diff.status_then.phase), _label(diff.status_now.phase)
    return f"{then} → {now}" if diff.phase_changed else f"{now} (unchanged)"


def as_diff_text(diff: BriefDiff) -> str:
    lines = [f"What changed: {shown(diff.old_label)} → {shown(diff.new_label)}", ""]
    lines += [f"Then: {shown(diff.old_headline)}", f"Now:  {shown(diff.new_headline)}", ""]
    lines += [f"Phase: {_phase(diff)}"]
    for name, s in (("then", diff.status_then), ("now", diff.status_now)):
        lines += [f"Status {name} ({_label(s.phase)}): {shown(s.summary)}"]
        lines += _quotes(s.evidence, "    ")
    lines += ["", "Actors:"]
    for a in diff.actors_new:
        lines += [f"  + {_actor(a)}", *_quotes(a.evidence, "      ")]
    for a in diff.actors_gone:
        lines += [f"  - {_actor(a)}", *_quotes(a.evidence, "      ")]
    if diff.actors_kept:
        lines.append("  = in both: " + ", ".join(shown(p.new.name) for p in diff.actors_kept))
    lines += ["", "Uncertain:"]
    for p in diff.still_open:
        lines += [f"  = still open: {_claim(p.new)}"]
        lines += ["      then:", *_quotes(p.old.evidence, "        ")]
        lines += ["      now:", *_quotes(p.new.evidence, "        ")]
    for u in diff.raised:
        lines += [f"  + newly raised: {_claim(u)}", *_quotes(u.evidence, "      ")]
    for u in diff.no_longer_reported:
        lines += [f"  - no longer reported: {_claim(u)}", *_quotes(u.evidence, "      ")]
    if not (diff.still_open or diff.raised or diff.no_longer_reported):
        lines.append("  (nothing uncertain in either brief)")
    return "\n".join(lines) + "\n"


def _md_quotes(quotes: list[Quote]) -> str:
    shown_quotes = " ".join(f"“{shown(q.text)}”{' (cut)' if q.clipped else ''}" for q in quotes)
    return f" — {shown_quotes}" if quotes else ""


def _md_status(name: str, s: StatusItem) -> str:
    return f"- **{name}** ({_label(s.phase)}): {shown(s.summary)}{_md_quotes(s.evidence)}"


def as_diff_markdown(diff: BriefDiff) -> str:
    out = [f"# What changed: {shown(diff.old_label)} → {shown(diff.new_label)}", ""]
    out += [f"- **Then:** {shown(diff.old_headline)}", f"- **Now:** {shown(diff.new_headline)}"]
    out += ["", f"## Phase: {_phase(diff)}", ""]
    out += [_md_status("Then", diff.status_then), _md_status("Now", diff.status_now)]
    out += ["", "## Actors", ""]
    out += [f"- **New:** {_actor(a)}{_md_quotes(a.evidence)}" for a in diff.actors_new]
    out += [f"- **Gone:** {_actor(a)}{_md_quotes(a.evidence)}" for a in diff.actors_gone]
    if diff.actors_kept:
        out.append("- **In both:** " + ", ".join(shown(p.new.name) for p in diff.actors_kept))
    out += ["", "## Uncertain", ""]
    for p in diff.still_open:
        out.append(
            f"- **Still open:** {_claim(p.new)} — then{_md_quotes(p.old.evidence) or ': —'}; "
            f"now{_md_quotes(p.new.evidence) or ': —'}"
        )
    out += [f"- **Newly raised:** {_claim(u)}{_md_quotes(u.evidence)}" for u in diff.raised]
    out += [
        f"- **No longer reported:** {_claim(u)}{_md_quotes(u.evidence)}"
        for u in diff.no_longer_reported
    ]
    if not (diff.still_open or diff.raised or diff.no_longer_reported):
        out.append("- Nothing uncertain in either brief.")
    return "\n".join(out) + "\n"
