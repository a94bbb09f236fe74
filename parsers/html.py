"""A portal's report page → the report's text, tables as grids.

The body is the CMS's content container when there is one (TRS keeps it in .TRS_Editor),
else the page without its navigation, footers and comment widgets. Tables keep their
structure: rowspan and colspan become blank positions, never copies of the text.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterator
from urllib.parse import urljoin

import lxml.html
from charset_normalizer import from_bytes
from lxml import etree

from parsers.decode import utf8_after_bom
from parsers.grid import Grid, render_blocks
from parsers.meta import clean_title, is_title, page_date_of
from parsers.normalize import normal_form

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
# Portals label GBK and GB2312 pages loosely; GB18030 is a superset of both.
_GB = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "gb18030", "cp936", "euc-cn", "hz-gb-2312"}
_CONTENT = (
    "TRS_Editor",
    "TRS_UEDITOR",
    "trs_editor_view",
    "zoom",
    "Zoom",
    "article-content",
    "articleContent",
    "article_content",
    "content-text",
    "news_content",
    "pages_content",
    "wzxq",
    "xxgk_content",
    "detail-content",
    "main-content",
    "con_text",
)
_CHROME = re.compile(
    r"nav|menu|header|footer|foot|comment|pinglun|liuyan|share|breadcrumb|position|crumb|"
    r"sidebar|related|print|toolbar|search|login",
    re.IGNORECASE,
)
_DROP = (
    "script",
    "style",
    "noscript",
    "iframe",
    "form",
    "button",
    "select",
    "textarea",
    "object",
    "svg",
    "nav",
    "header",
    "footer",
    "aside",
)
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "section",
    "article",
    "center",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "ul",
    "ol",
    "hr",
}


def _codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    label = (name.decode("ascii", "ignore") if isinstance(name, bytes) else name).strip().lower()
    if label in _GB:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """HTTP header charset, then <meta charset>, then BOM and detection."""
    declared = None
    if content_type and "charset=" in content_type.lower():
        declared = _codec(content_type.lower().split("charset=")[-1].split(";")[0])
    if declared is None:
        m = _META_CHARSET.search(data[:8192])
        declared = _codec(m.group(1)) if m else None
    if data.startswith(codecs.BOM_UTF8):
        if utf8_after_bom(data):
            return data[3:].decode("utf-8")
        data = data[3:]  # a UTF-8 mark on bytes that are not: the bytes have the last word
    for codec in filter(None, (declared, "utf-8")):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data[:200000]).best()
    codec = _codec(best.encoding) if best else None
    return data.decode(codec or "gb18030", "replace")


_RANK = {name: n for n, name in enumerate(_CONTENT)}
# The class and id attributes, as strings that know their element: a quarter of the time
# of a search for the elements that have them.
_NAMES = etree.XPath("//@class | //@id")
_NAMES_INSIDE = etree.XPath("descendant::*/@class | descendant::*/@id")  # not its own
_TABLE_TAGS = ("table", "tr", "td", "th", "tbody")


def _body(root: etree._Element) -> etree._Element:
    """The content container: of the elements whose class word or id is a known content
    name, those of the name listed first; of them the one with the most text. One pass
    over the document, not one search per name."""
    ranked: dict[etree._Element, int] = {}  # in document order
    for value in _NAMES(root):
        names = value.split() if value.attrname == "class" else [value]
        ranks = [_RANK[n] for n in names if n in _RANK]
        if ranks:
            el = value.getparent()
            ranked[el] = min(ranked.get(el, len(_RANK)), *ranks)
    found: dict[int, list[etree._Element]] = {}
    for el, rank in ranked.items():
        found.setdefault(rank, []).append(el)
    for rank in sorted(found):
        texts = [(_all_text(el), el) for el in found[rank]]
        sized = [(len(t), el) for t, el in texts if len(t) > 50 and len(t.strip()) > 50]
        if sized:
            return max(sized, key=lambda pair: pair[0])[1]
    body = root.find("body")
    return body if body is not None else root


def _clean(el: etree._Element) -> None:
    """Drop what is never the report inside the container: scripts, forms and the like,
    and elements whose class or id names page chrome (tables excepted). Which subtrees go
    does not depend on the order they are dropped in, nor does the text that stays."""
    for bad in list(el.iter(*_DROP)):
        if bad is not el:
            _drop(bad)
    for value in _NAMES_INSIDE(el):
        bad = value.getparent()
        if bad.tag not in _TABLE_TAGS and _CHROME.search(value):
            _drop(bad)


# No report table is wider than this; a span reaching past it (or past the table's last
# row) is clipped, so a few bytes of rowspan="1000" colspan="1000" cost a few cells.
MAX_COLUMNS = 64


def _table(table: etree._Element) -> Grid:
    grid: list[list[str | None]] = []
    rows = list(_own_rows(table))
    # carry[c]: rows still covered at column c by a cell spanning down from above (a
    # column without such a cell has no entry).
    carry: dict[int, int] = {}
    for r, tr in enumerate(rows):
        row: list[str | None] = []
        c = 0
        below = len(rows) - r - 1
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while c < MAX_COLUMNS and c in carry:
                row.append(None)
                c += 1
            if c >= MAX_COLUMNS:
                break
            row.append(_all_text(cell) if len(cell) else cell.text or "")  # no children: its text
            rs, cs = cell.get("rowspan"), cell.get("colspan")
            if rs is None and cs is None:  # most cells
                c += 1
                continue
            rowspan = 1 if rs is None else min(_span(rs), below + 1)
            colspan = 1 if cs is None else min(_span(cs), MAX_COLUMNS - c)
            row.extend([None] * (colspan - 1))
            if rowspan > 1:
                for dc in range(colspan):
                    if carry.get(c + dc, 0) < rowspan:
                        carry[c + dc] = rowspan
            c += colspan
        while c < MAX_COLUMNS and c in carry:
            row.append(None)
            c += 1
        # This row is done: what spanned it now covers one row less.
        if carry:
            carry = {col: n - 1 for col, n in carry.items() if n > 1}
        grid.append(row)
    return grid


# A cell holding more text than this is a page's part, not a table's cell.
_LAYOUT_CELL_CHARS = 400


def _own_rows(table: etree._Element) -> Iterator[etree._Element]:
    """The table's rows, not those of tables nested in it."""
    return (tr for tr in table.iter("tr") if tr.getparent() is not None and _owner(tr) is table)


