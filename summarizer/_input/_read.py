"""Read one article, check it is usable text, and return it cleaned.

Encoding policy: UTF-8 (one BOM dropped) or UTF-16 *with* a BOM. Anything else is
refused rather than guessed, because a wrong guess silently corrupts the text that
grounding later checks quotes against. For the same reason the text is kept
verbatim apart from newlines, trailing spaces and surrounding blank lines; only
real HTML is reduced to its article text (`_html`), whose page metadata comes back
with it as a `Page`.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
from typing import BinaryIO

from summarizer._errors import InputError, one_line
from summarizer._input._page import Page, Source
from summarizer._input._simple import fragment_to_text

__all__ = [
    "STDIN_ORIGIN",
    "check_text",
    "clean_article",
    "clean_page",
    "decode_article",
    "read_article",
    "read_page",
]

STDIN_ORIGIN = "standard input"

# The most bytes read as one article (a saved web page is well under it). Reading stops
# there, so an endless stream (`yes | summarizer brief -`) is refused, not held in memory.
MAX_INPUT_BYTES = 16 * 1024 * 1024
_TOO_BIG = (
    f"is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB, more than one article; "
    "give one article at a time"
)

# Binary formats show themselves early; scanning a sample keeps huge inputs cheap.
_SAMPLE = 65536
# C0 controls other than tab, newline, form feed and carriage return, plus DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.10
_ICONV_HINT = "convert it first, e.g. `iconv -f LATIN1 -t UTF-8 in.txt > out.txt` if it is Latin-1"


def read_article(source: str | os.PathLike[str], *, stdin: BinaryIO | None = None) -> str:
    """Return the cleaned text of the article at `source` (see `read_page`)."""
    return read_page(source, stdin=stdin).text


def read_page(source: str | os.PathLike[str], *, stdin: BinaryIO | None = None) -> Page:
    """Return the cleaned text of the article at `source`, with what its page says about it.

    The string "-" reads bytes from `stdin` (default `sys.stdin.buffer`); anything
    else, including `Path("-")`, is a file path. Raises InputError when unusable.
    """
    if isinstance(source, str) and source == "-":
        origin = STDIN_ORIGIN
        try:
            data = (stdin if stdin is not None else sys.stdin.buffer).read(MAX_INPUT_BYTES + 1)
        except (AttributeError, OSError, ValueError) as exc:  # no/closed stdin
            raise _error(f"cannot read standard input ({exc}); pass a file path instead") from None
        if len(data) > MAX_INPUT_BYTES:
            raise _error(f"{origin} {_TOO_BIG}")
    else:
        origin = os.fspath(source)
        if not origin:
            raise _error("no article path given; pass a file path, or '-' for standard input")
        data = _read_file(origin)
    return clean_page(decode_article(data, origin=origin), origin=origin)


def decode_article(data: bytes, *, origin: str) -> str:
    """Decode article bytes under the policy above; `origin` names them in errors."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _error(f"{origin} is UTF-32; convert it first: iconv -f UTF-32 -t UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")  # the BOM picks the byte order and is dropped
        except UnicodeDecodeError as exc:
            raise _error(
                f"{origin} starts with a UTF-16 byte-order mark but is not valid UTF-16 "
                f"(byte offset {exc.start}); re-save it as UTF-8"
            ) from None
        _reject_binary(text, origin)
        return text
    if b"\x00" in data:
        byte_order = _utf16_without_bom(data[:_SAMPLE])
        if byte_order:
            raise _error(
                f"{origin} looks like {byte_order} without a byte-order mark; "
                f"convert it first: iconv -f {byte_order} -t UTF-8"
            )
    # Before decoding, so a binary file is called binary, not "not UTF-8".
    _reject_binary(data[:_SAMPLE].decode("latin-1"), origin)
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        raise _error(
            f"{origin} is not valid UTF-8 (byte 0x{data[offset]:02X} at byte offset {offset}); "
            + _ICONV_HINT
        ) from None


def clean_article(text: str, *, origin: str = "article") -> str:
    """The cleaned text of `text` (see `clean_page`)."""
    return clean_page(text, origin=origin).text


def clean_page(text: str, *, origin: str = "article", url: str | None = None) -> Page:
    """Normalise newlines and surrounding whitespace, reduce HTML to text, refuse empty text.

    The text has no trailing newline; words, quotes, dashes and markup-like text in
    plain or Markdown articles are returned exactly as given. A whole page's metadata
    fills the source; `url` is where it was fetched from, if it was.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.removeprefix("\ufeff")
    _reject_surrogates(text, origin)
    _reject_binary(text, origin)
    source = Source(origin=origin, url=url)
    # Here, not at the top: trafilatura takes ~0.2 s to import, and bare text needs none of it.
    from summarizer._input._html import extract, is_document, looks_like_html

    if is_document(text):
        page = extract(text, url=url, origin=origin)
        text, source = page.text, page.source
    elif looks_like_html(text):
        text = fragment_to_text(text, origin)
    # Only spaces and tabs: other trailing characters (NBSP, ideographic space) are text.
    # Blank lines are empty once stripped, so surrounding ones are leading/trailing "\n"s.
    cleaned = "\n".join(line.rstrip(" \t") for line in text.split("\n")).strip("\n")
    if not cleaned.strip():
        raise _error(f"{origin} is empty (only whitespace); give a file with the article text")
    return Page(cleaned, source)


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)  # a FIFO or /dev/zero may never end
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            problem = "file not found; check the path, or pass '-' to read standard input"
        elif os.path.isdir(path):  # Windows reports a directory as PermissionError
            problem = "is a directory; pass the path of the article file"
        elif isinstance(exc, PermissionError):
            problem = "permission denied; make the file readable or pipe it in with '-'"
        else:
            problem = f"cannot be read ({exc.strerror or exc}); check the path"
        raise _error(f"{path}: {problem}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise _error(f"{path} {_TOO_BIG}")
    return data


def check_text(text: str, *, origin: str = "the article") -> str:
    """Refuse, as files are refused, text given as a str that no request could carry:
    lone surrogates, NUL bytes, mostly control characters. The text is kept as given."""
    _reject_surrogates(text, origin)
    _reject_binary(text, origin)
    return text


def _reject_surrogates(text: str, origin: str) -> None:
    # A str from the Python API may hold lone surrogates (bytes decoded with
    # errors="surrogateescape"): they cannot be sent, so no request could succeed.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _error(
            f"{origin} is not valid Unicode text (lone surrogate U+{ord(text[exc.start]):04X} "
            f"at character {exc.start}); decode its bytes strictly, or pass the file itself"
        ) from None


def _reject_binary(text: str, origin: str) -> None:
    sample = text[:_SAMPLE]
    share = len(_CONTROL.findall(sample)) / len(sample) if sample else 0.0
    reason = "it contains NUL bytes" if "\x00" in text else f"{share:.0%} control characters"
    if "\x00" in text or share > _MAX_CONTROL_SHARE:
        raise _error(
            f"{origin} looks like binary data ({reason}), not text; "
            "give the article as UTF-8 plain text or Markdown"
        )


def _utf16_without_bom(sample: bytes) -> str | None:
    # ASCII-range text in UTF-16 has a NUL in every other byte, and none in between.
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if even == 0 and odd > 0.3 * len(sample) / 2:
        return "UTF-16LE"
    if odd == 0 and even > 0.3 * len(sample) / 2:
        return "UTF-16BE"
    return None


def _error(message: str) -> InputError:
    return InputError(one_line(message))
