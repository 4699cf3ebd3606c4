"""The elements a page's own style sheets hide: what a class or id rule in a `<style>`
element hides from a reader must not reach the model either.

Only the page's inline style sheets are read (a linked sheet would need the network),
and only their top-level rules: a rule inside `@media` (print, a narrow screen) or
`@supports` hides text that a reader of the page on a screen may well see. A rule hides
when its declarations say `display: none` or `visibility: hidden`, `!important` or not.
Style sheets are parsed by tinycss2 (comments, strings and unclosed blocks handled as a
browser would) and selectors translated to XPath by cssselect; a selector it cannot
translate (a pseudo-element, an unsupported pseudo-class) is skipped, never the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lxml.html import HtmlElement

__all__ = ["hidden_by_style_sheets"]

# Style sheets that apply to a page on a screen: no `media`, or one of these.
_SCREEN_MEDIA = frozenset({"", "all", "screen"})
_CSS_TYPES = frozenset({"", "text/css"})
# Where a <style> never styles the page a reader sees: an inert template, and the
# fallback for readers without scripts (most readers run them and never see it).
_INERT = frozenset({"template", "noscript"})
_HIDING = {"display": "none", "visibility": "hidden"}


def hidden_by_style_sheets(tree: HtmlElement) -> list[HtmlElement]:
    """The elements of `tree` that a top-level rule of one of its `<style>` sheets hides,
    each once, outermost and innermost alike. Never raises on bad CSS."""
    # Imported here, as trafilatura is: `summarizer --help` need not load them.
    from cssselect import HTMLTranslator, SelectorError, parse
    from lxml.etree import XPathError

    translator = HTMLTranslator()
    found: dict[HtmlElement, None] = {}  # an ordered set: elements are hashable
    for selectors in _hiding_selectors(tree):
        try:
            parsed = parse(selectors)
        except SelectorError:
            continue  # a selector list a browser would not parse hides nothing
        for selector in parsed:
            if selector.pseudo_element:  # hides ::before and the like, not the element
                continue
            try:
                xpath = translator.selector_to_xpath(selector)
            except SelectorError:  # a pseudo-class it does not know
                continue
            try:
                matched = tree.xpath(xpath)
            except XPathError:  # a translation lxml cannot evaluate hides nothing
                continue
            for element in matched:
                found[element] = None
    return list(found)


def _hiding_selectors(tree: HtmlElement) -> Iterator[str]:
    """The selector list of every top-level rule that hides what it matches."""
    import tinycss2

    for style in tree.iter("style"):
        if not _applies(style):
            continue
        rules = tinycss2.parse_stylesheet(
            style.text_content(), skip_comments=True, skip_whitespace=True
        )
        for rule in rules:
            if rule.type != "qualified-rule":  # at-rules (@media, @supports) and errors
                continue
            content = tinycss2.parse_blocks_contents(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            if any(_hides(item) for item in content):
                yield tinycss2.serialize(rule.prelude).strip()


def _applies(style: HtmlElement) -> bool:
    if (style.get("media") or "").strip().lower() not in _SCREEN_MEDIA:
        return False
    if (style.get("type") or "").strip().lower() not in _CSS_TYPES:
        return False
    return not any(ancestor.tag in _INERT for ancestor in style.iterancestors())


def _hides(item: Any) -> bool:
    """Whether a parsed block item is `display: none` or `visibility: hidden`."""
    if item.type != "declaration":
        return False  # a nested rule (not top-level), or a parse error
    wanted = _HIDING.get(item.lower_name)
    # The value with `!important` already split off; idents come unescaped and lowered.
    values = [token for token in item.value if token.type not in ("whitespace", "comment")]
    return (
        wanted is not None
        and len(values) == 1
        and values[0].type == "ident"
        and values[0].lower_value == wanted
    )
