"""A small, safe Markdown renderer for bulletins: everything is escaped first, then a few
constructs are turned into tags (headings, paragraphs, lists, bold, italics, links to
http(s) only). No raw HTML passes through, so no sanitiser is needed after it."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^\s)]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?!\*)")


def _inline(text: str) -> str:
    out: str = str(escape(text))
    out = _LINK.sub(lambda m: f'<a href="{m[2]}" rel="nofollow noopener">{m[1]}</a>', out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _ITALIC.sub(r"<em>\1</em>", out)


def render(source: str) -> SafeString:
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    ordered = False

    def flush() -> None:
        nonlocal items
        if paragraph:
            html.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            tag = "ol" if ordered else "ul"
            html.append(f"<{tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{tag}>")
            items = []

    for raw in (source or "").replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        heading = re.match(r"^(#{1,4})\s+(.*)$", line)
        bullet = re.match(r"^\s*[-*+]\s+(.*)$", line)
        number = re.match(r"^\s*\d+[.)]\s+(.*)$", line)
        if not line.strip():
            flush()
        elif heading:
            flush()
            level = len(heading[1]) + 1  # the page's own title is the h1
            html.append(f"<h{level}>{_inline(heading[2])}</h{level}>")
        elif bullet or number:
            if paragraph or (items and ordered != bool(number)):
                flush()
            ordered = bool(number)
            items.append((bullet or number)[1])  # type: ignore[index]
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return mark_safe("\n".join(html))  # noqa: S308 - every piece of text went through escape()
