"""Make the pictured page: the real report page (tests/corpus/real-page-title-and-date-
outside-content.html) with each of its tables shot by Chromium as a reader's browser shows
it, and put back in as a picture, as agencies that paste screenshots publish them.

Run from the repository root: ``python tests/corpus/pictured/make_pictured.py``. Needs
Chromium (``NIANBAO_CHROMIUM`` or Debian's). Writes ``real-page-tables-as-pictures.html``
and ``table-N.png`` beside this file; the page shows them at ``/picture/table-N.png``.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from crawler.browser import chromium  # noqa: E402

SOURCE = ROOT / "tests" / "corpus" / "real-page-title-and-date-outside-content.html"
TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL)


async def main() -> None:
    html = SOURCE.read_text(encoding="utf-8")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium())
        page = await browser.new_page(viewport={"width": 1000, "height": 800})
        await page.set_content(html, wait_until="domcontentloaded")
        tables = await page.query_selector_all(".TRS_Editor table")
        for n, table in enumerate(tables, 1):
            await table.screenshot(path=str(HERE / f"table-{n}.png"))
        await browser.close()
    shown = iter(range(1, len(tables) + 1))
    out = TABLE.sub(
        lambda _: (
            f'<p style="text-align:center"><img src="/picture/table-{next(shown)}.png" '
            'alt="" /></p>'
        ),
        html,
    )
    (HERE / "real-page-tables-as-pictures.html").write_text(out, encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main())
