"""Guangdong's 政府信息公开目录平台 (gkmlpt): a script shell and a JSON list API.

A column is named in the list URL's fragment (``…/gkmlpt/index#721``), which browsers keep
to themselves; the shell page gives the site's id (``window._CONFIG = {SID: …}``). The
records come from ``…/gkmlpt/api/all/{column}?page=N&sid={SID}`` — a title, a date and the
article's URL each — with the column's total, 100 to a page.
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawler.adapters import MAX_REQUESTS, Family, ListPage, register
from crawler.adapters.links import Link
from parsers.dates import first_date

NAME = "gkmlpt"
PER_PAGE = 100
_SID = re.compile(r"""SID\s*[:=]\s*['"]?(\w+)""")


def detect(url: str, text: str) -> bool:
    return "/gkmlpt/" in url


def _api(url: str, column: str, sid: str, page: int) -> str:
    root = url.split("/gkmlpt/")[0]
    return f"{root}/gkmlpt/api/all/{column}?{urlencode({'page': page, 'sid': sid})}"


def read(url: str, text: str, first: bool) -> ListPage:
    parts = urlsplit(url)
    if "/gkmlpt/api/" not in parts.path:
        # The shell: the column from the fragment, the site's id from its config.
        sid = _SID.search(text)
        column = parts.fragment
        if not sid or not column.isdigit():
            return ListPage(NAME, unrecognized_paging=True)
        return ListPage(NAME, requests=[_api(url, column, sid.group(1), 1)])
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    try:
        data = json.loads(body)
    except ValueError:
        return ListPage(NAME)
    if not isinstance(data, dict):
        return ListPage(NAME)
    articles = data.get("articles") or []
    links = [
        Link(a["url"], a.get("title", ""), first_date(str(a.get("created_at") or "")))
        for a in articles
        if isinstance(a, dict) and a.get("url")
    ]
    query = dict(parse_qsl(parts.query))
    total = data.get("total") if isinstance(data.get("total"), int) else None
    page = int(query.get("page", "1")) if query.get("page", "1").isdigit() else 1
    requests: list[str] = []
    pages = math.ceil(total / PER_PAGE) if total else None
    if page == 1 and pages:
        column = parts.path.rstrip("/").rsplit("/", 1)[-1]
        sid = query.get("sid", "")
        url_root = f"{parts.scheme}://{parts.netloc}{parts.path.split('/gkmlpt/')[0]}/gkmlpt/x"
        requests = [_api(url_root, column, sid, n) for n in range(2, pages + 1)][:MAX_REQUESTS]
    return ListPage(
        NAME,
        links,
        requests,
        records=len(links),
        pages_announced=pages,
        records_announced=total,
    )


register(Family(NAME, detect, read, order=20, sublists=False))