def _own_cells(table: etree._Element) -> Iterator[etree._Element]:
    for tr in _own_rows(table):
        yield from (cell for cell in tr if cell.tag in ("td", "th"))


# A layout table has a few cells (navigation, content, footer); a report's table many.
_LAYOUT_CELLS = 24


def _is_layout(table: etree._Element) -> bool:
    """A table the page is laid out with: it holds a table, or one of its few cells holds
    a whole text."""
    if table.find(".//table") is not None:
        return True
    cells = list(_own_cells(table))
    return len(cells) <= _LAYOUT_CELLS and any(
        len(_all_text(cell)) > _LAYOUT_CELL_CHARS for cell in cells
    )


def _owner(tr: etree._Element) -> etree._Element | None:
    for parent in tr.iterancestors():
        if parent.tag == "table":
            return parent
    return None


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 1000)
    except ValueError:
        return 1


def _all_text(el: etree._Element) -> str:
    """``"".join(el.itertext())``, in C: the text serializer is three times as fast as
    an XPath ``string()``."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _blocks(el: etree._Element, out: list, line: list[str]) -> None:
    def flush() -> None:
        text = "".join(line).strip()
        if text:
            out.append(text)
        line.clear()

    if el.text:
        line.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            if child.tag == "table":
                flush()
                if _is_layout(child):
                    # A page laid out in a table: its cells are the page's parts, the
                    # report in one of them with its own tables.
                    for cell in _own_cells(child):
                        _blocks(cell, out, line)
                        flush()
                else:
                    out.append(_table(child))
            elif child.tag in _BLOCK:
                flush()
                _blocks(child, out, line)
                flush()
            else:
                _blocks(child, out, line)
        if child.tail:
            line.append(child.tail)
    if el.tag in _BLOCK:
        flush()


_TITLE_META = ("articletitle", "og:title", "dc.title", "title")
_DATE_META = (
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "publishtime",
    "og:release_date",
    "article:published_time",
    "dc.date",
)
# Where CMSs put a page's title: heading tags, class or id words (title, tit, biaoti, bt).
_TITLE_HOLDERS = etree.XPath(
    "//h1 | //h2 | //h3 | //*[contains(translate(@class, 'TITLEBIAOH', 'titlebiaoh'), 'tit')"
    " or contains(translate(@id, 'TITLEBIAOH', 'titlebiaoh'), 'tit')"
    " or contains(@class, 'biaoti') or contains(concat(' ', @class, ' '), ' bt ')]"
)
# <title> is the article's title followed by the column's and the site's: 标题_栏目_站点.
_TITLE_PARTS = re.compile(r"\s*(?:_|\||--|——|—| - |-{1})\s*")


def _meta_tags(root: etree._Element) -> dict[str, str]:
    tags: dict[str, str] = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        content = (m.get("content") or "").strip()
        if name and content:
            tags.setdefault(name, content)
    return tags


def _title_candidates(root: etree._Element, tags: dict[str, str]) -> Iterator[str]:
    """Title candidates, most trusted first: meta tags, title elements, ``<title>``."""
    yield from (tags[name] for name in _TITLE_META if name in tags)
    for el in _TITLE_HOLDERS(root):
        text = _all_text(el)
        if len(text) < 300:
            yield text
    title = root.find(".//title")
    if title is not None and title.text:
        yield from _TITLE_PARTS.split(title.text.strip())


def _outside_text(root: etree._Element, body: etree._Element) -> str:
    """The page's text outside its content container: where the date line under the
    title lives."""
    page, inside = _all_text(root), _all_text(body)
    at = page.find(inside) if inside else -1
    return page if at < 0 else page[:at] + " " + page[at + len(inside) :]


def page_head(root: etree._Element, body: etree._Element) -> dict[str, str]:
    """The title and date a report page gives in its structure: meta tags, the title
    element, ``<title>`` without the column's and site's names, the date line beside it."""
    tags = _meta_tags(root)
    head: dict[str, str] = {}
    for candidate in _title_candidates(root, tags):
        title = clean_title(normal_form(candidate))
        if is_title(title):
            head["title"] = title
            break
    if day := _page_day(root, body, tags):
        head["date"] = day
    return head


def _page_day(root: etree._Element, body: etree._Element, tags: dict[str, str]) -> str | None:
    for name in _DATE_META:
        if name in tags and (day := page_date_of("时间:" + tags[name])):
            return day
    if body is not root:
        return page_date_of(_outside_text(root, body))
    return None


# lxml's plain HTML parser: lxml.html's element classes cost a lookup per element touched
# (a fifth of the extraction) and nothing here needs them.
_PARSER = etree.HTMLParser()


def _root(text: str) -> etree._Element | None:
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root


def _drop(el: etree._Element) -> None:
    """Remove an element and what it holds, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def page_date(html: str) -> str | None:
    """The date a report page gives itself: a meta tag, the date line beside its title."""
    root = _root(html)
    if root is None:
        return None
    body = _body(root)
    return _page_day(root, body, _meta_tags(root)) or page_date_of(" ".join(body.itertext()))


