"""A report's figures as the documents portals serve: the template's tables in HTML (with
their merged cells), DOCX, OFD, and through LibreOffice DOC and PDF.

The demo portal and the test corpus (tests/corpus/make_formats.py) both write with these.
"""

from __future__ import annotations

import html
import io
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
APPEALS_COLS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
OUTCOMES = "三、本年度办理结果"

# A proactive section: (heading, column headers, [(row label, values)]).
Proactive = list[tuple[str, list[str], list[tuple[str, list]]]]
# An applications row: (label, the group label it opens or None, seven values).
Applications = list[tuple[str, str | None, list[int]]]


@dataclass
class Figures:
    """Everything a report's three tables print."""

    template: str  # "2019" | "2021"
    proactive: Proactive
    applications: Applications
    appeals: list[int]  # 复议 ×5, 未经复议直接起诉 ×5, 复议后起诉 ×5


def td(text: object, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )
    return f"<td{attrs}>{html.escape(str(text))}</td>"


def _table(rows: list[str]) -> str:
    return '<table border="1">' + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def proactive_table(sections: Proactive) -> str:
    rows = []
    for head, columns, items in sections:
        width = 4
        rows.append(td(head, colspan=width))
        span = width - len(columns) + 1
        rows.append(
            td(columns[0]) + "".join(td(c) for c in columns[1:-1]) + td(columns[-1], colspan=span)
        )
        for label, values in items:
            rows.append(
                td(label) + "".join(td(v) for v in values[:-1]) + td(values[-1], colspan=span)
            )
    return _table(rows)


def _opens_item(label: str) -> bool:
    return label.startswith(("(", "（"))


def applications_table(apps: Applications) -> str:
    rows = [
        td(
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            rowspan=3,
            colspan=3,
        )
        + td("申请人情况", colspan=7),
        td("自然人", rowspan=2) + td("法人或其他组织", colspan=5) + td("总计", rowspan=2),
        "".join(td(c) for c in APPLICANTS[1:6]),
    ]
    outcomes = apps[2:-1]  # 予以公开 … 总计
    rows.append(td(apps[0][0], colspan=3) + "".join(td(v) for v in apps[0][2]))
    rows.append(td(apps[1][0], colspan=3) + "".join(td(v) for v in apps[1][2]))
    in_group = 0  # rows left in the current group
    for i, (label, group, values) in enumerate(outcomes):
        lead = td(OUTCOMES, rowspan=len(outcomes)) if i == 0 else ""
        cells = "".join(td(v) for v in values)
        if group and group != OUTCOMES:
            size = 1
            while size < len(outcomes) - i:
                nxt_label, nxt_group, _ = outcomes[i + size]
                if nxt_group or _opens_item(nxt_label):
                    break
                size += 1
            rows.append(lead + td(group, rowspan=size) + td(label) + cells)
            in_group = size - 1
        elif in_group:
            rows.append(lead + td(label) + cells)
            in_group -= 1
        else:
            rows.append(lead + td(label, colspan=2) + cells)
    rows.append(td(apps[-1][0], colspan=3) + "".join(td(v) for v in apps[-1][2]))
    return _table(rows)


def appeals_table(values: list[int]) -> str:
    return _table(
        [
            td("行政复议", colspan=5) + td("行政诉讼", colspan=10),
            "".join(td(c, rowspan=2) for c in APPEALS_COLS)
            + td("未经复议直接起诉", colspan=5)
            + td("复议后起诉", colspan=5),
            "".join(td(c) for c in APPEALS_COLS * 2),
            "".join(td(v) for v in values),
        ]
    )


def document_html(content: str) -> str:
    """A report body as a document of its own, for LibreOffice to convert."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>年度报告</title>'
        '<style>body{font-family:"WenQuanYi Zen Hei"}</style></head>'
        f"<body>{content}</body></html>"
    )


def grid_lines(content: str) -> list[list[str]]:
    """The document as lines of cells, merged cells written once."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(content, "html.parser")
    out: list[list[str]] = []
    for el in soup.find_all(["h1", "p", "tr"]):
        if el.name == "tr":
            out.append([c.get_text() for c in el.find_all("td")])
        elif not el.find_parent("table"):
            out.append([el.get_text()])
    return out


def docx(content: str) -> bytes:
    """A DOCX of a report body: its paragraphs and table rows, one cell per column."""
    parts = []
    for cells in grid_lines(content):
        if len(cells) == 1:
            parts.append(f"<w:p><w:r><w:t>{html.escape(cells[0])}</w:t></w:r></w:p>")
        else:
            tcs = "".join(
                f"<w:tc><w:p><w:r><w:t>{html.escape(c)}</w:t></w:r></w:p></w:tc>" for c in cells
            )
            parts.append(f"<w:tbl><w:tr>{tcs}</w:tr></w:tbl>")
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{''.join(parts)}</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="xml" ContentType="application'
            '/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openx'
            'mlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("word/document.xml", document)
    return buf.getvalue()


def ofd(lines: list[list[str]]) -> bytes:
    """A minimal OFD (GB/T 33190): one page per 40 lines, one TextObject per cell."""
    pages = [lines[i : i + 40] for i in range(0, len(lines), 40)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "OFD.xml",
            '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD '
            'xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
            "<ofd:DocBody><ofd:DocInfo><ofd:DocID>nianbao</ofd:DocID></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        page_refs = "".join(
            f'<ofd:Page ID="{i + 10}" BaseLoc="Pages/Page_{i}/Content.xml"/>'
            for i in range(len(pages))
        )
        z.writestr(
            "Doc_0/Document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><ofd:Document '
            'xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:MaxUnitID>999'
            "</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"
            "</ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
            f"<ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>",
        )
        z.writestr(
            "Doc_0/PublicRes.xml",
            '<?xml version="1.0" encoding="UTF-8"?><ofd:Res '
            'xmlns:ofd="http://www.ofdspec.org/2016" BaseLoc="Res"><ofd:Fonts>'
            '<ofd:Font ID="1" FontName="宋体"/></ofd:Fonts></ofd:Res>',
        )
        uid = 100
        for n, page in enumerate(pages):
            objs = []
            for row, cells in enumerate(page):
                y = 20 + row * 6
                x = 15.0
                for cell in cells:
                    uid += 1
                    width = max(len(cell), 1) * 3.2
                    text = html.escape(cell)
                    objs.append(
                        f'<ofd:TextObject ID="{uid}" Boundary="{x:.1f} {y} {width:.1f} 5" Font="1" '
                        f'Size="3"><ofd:TextCode X="0" Y="4">{text}</ofd:TextCode></ofd:TextObject>'
                    )
                    x += width + 4
            z.writestr(
                f"Doc_0/Pages/Page_{n}/Content.xml",
                '<?xml version="1.0" encoding="UTF-8"?><ofd:Page '
                'xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="2">'
                + "".join(objs)
                + "</ofd:Layer></ofd:Content></ofd:Page>",
            )
    return buf.getvalue()


def soffice(content: str, fmt: str) -> bytes:
    """A report body converted by LibreOffice (``soffice``): fmt as its --convert-to takes
    it, e.g. "pdf:writer_pdf_Export". Needs LibreOffice and a CJK font."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "report.html"
        src.write_text(document_html(content), encoding="utf-8")
        out = Path(tmp) / "out"
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--infilter=HTML (StarWriter)",
                "--convert-to",
                fmt,
                "--outdir",
                str(out),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        (result,) = out.iterdir()
        return result.read_bytes()
