"""A real browser for what the static read cannot prove: Chromium through scrapy-playwright.

A column's first page is rendered when its static read proves nothing of its end (a list
drawn by scripts, a pager no adapter reads, a frame) or when its source says
``render = "always"``; a list page answered with a script challenge (412, 521, or 202
with a script that sets a cookie and reloads) is asked again through the browser, whose
cookies the host's later pages then share. In the browser the list is read as a person
reads it: the rendered page and its frames, then 下一页 clicked until no next page is
left, nothing new appears, or the column's page cap or the time per page is reached.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import time
from typing import Any

from scrapy.http import Response

from crawler.adapters import YEAR_TAB, ListPage, looks_paged

# What a script challenge answers with before its cookie is set.
CHALLENGE_STATUSES = (202, 412, 521)
# How a pager's next control is written, in the order a person would look for it.
NEXT_TEXTS = (
    "下一页",
    "下页",
    "下一頁",
    "后页",
    "下一页>",
    "下一页>>",
    ">",
    "›",
    "»",
    "Next",
    "next",
    # A load-more button adds to the list: what is new after a click is what it loaded.
    "加载更多",
    "点击加载更多",
)
SECONDS_PER_PAGE = 20.0


def chromium() -> str | None:
    """The Chromium to drive: NIANBAO_CHROMIUM, else Debian's."""
    return os.environ.get("NIANBAO_CHROMIUM") or shutil.which("chromium")


def browser_settings(render: str, seconds: float = SECONDS_PER_PAGE) -> dict[str, Any]:
    """Scrapy settings that give the crawl a browser (none where there is no Chromium, or
    when rendering is off: the static crawl then runs alone); ``seconds`` a page may take
    to load."""
    executable = chromium()
    if render == "off" or executable is None:
        return {"NIANBAO_RENDER": "off"}
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    return {
        "NIANBAO_RENDER": render,
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": executable,
            "headless": True,
            # As root in a container, and with a closed network: nothing of its own to
            # fetch, no sandbox to drop privileges into.
            "args": [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                # Memory: list pages share a few renderer processes, each with a small heap.
                "--renderer-process-limit=2",
                "--js-flags=--max-old-space-size=192",
            ],
        },
        "PLAYWRIGHT_MAX_CONTEXTS": 4,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": seconds * 1000,
        # A navigation a script's reload cut short (a challenge) is waited for this long
        # as a download before it fails (the default, 30 s, holds one of the host's pages).
        "PLAYWRIGHT_DOWNLOAD_TIMEOUT": seconds * 1000,
    }


def watched(meta: dict[str, Any], seconds: float) -> dict[str, Any]:
    """A browser request's ``meta`` with a watch on its page: a page still loading after
    three times ``seconds`` (a challenge that reloads for ever can hold a navigation
    past its own time limit) is closed, and its request fails to its errback."""
    return {
        **meta,
        "playwright_page_init_callback": _watch,
        "nianbao_load_seconds": 3 * seconds,
    }


async def close_page(page: Any) -> None:
    """Close a browser page, bounded: a page whose request is still routed (a navigation
    a reload cut short) can wait on its route handlers for ever, and hold one of its
    host's pages; they are dropped first."""
    if page.is_closed():
        return
    with contextlib.suppress(Exception):
        await asyncio.wait_for(page.unroute_all(behavior="ignoreErrors"), CONTENT_SECONDS)
    try:
        await asyncio.wait_for(page.close(), CONTENT_SECONDS)
    except Exception:
        # A page that will not close (a reload loop): its host's browser context goes
        # with it, and the host's next page opens in a new one.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(page.context.close(), CONTENT_SECONDS)


async def _watch(page: Any, request: Any) -> None:
    if request.meta.get("nianbao_cut"):
        await close_page(page)  # asked again after its time ran out: it fails at once
        return
    request.meta["nianbao_watchdog"] = asyncio.get_running_loop().call_later(
        request.meta["nianbao_load_seconds"], _cut, page, request.meta
    )


def _cut(page: Any, meta: dict[str, Any]) -> None:
    meta["nianbao_cut"] = True
    if not page.is_closed():
        meta["nianbao_closing"] = asyncio.ensure_future(close_page(page))


def loaded(meta: dict[str, Any]) -> None:
    """The page has loaded (or failed): its watch ends."""
    handle = meta.pop("nianbao_watchdog", None)
    if handle is not None:
        handle.cancel()


def needs_render(page: ListPage) -> bool:
    """Whether what a column's first page gives a static read proves nothing of the
    column's end and leads nowhere further (ListPage): then a browser reads it."""
    if page.unrecognized_paging:
        return True
    if page.ends_here or page.requests or page.last_page or page.sublists:
        return False
    # What it announces proves its end only if this page alone reaches it.
    if page.records_announced is not None:
        return page.records < page.records_announced
    return page.pages_announced is None or page.pages_announced > 1


