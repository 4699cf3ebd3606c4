"""One entry for every kind of article source: a path, `-` for standard input, or an
http(s) URL, which is fetched and decoded with the charset its server or page declares."""

from __future__ import annotations

import codecs
import os
import re
from typing import BinaryIO

from summarizer._errors import InputError, one_line
from summarizer._input._fetch import FETCH_TIMEOUT, Fetched, display_url, fetch
from summarizer._input._page import Page
from summarizer._input._read import clean_page, decode_article, read_page

__all__ = ["decode_fetched", "is_url", "read_source"]

_URL = re.compile(r"https?://", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Labels a browser reads as windows-1252 (the WHATWG encoding standard).
_WINDOWS_1252 = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})


def is_url(source: str | os.PathLike[str]) -> bool:
    return isinstance(source, str) and _URL.match(source) is not None


def read_source(
    source: str | os.PathLike[str],
    *,
    stdin: BinaryIO | None = None,
    timeout: float = FETCH_TIMEOUT,
) -> Page:
    """The article at `source` with what is known about it: an http(s) URL is fetched
    (within `timeout` seconds) and its page extracted; anything else is read as
    `read_page` reads it ("-" is standard input). Raises InputError / FetchError."""
    if not is_url(source):
        return read_page(source, stdin=stdin)
    url = os.fspath(source)
    fetched = fetch(url, timeout=timeout)
    shown = display_url(url)
    return clean_page(decode_fetched(fetched, origin=shown), origin=shown, url=fetched.url)


def decode_fetched(fetched: Fetched, *, origin: str) -> str:
    """A fetched page's text: a byte-order mark first, else the charset the server
    declares, else the page's <meta charset>, else the file policy (UTF-8 or refused)."""
    data = fetched.body
    charset = fetched.charset
    if charset is None and fetched.media_type != "text/plain":
        found = _META_CHARSET.search(data[:4096])
        charset = found.group(1).decode("ascii") if found else None
    if data.startswith(_BOMS) or charset is None:
        return decode_article(data, origin=origin)
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        raise _error(
            f"{origin} declares an unknown charset {charset!r}; save the page and convert "
            "it to UTF-8"
        ) from None
    if codec in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
        return decode_article(data, origin=origin)
    if codec in _WINDOWS_1252:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")  # the five bytes cp1252 leaves undefined
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _error(
            f"{origin} is not valid {charset} (byte offset {exc.start}) though it says it is; "
            "save the page and convert it to UTF-8"
        ) from None


def _error(message: str) -> InputError:
    return InputError(one_line(message))