def html_page(
    data: bytes, content_type: str | None = None, log: list[dict] | None = None
) -> tuple[str, dict[str, str]]:
    """(the report's text, the page's title and date) of a report page; given ``log`` (a
    list), the pictures the page holds (``data:`` addresses: join_pages puts them there)
    are read by OCR in their places when the extra is installed, and what was read of each
    is appended to the list."""
    root = _root(decode_html(data, content_type))
    if root is None:
        return "", {}
    body = _body(root)
    head = page_head(root, body)
    _clean(body)
    if log is not None:
        _read_pictures(body, log)
    blocks: list = []
    line: list[str] = []
    _blocks(body, blocks, line)
    if line:
        blocks.append("".join(line).strip())
    return render_blocks(b for b in blocks if b), head


def join_pages(
    pages: list[bytes],
    content_type: str | None = None,
    pictures: dict[str, bytes] | None = None,
    address: str = "",
) -> bytes:
    """One report page out of the pages a CMS split it into (TRS: t…html, t…_1.html, …):
    the content of each later page appended to the first page's, as UTF-8 HTML; each of
    ``pictures`` (by address) put into the page where it is shown (the first page's
    ``address`` resolves the page's own), so that the document holds its tables pictured."""
    roots = [_root(decode_html(page, content_type)) for page in pages]
    if roots[0] is None:
        return pages[0]
    first = roots[0]
    target = _body(first)
    for root in roots[1:]:
        if root is not None:
            target.extend(list(_body(root)))
    for img, url in _shown(target, address):
        if url in (pictures or {}):
            img.set("src", f"data:image;base64,{base64.b64encode(pictures[url]).decode()}")
    for meta in first.xpath("//meta[@charset or @http-equiv]"):
        _drop(meta)
    head = first.find("head")
    if head is None:
        head = etree.SubElement(first, "head")
        first.insert(0, head)
    head.insert(0, etree.Element("meta", charset="utf-8"))
    return b"<!DOCTYPE html>" + lxml.html.tostring(first, encoding="utf-8")


