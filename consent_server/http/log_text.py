"""Text from outside written into a log line, with every character that could end or fake a line escaped.

A request path, a header or an exception message about a visitor's input can hold a
newline (`%0A` in a path is decoded before anyone logs it), a carriage return or a
terminal escape. Written as is, `GET /c/x%0A203.0.113.5 ...` starts a second access-log
line that looks like another request from a full address. Every such character is
written as its Python escape instead (`\\n`, `\\x1b`, `\\u2028`), and the backslash as `\\\\`,
so an escaped line reads back unambiguously.
"""
from __future__ import annotations

import re
import traceback
from typing import Iterator

# C0 and C1 controls, DEL, the Unicode line and paragraph separators (str.splitlines breaks
# on those too), and the backslash that starts every escape.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}
# The path segment after /visitors/ is a visitor id: personal data that an erasure must be
# able to remove, which it cannot from a log file. Access logs write "-" in its place.
_VISITOR_SEGMENT = re.compile(r"(/visitors/)[^/?#\s]+")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def escape_controls(text: str) -> str:
    """`text` on one line: control characters and line separators escaped, backslashes doubled."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def loggable_path(path: str) -> str:
    """`path` with every visitor id (the segment after `/visitors/`) replaced by `-`."""
    return _VISITOR_SEGMENT.sub(r"\1-", path) if "/visitors/" in path else path


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)


def format_exception(error: BaseException) -> str:
    """The traceback of `error` as logging writes it, each exception's message on one line, escaped.

    The frames are our code; the messages may quote input ("netloc 'a\\n...' contains invalid
    characters"). Lines keep their breaks between frames, none inside a message.
    """
    text = "".join(traceback.format_exception(error)).rstrip("\n")
    for link in _chain(error):
        message = "".join(traceback.format_exception_only(link)).rstrip("\n")
        escaped = escape_controls(message)
        if escaped != message:
            text = text.replace(message, escaped)
    return text
