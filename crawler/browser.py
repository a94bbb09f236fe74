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

from crawler.adapters import YEAR_TAB, ListPage

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
    }


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
                if await click_next(page, fingerprint(html), seconds) != "next":
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
    relative to its own address."""
    out = [(page.url, await page.content())]
    for frame in page.frames[1:]:
        try:
            out.append((frame.url, await frame.content()))
        except Exception:  # a frame gone meanwhile, or one still loading
            continue
    return out


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
    try:
        await page.get_by_text(text, exact=True).first.click(timeout=seconds * 1000)
    except Exception:
        return False
    return await _changed(page, before, seconds)


async def _changed(page: Any, before: str, seconds: float) -> bool:
    """Whether the page (its frames included) comes to differ from ``before`` within
    ``seconds`` of a click; a page still navigating is asked again."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):  # a navigation under way: not there yet
            await page.wait_for_load_state("domcontentloaded", timeout=seconds * 1000)
            if fingerprint(await rendered_html(page)) != before:
                return True
        await asyncio.sleep(0.2)
    return False


def rendered_key(url: str, n: int) -> str:
    """The address a column's n-th rendered state is counted under (a fragment would be
    dropped as the page's own address)."""
    base = url.split("#")[0]
    return f"{base}{'&' if '?' in base else '?'}nianbao-rendered={n}"


async def settle(page: Any, status: int, seconds: float = SECONDS_PER_PAGE) -> str | None:
    """Wait until the page's scripts are done with the network (at most ``seconds``), a
    script challenge's reload included; None when the page is there, else why not."""
    deadline = time.monotonic() + seconds
    while True:
        # A page that never goes quiet is read as it stands.
        with contextlib.suppress(Exception):
            await page.wait_for_load_state("networkidle", timeout=seconds * 1000)
        if status not in CHALLENGE_STATUSES:
            return None if status < 400 else f"HTTP {status}"
        html = await rendered_html(page)
        if not _challenge_script(html) or "<a " in html[:20_000].lower():
            return None  # the challenge has reloaded the page it stood for
        if time.monotonic() > deadline:
            return f"HTTP {status}: the script challenge did not pass"
        await asyncio.sleep(0.5)


def fingerprint(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8", "replace")).hexdigest()


async def click_next(page: Any, before: str, seconds: float) -> str:
    """Click the pager's next control and wait for the list to change: ``next`` when it
    did, ``end`` when there is no next control to click (the last page), ``stuck`` when
    a click changed nothing in ``seconds``."""
    control = await _next_control(page)
    if control is None:
        return "end"
    try:
        await control.click(timeout=seconds * 1000)
    except Exception:  # hidden, covered, detached: a person could not click it either
        return "stuck"
    return "next" if await _changed(page, before, seconds) else "stuck"


async def _next_control(page: Any) -> Any | None:
    """The first visible, enabled link or button whose text is a next page's: in the page,
    then in its frames (a list and its pager inside an iframe)."""
    for frame in [page.main_frame, *page.frames[1:]]:
        for text in NEXT_TEXTS:
            controls = frame.locator(
                f"a:text-is('{text}'), button:text-is('{text}'), "
                f"li:text-is('{text}'), span:text-is('{text}')"
            )
            count = await _count(controls)
            if count is None:  # a frame gone meanwhile
                break
            for n in range(min(count, 4)):
                control = controls.nth(n)
                try:
                    if not await control.is_visible() or not await control.is_enabled():
                        continue
                    classes = (await control.get_attribute("class") or "").lower()
                except Exception:
                    continue
                if "disabled" in classes:
                    continue
                return control
    return None


async def _count(controls: Any) -> int | None:
    """How many controls match; a page still navigating is asked again, a few times."""
    for _ in range(3):
        try:
            return await controls.count()
        except Exception:
            await asyncio.sleep(0.3)
    return None
