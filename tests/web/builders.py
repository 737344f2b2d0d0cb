"""Helpers for the page tests: a page's Content-Security-Policy as directives, the tags that need its nonce."""
from __future__ import annotations

import re

# A <script> or <style> start tag, and its nonce attribute (None when it has none).
TAG = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)
NONCE = re.compile(r"""\bnonce="([^"]*)\"""")
# What a strict CSP refuses in markup: inline event handlers and style attributes.
INLINE_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""<[^>]*\sstyle\s*=""", re.IGNORECASE)


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        if part.strip():
            name, *sources = part.split()
            parsed[name.lower()] = sources
    return parsed


def tag_nonces(html: str) -> list[tuple[str, str | None]]:
    """Every <script> and <style> tag of `html` with its nonce."""
    found = []
    for tag, attributes in TAG.findall(html):
        nonce = NONCE.search(attributes)
        found.append((tag.lower(), nonce.group(1) if nonce else None))
    return found
