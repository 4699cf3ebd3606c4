"""HTML to the article the model sees: a whole page through an article extractor, a
fragment through the simple tag stripper, hidden elements dropped from both.

Pages go to trafilatura, which keeps the story and drops the page around it (navigation,
cookie banners, related links, comments, share buttons, footers) and reads the page's
metadata. Its text is kept exactly as it returns it: grounding checks quotes against it.
Before it runs, every element a browser would not show (`hidden`, `aria-hidden="true"`,
`display: none`, `visibility: hidden`, inline or by a rule of the page's own style sheets:
`_css`) is removed: hidden text is where a page plants instructions for machines
(tests/test_injection.py). Comments, `<meta>` and `alt`
never reach its text.
"""

from __future__ import annotations

import copy
import datetime
import re
from typing import TYPE_CHECKING

from summarizer._errors import InputError, one_line
from summarizer._input._css import hidden_by_style_sheets
from summarizer._input._page import Page, Source
from summarizer._input._simple import hidden

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = ["extract", "is_document", "looks_like_html"]

# A whole document: optional XML declaration and comments, then a doctype or <html>.
_DOCUMENT = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S
)
_HTML_TAGS = (
    "a abbr article aside b blockquote body br caption center code dd div dl dt em figcaption "
    "figure font footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img li link main "
    "meta nav noscript ol p pre script section small span strong style sub sup table tbody td "
    "th thead time title tr u ul"
)
_TAG = re.compile(r"</?(?:" + "|".join(sorted(_HTML_TAGS.split())) + r")\b[^<>]*>", re.I)


def looks_like_html(text: str) -> bool:
    """A document (doctype/<html> first), or a fragment: at least 3 known tags, one of
    them closing, and either the text starts with a tag or most non-blank lines hold one.
    Prose or Markdown that mentions a `<b>` tag or embeds a snippet stays as it is."""
    if is_document(text):
        return True
    tags = _TAG.findall(text)
    if len(tags) < 3 or not any(tag.startswith("</") for tag in tags):
        return False
    if _TAG.match(text.lstrip()):
        return True
    lines = [line for line in text.split("\n") if line.strip()]
    return 2 * sum(1 for line in lines if _TAG.search(line)) > len(lines)


def is_document(text: str) -> bool:
    """Whether `text` is a whole page (doctype or <html> first), not a fragment."""
    return _DOCUMENT.match(text) is not None


def extract(html: str, *, url: str | None = None, origin: str = "the page") -> Page:
    """The article in a whole page, and the page's metadata. `url` is where the page was
    read from: the fallback for its canonical URL and for dates in the path.
    Raises InputError when the page cannot be parsed or has no article text."""
    # Imported here: trafilatura and its dependencies take ~0.1 s to load, which
    # `import summarizer` and the CLI's --help need not pay.
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        raise _error(
            f"{origin} looks like HTML but could not be parsed; save the article as plain text"
        )
    # Metadata from the whole page (JSON-LD lives in <script>); text from the page with
    # scripts and hidden elements gone, so nothing a reader cannot see can reach it.
    metadata = trafilatura.extract_metadata(
        copy.deepcopy(tree),
        default_url=url,
        # From the markup and the URL only: a date guessed from the text may be any date
        # the story mentions.
        date_config={"extensive_search": False, "original_date": True},
        extensive=False,
    )
    language = _language(tree)
    _drop_hidden(tree)
    _drop_link_lists(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,  # readers' comments are not the story
        include_tables=True,
        include_images=False,
        include_links=False,
    )
    text = getattr(document, "text", None) or ""
    if not any(char.isalnum() for char in text):
        raise _error(
            f"{origin}: the page has no article text once navigation, boilerplate and hidden "
            "elements are dropped; save the article's own text and give that"
        )
    return Page(
        text,
        Source(
            origin=origin,
            url=url,
            title=_field(metadata, "title"),
            author=_field(metadata, "author"),
            published=_date(_field(metadata, "date")),
            site=_field(metadata, "sitename"),
            canonical_url=_field(metadata, "url"),
            language=language,
        ),
    )


# Never the article, in any page. trafilatura drops them too, but its rescue for short
# pages reads the raw tree, where a <template> or <noscript> would still speak.
_NEVER_TEXT = "//template | //noscript | //script | //style | //nav | //footer"
_HIDDEN_CANDIDATES = "//*[@hidden or @aria-hidden or @style]"
# A page that hides its whole body until a script runs still shows it to a reader.
_NEVER_HIDDEN = frozenset({"html", "body"})


def _drop_hidden(tree: HtmlElement) -> None:
    # The page's style sheets first: they are among what _NEVER_TEXT drops.
    for element in hidden_by_style_sheets(tree):
        if element.tag not in _NEVER_HIDDEN and element.getparent() is not None:
            element.drop_tree()
    for element in tree.xpath(_NEVER_TEXT):
        if element.getparent() is not None:
            element.drop_tree()  # keeps the text after it (its tail), which is visible
    for element in tree.xpath(_HIDDEN_CANDIDATES):
        if element.tag in _NEVER_HIDDEN or element.getparent() is None:
            continue
        attrs = [(str(name).lower(), value) for name, value in element.attrib.items()]
        if hidden(attrs):
            element.drop_tree()


# A list whose every item holds a link and whose words are mostly link text is a list of
# other pages (related stories, "more must-reads", a site map), not the story's own list.
_LINK_SHARE = 0.5
_MIN_LINK_ITEMS = 3


def _drop_link_lists(tree: HtmlElement) -> None:
    for listing in tree.xpath("//ul | //ol"):
        items = listing.xpath("./li")
        if len(items) < _MIN_LINK_ITEMS or not all(item.xpath(".//a") for item in items):
            continue
        words = len(listing.text_content().split())
        linked = sum(len(a.text_content().split()) for a in listing.xpath(".//a"))
        if words and linked >= _LINK_SHARE * words and listing.getparent() is not None:
            listing.drop_tree()


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def _language(tree: HtmlElement) -> str | None:
    """The page's declared language: <html lang>, else Content-Language or og:locale."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iterfind(".//meta[@content]"):
        kind = (meta.get("http-equiv") or meta.get("property") or "").lower()
        if kind in ("content-language", "og:locale"):
            candidates.append(meta.get("content"))
    for candidate in candidates:
        value = (candidate or "").strip().replace("_", "-")
        if _LANGUAGE_TAG.fullmatch(value):
            return value
    return None


def _field(document: object, name: str) -> str | None:
    value = getattr(document, name, None)
    return value.strip() or None if isinstance(value, str) else None


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _error(message: str) -> InputError:
    return InputError(one_line(message))