# Pictures fewer pixels than this across (declared by width=, height= or style) are icons.
_ICON = 100
_PIXELS = re.compile(r"(?:^|[;\s])(width|height)\s*:\s*(\d+)\s*px", re.IGNORECASE)
# Pictures shown in a report page's content at most: more are a gallery, not its tables.
MAX_PICTURES = 20


def _pictures(body: etree._Element) -> list[tuple[etree._Element, str]]:
    """(element, src) of the pictures a page's content shows, icons left out."""
    out = []
    for img in body.iter("img"):
        src = (img.get("src") or img.get("data-src") or "").strip()
        if src and not _declared_small(img):
            out.append((img, src))
    return out


def _shown(body: etree._Element, address: str) -> list[tuple[etree._Element, str]]:
    """(element, address) of the pictures a page's content shows that are fetched from
    somewhere (not ``data:``), icons left out."""
    out = []
    for img, src in _pictures(body):
        url = urljoin(address, src)
        if not src.startswith("data:") and (url.startswith(("http://", "https://")) or not address):
            out.append((img, url))
    return out


def _declared_small(img: etree._Element) -> bool:
    sizes = {k: img.get(k, "") for k in ("width", "height")}
    for name, value in _PIXELS.findall(img.get("style") or ""):
        sizes[name.lower()] = value
    return any(v.strip().isdigit() and int(v) < _ICON for v in sizes.values())


def content_pictures(address: str, html: str) -> list[str]:
    """The addresses of the pictures a report page's content shows (its tables may be
    pictures), icons and the page's chrome left out, in page order."""
    body = _content(html)
    if body is None:
        return []
    tables = [t for t in body.iter("table") if not _is_layout(t)]
    if len(tables) >= _TEXT_TABLES:
        return []  # its tables are text: its pictures are something else
    return list(dict.fromkeys(url for _, url in _shown(body, address)))[:MAX_PICTURES]


# A report has three tables (二、三、四); a page that holds them as text needs no picture read.
_TEXT_TABLES = 3


def pictures_shown(html: str) -> int:
    """How many pictures a report page's content shows, icons left out (inline ones too)."""
    body = _content(html)
    return 0 if body is None else len(_pictures(body))


def _content(html: str) -> etree._Element | None:
    """A page's content container without its chrome, when the page shows any picture."""
    root = _root(html)
    if root is None or "<img" not in html.lower():
        return None
    body = _body(root)
    _clean(body)
    return body


_DATA = re.compile(r"^data:[^,;]*(?:;[^,;]*)*;base64,", re.IGNORECASE)


def _read_pictures(body: etree._Element, log: list[dict]) -> None:
    """Each picture the page holds replaced by the lines OCR reads in it."""
    from parsers import ocr

    n = 0
    for img in list(body.iter("img")):
        m = _DATA.match(img.get("src") or "")
        if m is None:
            continue
        try:
            data = base64.b64decode(img.get("src", "")[m.end() :], validate=False)
        except (binascii.Error, ValueError):
            continue
        n += 1
        if n > MAX_PICTURES:
            break  # a gallery, not a report's tables: each picture costs seconds
        lines = ocr.read_picture_bytes(data, f"picture {n}", log)
        if lines:
            read = etree.Element("div")
            read.text = "\n".join(lines)
            read.tail = img.tail
            img.getparent().replace(img, read)