def render_states(
    url: str, max_pages: int, seconds: float = SECONDS_PER_PAGE
) -> tuple[list[list[tuple[str, str]]], str | None]:
    """A column read in a browser outside a crawl (``nianbao sources discover``): the
    documents of each state its 下一页 leads to, and why it could not be read, if not."""
    return asyncio.run(_states(url, max_pages, seconds))


async def _states(
    url: str, max_pages: int, seconds: float
) -> tuple[list[list[tuple[str, str]]], str | None]:
    from playwright.async_api import async_playwright

    options = browser_settings("auto", seconds).get("PLAYWRIGHT_LAUNCH_OPTIONS")
    if options is None:
        return [], "no browser (Chromium is not installed)"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**options)
        try:
            page = await browser.new_page()
            try:
                response = await page.goto(url, timeout=seconds * 1000)
            except Exception as exc:
                return [], f"render_failed: {str(exc).splitlines()[0]}"
            error = await settle(page, response.status if response else 0, seconds)
            if error is not None:
                return [], f"render_failed: {error}"
            states = []
            while len(states) < max_pages:
                documents = await rendered_documents(page)
                states.append(documents)
                html = "\n".join(text for _, text in documents)
                if await click_next(page, fingerprint(html), seconds, len(states)) != "next":
                    break
                await settle(page, 200, seconds)
            return states, None
        finally:
            await browser.close()


def is_challenge(response: Response) -> bool:
    """A script challenge: a 202, 412 or 521 whose body is a script that sets a cookie
    and reloads the page, not the page."""
    if response.status not in CHALLENGE_STATUSES:
        return False
    return _challenge_script(response.body[:20_000].decode("utf-8", "replace"))


def _challenge_script(html: str) -> bool:
    """What a challenge's page holds: a script that sets a cookie or reloads."""
    html = html[:20_000].lower()
    return "<script" in html and ("cookie" in html or "location" in html)


async def rendered_documents(page: Any) -> list[tuple[str, str]]:
    """(address, rendered HTML) of the page and of each of its frames: a frame's links are
    relative to its own address. A page or frame caught navigating is read once its new
    document has loaded."""
    out = [(page.url, await _document(page))]
    for frame in page.frames[1:]:
        try:
            out.append((frame.url, await _document(frame)))
        except Exception:  # a frame gone meanwhile
            continue
    return out


async def _document(frame: Any) -> str:
    deadline = time.monotonic() + CONTENT_SECONDS
    while True:
        try:
            return await _bounded(frame.content())
        except Exception:
            gone = getattr(frame, "is_detached", lambda: False)() or _closed(frame)
            if gone or time.monotonic() > deadline:
                raise
        with contextlib.suppress(Exception):
            await frame.wait_for_load_state("load", timeout=CONTENT_SECONDS * 1000)
        await asyncio.sleep(0.2)


CONTENT_SECONDS = 10.0


def _closed(frame: Any) -> bool:
    page = getattr(frame, "page", frame)
    return page.is_closed()


async def _bounded(read: Any) -> Any:
    """A read of a page that a page reloading without end could hold for ever."""
    return await asyncio.wait_for(read, CONTENT_SECONDS)


async def rendered_html(page: Any) -> str:
    """The rendered page and the documents of its frames, one after the other."""
    return "\n".join(html for _, html in await rendered_documents(page))


MAX_TABS = 15


async def year_tabs(page: Any) -> list[str]:
    """The texts of the year tabs a page shows (a column split into one list a year,
    switched by a script), at most MAX_TABS."""
    texts: list[str] = []
    controls = page.get_by_text(YEAR_TAB)
    for n in range(min(await controls.count(), MAX_TABS * 2)):
        try:
            text = (await controls.nth(n).inner_text()).strip()
        except Exception:
            continue
        if text and text not in texts:
            texts.append(text)
    return texts[:MAX_TABS]


async def click_tab(page: Any, text: str, before: str, seconds: float) -> bool:
    """Show the tab ``text``; whether the page changed."""
    with _Navigations(page) as navigating:
        try:
            await page.get_by_text(text, exact=True).first.click(timeout=seconds * 1000)
        except Exception:
            return False
        return await _changed(page, before, seconds, navigating)


