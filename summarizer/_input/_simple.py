"""HTML fragments to text: every visible word, with tags and hidden elements dropped.

A pasted fragment (`<p>…</p><p>…</p>`) is the article's own body, with no page around
it, so every visible word of it is kept. Hidden elements go: `hidden`, `aria-hidden`,
an inline `display: none`, and what the fragment's own `<style>` sheets hide (`_css`).
Whole pages go to the article extractor (`_html`), which drops short blocks as page
chrome: right for a page, wrong for a fragment (it loses list items and one-line
paragraphs; see bench/NOTES.md).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from summarizer._errors import InputError, one_line

__all__ = ["INVISIBLE_STYLE", "fragment_to_text", "hidden"]


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


_DROP = _names("script style noscript template svg head nav aside form iframe button")  # never text
# Page chrome, except inside an <article>, whose own <header> holds the headline.
_CHROME = _names("header footer")
_BLOCK = _names(
    "p div h1 h2 h3 h4 h5 h6 ul ol dl table blockquote pre hr section article main figure "
    "figcaption address details summary body"
)
_LINE = _names("br li tr dt dd")
_HTML_SPACE = re.compile(r"[ \t\n\f]+")
_HTML_BLANK_LINE = re.compile(r"[ \t\f]*\n[ \t\f]*\n[ \t\n\f]*")


_VOID = _names("area base br col embed hr img input link meta source track wbr")
INVISIBLE_STYLE = re.compile(r"(?:display\s*:\s*none|visibility\s*:\s*hidden)", re.I)


def hidden(attrs: list[tuple[str, str | None]]) -> bool:
    """Whether an element's attributes hide it from a reader of the page."""
    for name, value in attrs:
        if name == "hidden" or (name == "aria-hidden" and (value or "").lower() == "true"):
            return True
        if name == "style" and value and INVISIBLE_STYLE.search(value):
            return True
    return False


# Elements whose end tag HTML lets a page leave out: the next start tag of one of these
# kinds ends them (a `<p>` also ends at any block).
_OPTIONAL_END = {
    "li": _names("li"),
    "dt": _names("dt dd"),
    "dd": _names("dt dd"),
    "tr": _names("tr"),
    "td": _names("td th tr"),
    "th": _names("td th tr"),
    "option": _names("option"),
}


def _implied_end(open_tag: str, new_tag: str) -> bool:
    if open_tag == "p":
        return new_tag in _BLOCK or new_tag in _LINE
    return new_tag in _OPTIONAL_END.get(open_tag, frozenset())


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped in handle_data
        self.parts: list[str] = []
        self._open: dict[str, int] = {}  # depth of the elements that decide skipping
        # An element a browser does not show (and everything in it): its tag, and how
        # many of that tag are open inside it. Hidden text is a place to hide instructions.
        self._hidden_tag = ""
        self._hidden_count = 0

    def _skipping(self) -> bool:
        if self._hidden_count:
            return True
        if any(self._open.get(tag) for tag in _DROP):
            return True
        return any(self._open.get(tag) for tag in _CHROME) and not self._open.get("article")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._hidden_count and _implied_end(self._hidden_tag, tag):
            self._hidden_count = 0  # `<p hidden>` closed by the next block, as browsers do
        if self._hidden_count and tag == self._hidden_tag:
            self._hidden_count += 1
        elif not self._hidden_count and tag not in _VOID and hidden(attrs):
            self._hidden_tag, self._hidden_count = tag, 1
        if tag == "body":  # browsers close an unclosed <head> here; so must we
            self._open["head"] = 0
        if tag in _DROP or tag in _CHROME or tag in ("article", "pre"):
            self._open[tag] = self._open.get(tag, 0) + 1
        if tag in _BLOCK:
            self.parts.append("\n\n")
        elif tag in _LINE:
            self.parts.append("\n")
        elif tag in ("td", "th"):  # keep neighbouring cells from running together
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._hidden_count and tag == self._hidden_tag:
            self._hidden_count -= 1
        if self._open.get(tag):
            self._open[tag] -= 1
        if tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._skipping():
            return
        data = data.replace("\xa0", " ")  # &nbsp; is layout, not text
        if self._open.get("pre"):
            self.parts.append(data)
            return
        # Collapse whitespace as a browser would, but keep blank lines as paragraph breaks.
        pieces = _HTML_BLANK_LINE.split(data)
        self.parts.append("\n\n".join(_HTML_SPACE.sub(" ", piece) for piece in pieces))


def fragment_to_text(html: str, origin: str) -> str:
    """The visible text of `html`, one paragraph a block; InputError if there is none."""
    parser = _TextExtractor()
    try:
        parser.feed(_mark_styled_hidden(html))
        parser.close()
    except AssertionError:  # _markupbase asserts on some malformed declarations
        raise _error(
            f"{origin} looks like HTML but could not be parsed; save the article as plain text"
        ) from None
    text = re.sub(r" *\n *", "\n", "".join(parser.parts))
    text = re.sub(r"\n{3,}", "\n\n", text).strip(" \n")
    if not any(char.isalnum() for char in text):
        raise _error(
            f"{origin} looks like HTML but has no readable text once scripts, styles and "
            "navigation are dropped; give the article text itself"
        )
    return text


def _mark_styled_hidden(html: str) -> str:
    """`html` with every element its own `<style>` sheets hide marked `hidden`, which the
    extractor above drops; `html` itself when it has no style sheet or hides nothing."""
    if "<style" not in html.lower():
        return html
    # Imported here: a fragment without a style sheet (nearly all) needs no lxml.
    import lxml.etree
    import lxml.html

    from summarizer._input._css import hidden_by_style_sheets

    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html  # the extractor reads what it can; style sheets are not the text
    found = [element for element in hidden_by_style_sheets(tree) if element.tag not in _NEVER]
    for element in found:
        element.set("hidden", "")
    return lxml.html.tostring(tree, encoding="unicode") if found else html


_NEVER = _names("html body")  # a page hiding its body until a script runs is still read


def _error(message: str) -> InputError:
    return InputError(one_line(message))
