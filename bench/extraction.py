"""Measure HTML-to-article extraction: the old tag stripper against the page extractor.

    python bench/extraction.py FOLDER [--only NAME,NAME,...]

FOLDER holds `html/NAME.html` pages and `txt/NAME.txt`, the article text each should
give (newspaper4k's sdist ships such a set under tests/data: see bench/NOTES.md). For
each extractor it reports, over the pages:

- kept: the share of the expected text's sentences found in the output;
- chrome: the share of the output's sentences not found in the expected text (page
  text the model would read as if it were the story);
- size: output characters over expected characters (what the prompt pays).

Sentences of fewer than 4 words (captions, "Email") are left out of both counts;
comparison ignores case, quote style and whitespace.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from summarizer._errors import InputError
from summarizer._input._html import extract
from summarizer._input._simple import fragment_to_text
from summarizer._text._sentences import split_sentences

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_MIN_WORDS = 4


def normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return re.sub(r"\s+", " ", text).strip()


# List bullets and table bars the extractor writes around an item are layout, not words.
_LAYOUT = re.compile(r"^(?:[-*•|]\s*)+|(?:\s*\|)+$")


def sentences(text: str) -> list[str]:
    found = (_LAYOUT.sub("", normal(s)) for s in split_sentences(text))
    return [s for s in found if len(s.split()) >= _MIN_WORDS]


def old(html: str) -> str:
    return fragment_to_text(html, "page")


def new(html: str) -> str:
    return extract(html).text


EXTRACTORS: dict[str, Callable[[str], str]] = {"old (tag stripper)": old, "new (trafilatura)": new}


def score(output: str, expected: str) -> tuple[int, int, int, int]:
    """(expected sentences kept, expected sentences, output sentences foreign, output ones)."""
    out_norm, exp_norm = normal(output), normal(expected)
    want, got = sentences(expected), sentences(output)
    kept = sum(1 for s in want if s in out_norm)
    foreign = sum(1 for s in got if s not in exp_norm)
    return kept, len(want), foreign, len(got)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--only", help="comma-separated page names (default: every pair)")
    args = parser.parse_args(argv)
    pages = sorted(p.stem for p in (args.folder / "html").glob("*.html"))
    pages = [n for n in pages if (args.folder / "txt" / f"{n}.txt").exists()]
    if args.only:
        chosen = args.only.split(",")
        pages = [n for n in pages if n in chosen]
    if not pages:
        print(f"{args.folder}: no html/NAME.html with txt/NAME.txt", file=sys.stderr)
        return 2
    header = f"{'page':24} " + " ".join(f"{name:>26}" for name in EXTRACTORS)
    print(header + "\n" + f"{'':24} " + " ".join(f"{'kept chrome size':>26}" for _ in EXTRACTORS))
    totals = {name: [0, 0, 0, 0, 0, 0] for name in EXTRACTORS}
    for name in pages:
        html = (args.folder / "html" / f"{name}.html").read_text("utf-8", errors="replace")
        expected = (args.folder / "txt" / f"{name}.txt").read_text("utf-8", errors="replace")
        cells = []
        for label, run in EXTRACTORS.items():
            try:
                output = run(html)
            except InputError:
                output = ""
            kept, want, foreign, got = score(output, expected)
            total = totals[label]
            for i, value in enumerate((kept, want, foreign, got, len(output), len(expected))):
                total[i] += value
            cells.append(
                f"{kept / max(want, 1):>8.0%} {foreign / max(got, 1):>7.0%}"
                f" {len(output) / len(expected):>8.2f}"
            )
        print(f"{name:24} " + " ".join(f"{c:>26}" for c in cells))
    cells = []
    for total in totals.values():
        kept, want, foreign, got, out_chars, exp_chars = total
        cells.append(
            f"{kept / want:>8.1%} {foreign / max(got, 1):>7.1%} {out_chars / exp_chars:>8.2f}"
        )
    print(f"{'all (pooled)':24} " + " ".join(f"{c:>26}" for c in cells))
    for label, total in totals.items():
        print(f"{label}: {total[0]}/{total[1]} sentences kept, {total[2]}/{total[3]} foreign")
    return 0


if __name__ == "__main__":
    sys.exit(main())