class _Navigations:
    """The frames of a page with a navigation under way (a form posted back, a link
    followed): until the new document is there, a read gives the old one, changed by the
    script that left it (an ASP.NET postback writes its hidden fields first), or fails."""

    def __init__(self, page: Any):
        self.page, self.frames = page, set()

    def __enter__(self) -> _Navigations:
        self.page.on("request", self._request)
        self.page.on("requestfailed", self._failed)
        self.page.on("framenavigated", self._committed)
        self.page.on("download", self._download)
        return self

    def __exit__(self, *_: object) -> None:
        for event, handler in (
            ("request", self._request),
            ("requestfailed", self._failed),
            ("framenavigated", self._committed),
            ("download", self._download),
        ):
            with contextlib.suppress(Exception):
                self.page.remove_listener(event, handler)

    def __bool__(self) -> bool:
        return bool(self.frames)

    def _request(self, request: Any) -> None:
        with contextlib.suppress(Exception):  # a service worker's request has no frame
            if request.is_navigation_request():
                self.frames.add(request.frame)

    def _failed(self, request: Any) -> None:
        with contextlib.suppress(Exception):
            if request.is_navigation_request():
                self.frames.discard(request.frame)

    def _committed(self, frame: Any) -> None:
        self.frames.discard(frame)

    def _download(self, _: Any) -> None:
        self.frames.clear()  # a navigation answered with a file leaves the page as it was


async def _changed(page: Any, before: str, seconds: float, navigating: _Navigations) -> bool:
    """Whether the page (its frames included) comes to differ from ``before`` within
    ``seconds`` of a click, and then holds still: no navigation under way and two reads
    alike (a list drawn in steps, a form posted back, are read when they are done)."""
    deadline = time.monotonic() + seconds
    seen = None
    while time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        if navigating:
            seen = None
            continue
        with contextlib.suppress(Exception):  # a navigation under way: not there yet
            await page.wait_for_load_state("domcontentloaded", timeout=seconds * 1000)
            now = fingerprint(await rendered_html(page))
            if navigating:
                continue
            if now != before and now == seen:
                return True
            seen = now
    return seen is not None and seen != before


def rendered_key(url: str, n: int) -> str:
    """The address a column's n-th rendered state is counted under (a fragment would be
    dropped as the page's own address)."""
    base = url.split("#")[0]
    return f"{base}{'&' if '?' in base else '?'}nianbao-rendered={n}"


async def settle(page: Any, status: int, seconds: float = SECONDS_PER_PAGE) -> str | None:
    """Wait until the page's scripts are done with the network and it and its frames have
    loaded (at most ``seconds``), a script challenge's reload included; None when the
    page is there, else why not."""
    deadline = time.monotonic() + seconds
    while True:
        # A page that never goes quiet is read as it stands.
        with contextlib.suppress(Exception):
            await page.wait_for_load_state("networkidle", timeout=seconds * 1000)
        while not await complete(page) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        if status not in CHALLENGE_STATUSES:
            return None if status < 400 else f"HTTP {status}"
        try:
            html = await rendered_html(page)
        except Exception:  # still reloading: not there yet
            html = None
        if html is not None and (not _challenge_script(html) or "<a " in html[:20_000].lower()):
            return None  # the challenge has reloaded the page it stood for
        if time.monotonic() > deadline:
            return f"HTTP {status}: the script challenge did not pass"
        await asyncio.sleep(0.5)


# Whether a frame's document has loaded, its own frames included: a frame still showing
# the blank document it starts with, though its element names a page, has not.
_COMPLETE = """() => document.readyState === 'complete'
  && [...document.querySelectorAll('iframe, frame')].every((f) => {
    const src = (f.getAttribute('src') || '').trim();
    try {
      const doc = f.contentDocument;
      if (!doc) return true;  // another site's: its own frame answers for it
      const blank = f.contentWindow.location.href === 'about:blank';
      return doc.readyState === 'complete' && !(blank && src && src !== 'about:blank'
        && !src.startsWith('javascript:'));
    } catch (e) { return true; }
  })"""


async def complete(page: Any) -> bool:
    """Whether the page and every frame in it have loaded: what a page not yet loaded
    shows proves nothing of a list's end."""
    for frame in page.frames:
        try:
            if not await _bounded(frame.evaluate(_COMPLETE)):
                return False
        except Exception:  # a frame navigating, or gone: not loaded yet
            if not getattr(frame, "is_detached", lambda: True)():
                return False
    return True


def fingerprint(html: str) -> str:
    """What a page shows, to tell whether a click changed it (the mark on the control
    to click is not a change)."""
    html = html.replace(' data-nianbao-next="1"', "")
    return hashlib.sha256(html.encode("utf-8", "replace")).hexdigest()


