"""The links of a list page: each with its full title and the date the list page prints for it.

The title is the ``title`` attribute when there is one (link texts are cut with …), else
the link's text without a date printed inside it. The listing date is a date the list page
prints as the item's date — an element holding only a date (``<span>2021-01-27</span>``,
``<b>``, ``<i>``, a cell) or the text beside the link — never a date inside the title, an
索引号 or a related item nested in the same list entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from w3lib.url import safe_url_string

from parsers.dates import DATE, from_match

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Where a list item ends: the date of an item is looked for up to these.
_ITEM_BOUNDS = ("div", "ul", "ol", "table", "tbody", "body", "section", "dl")
# Parts of an item that are not its date: related items (解读), scripts.
_SKIP = ("ul", "ol", "script", "style", "div")
_ONLY_DATE = re.compile(r"^[\[(（【]?\s*" + DATE.pattern + r"\s*[\])）】]?$")
_INDEX_NUMBER = re.compile(r"索引号|文号|成文|发文|印发|施行")
# A date in brackets that begins a link's own text: [2014/4/17] 学院动态 (the item's date,
# written into its link, not part of its title).
_LEAD_DATE = re.compile(r"^\s*[\[(（【]\s*" + DATE.pattern + r"\s*[\])）】]\s*")


@dataclass(frozen=True)
class Link:
    url: str
    title: str
    listed_date: str | None = None  # ISO date the list page prints for the item, if any


def as_fetched(url: str) -> str:
    """An address escaped as Scrapy sends it (``list.jsp?lm=年报`` is fetched as
    ``…lm=%E5%B9%B4%E6%8A%A5``), so that two spellings of one page compare equal; one
    Scrapy could not fetch (a port out of range) as written."""
    try:
        return safe_url_string(url)
    except ValueError:
        return url


def _only_date(text: str) -> str | None:
    m = _ONLY_DATE.match(" ".join(text.split()))
    return from_match(m) if m else None


def _text_outside(holder: etree._Element, skip: etree._Element) -> list[str]:
    """Text fragments of ``holder`` outside ``skip`` and outside nested lists."""
    out: list[str] = []
    if holder.text:
        out.append(holder.text)
    for child in holder:
        if child is not skip and isinstance(child.tag, str) and child.tag not in _SKIP:
            out.extend(_text_outside(child, skip))
        if child.tail:
            out.append(child.tail)
    return out


def _listed_date(a: etree._Element) -> str | None:
    if m := _LEAD_DATE.match(" ".join("".join(a.itertext()).split())):
        return from_match(m)
    for el in a.iter():
        if el is not a and isinstance(el.tag, str) and (day := _only_date("".join(el.itertext()))):
            return day  # <a><span>title</span><i>2026-09-10</i></a>
    child, holder = a, a.getparent()
    while holder is not None and holder.tag not in _ITEM_BOUNDS:
        for fragment in _text_outside(holder, child):
            if _INDEX_NUMBER.search(fragment):
                continue
            for m in DATE.finditer(fragment):
                if day := from_match(m):
                    return day
        child, holder = holder, holder.getparent()
    return None


def _title(a: etree._Element) -> str:
    title = (a.get("title") or "").strip()
    if title:
        return title
    parts = [a.text or ""]
    for el in a:
        if isinstance(el.tag, str) and not _only_date("".join(el.itertext())):
            parts.append("".join(el.itertext()))
        parts.append(el.tail or "")
    text = " ".join("".join(parts).split())
    return _LEAD_DATE.sub("", text, count=1) if _LEAD_DATE.match(text) else text


def links_in(base_url: str, html: str) -> list[Link]:
    """Every link of a page or fragment, with its full title and listing date."""
    html = _CONTROL.sub("", html)  # not allowed in HTML, and lxml asserts on some
    if not html.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError, AssertionError):
        return []
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            href = _scripted_href(a, href)  # where a script would take a person
            if href is None:
                continue
        try:
            url = urljoin(base_url, href)
        except ValueError:
            continue
        out.append(Link(url.split("#", 1)[0], _title(a), _listed_date(a)))
    return out


# A quoted address in a script: a path, a full URL or a file name with a page's or a
# document's extension (window.open('/art/2023/1/20/art_1.html'), openDoc("t1.pdf")).
QUOTED_ADDRESS = re.compile(
    r"""["']((?:https?://|/|\.{1,2}/)[^"'\s<>]+|[\w./-]+\.(?:s?html?|jsp|aspx?|php|pdf|docx?|wps|ofd)"""
    r"""(?:\?[^"'\s<>]*)?)["']""",
    re.I,
)


def _scripted_href(a: etree._Element, href: str) -> str | None:
    """The address a link without a plain href leads to: in data-href / data-url, in its
    onclick (window.open, location.href = …) or in its javascript: href."""
    for name in ("data-href", "data-url", "data-link"):
        if value := (a.get(name) or "").strip():
            return value
    for script in (a.get("onclick") or "", href if href.startswith("javascript:") else ""):
        if found := QUOTED_ADDRESS.search(script):
            return found.group(1)
    return None