async def click_next(page: Any, before: str, seconds: float, at: int = 1) -> str:
    """Click the pager's next control (or, in a pager of page numbers only, the number
    after ``at``, the page shown) and wait for the list to change: ``next`` when it did;
    ``end`` when the pager shows this is its last page (its next control disabled or
    hidden, no higher number) or the page shows no pager at all; ``unknown`` when a pager
    is shown but nothing in it can be told for a next page (the end is then not proved);
    ``stuck`` when a click changed nothing in ``seconds``."""
    found = await _mark_next(page, at)
    if found is None:
        return await _pager_shown(page)
    if found in ("disabled", "last"):
        return "end"
    with _Navigations(page) as navigating:
        try:
            await found.click(timeout=seconds * 1000)
        except Exception:  # hidden, covered, detached: a person could not click it either
            return "stuck"
        return "next" if await _changed(page, before, seconds, navigating) else "stuck"


# Marks, in one frame, the control a person would click for the next page: an element
# whose text, title, alt, value or aria-label is a next page's, or whose id or class is
# named "next" (btn-next, layui-laypage-next, pageIto_next, hasNextHref); else, in a
# pager of page numbers, the number after the one shown. Answers "found", "disabled" (a
# next control there but not clickable: the last page), "last" (the highest number is
# the one shown), or "none".
_MARK_NEXT = """([texts, at]) => {
  for (const e of document.querySelectorAll('[data-nianbao-next]')) {
    e.removeAttribute('data-nianbao-next');
  }
  const squeeze = (s) => (s || '').replace(/\\s+/g, '');
  const words = (s) => (typeof s === 'string' ? s : '')
    .replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/);
  const named = (e) => [e.id, e.className].some((s) => words(s).some(
    (w) => w === 'next' || w === 'nextpage' || w === 'btnnext' || w === 'pagenext'));
  const labels = (e) => [e.innerText, e.getAttribute('title'), e.getAttribute('aria-label'),
    e.getAttribute('alt'), e.getAttribute('value')].map(squeeze);
  const shown = (e) => {
    const r = e.getBoundingClientRect(), st = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden';
  };
  const disabled = (e) => {
    for (let a = e, i = 0; a && i < 3; a = a.parentElement, i++) {
      const cls = typeof a.className === 'string' ? a.className : '';
      if (a.disabled || a.getAttribute('aria-disabled') === 'true' || /disabled?\\b/i.test(cls)) {
        return true;
      }
    }
    return false;
  };
  const controls = 'a, button, input[type=button], input[type=submit], input[type=image], '
    + 'li, span, img, div, i, em';
  let seen = false;
  for (const e of document.querySelectorAll(controls)) {
    const text = squeeze(e.innerText);
    if (!(labels(e).some((t) => texts.includes(t)) || (named(e) && text.length <= 12))) continue;
    seen = true;
    if (!shown(e) || disabled(e)) continue;
    e.setAttribute('data-nianbao-next', '1');
    return 'found';
  }
  if (seen) return 'disabled';
  // A pager of page numbers: two or more numbers side by side.
  const numbers = [...document.querySelectorAll('a, button, li, span')].filter((e) => {
    if (!/^\\d{1,4}$/.test(squeeze(e.innerText)) || !shown(e) || !e.parentElement) return false;
    const siblings = [...e.parentElement.children].filter(
      (c) => /^\\d{1,4}$/.test(squeeze(c.innerText)));
    return siblings.length >= 2;
  });
  if (!numbers.length) return 'none';
  const after = numbers.find((e) => squeeze(e.innerText) === String(at + 1) && !disabled(e));
  if (after) { after.setAttribute('data-nianbao-next', '1'); return 'found'; }
  const highest = Math.max(...numbers.map((e) => Number(squeeze(e.innerText))));
  return highest <= at ? 'last' : 'none';
}"""


async def _mark_next(page: Any, at: int) -> Any | None:
    """The next control to click, in the page or in one of its frames (a list and its
    pager inside an iframe); ``disabled`` or ``last`` where the pager shows its last page;
    None where no frame shows a next control."""
    answers = []
    for frame in [page.main_frame, *page.frames[1:]]:
        try:
            answer = await frame.evaluate(_MARK_NEXT, [list(NEXT_TEXTS), at])
        except Exception:  # a frame gone meanwhile, or one still navigating
            continue
        if answer == "found":
            return frame.locator("[data-nianbao-next]").first
        answers.append(answer)
    return next((a for a in answers if a in ("disabled", "last")), None)


async def _pager_shown(page: Any) -> str:
    """``unknown`` where a page without a next control still shows pager words (下一页,
    尾页, 共N页) a person would read; else ``end``: the list has no pager."""
    for frame in [page.main_frame, *page.frames[1:]]:
        try:
            text = await frame.locator("body").inner_text(timeout=2000)
        except Exception:
            continue
        if looks_paged(text):
            return "unknown"
    return "end"
