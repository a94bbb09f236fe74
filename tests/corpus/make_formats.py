"""Writes tests/corpus/formats/: the same reports as a portal page, DOCX, DOC, PDF and OFD.

Run from the repository root: ``python tests/corpus/make_formats.py``. It needs LibreOffice
(``soffice``) and a CJK font (Debian: libreoffice-writer-nogui fonts-wqy-zenhei) for DOCX,
DOC and PDF; the tests only read the files it wrote. Tables carry the template's merged
cells (rowspan/colspan), so every converter has to keep structure.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "formats"
sys.path.insert(0, str(HERE))

import make_layouts as L  # noqa: E402

CASES = {
    # name: (agency, year, template, edit of the applications rows or None)
    "merged-cells-2021": ("某市生态环境局", 2022, "2021", None),
    "merged-cells-2019": ("某县人民政府", 2020, "2019", None),
    "merged-cells-2021-outcome-sum-wrong": ("某区教育局", 2023, "2021", {2: [5, 2, 0, 1, 1, 0, 9]}),
}


def td(text: object, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )
    return f"<td{attrs}>{html.escape(str(text))}</td>"


def proactive_table(template: str) -> str:
    rows = []
    for head, columns, items in L.PROACTIVE_2021 if template == "2021" else L.PROACTIVE_2019:
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
    return '<table border="1">' + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def applications_table(template: str, edits: dict | None) -> str:
    apps = [list(r) for r in (L.APPS_2021 if template == "2021" else L.APPS_2019)]
    for index, values in (edits or {}).items():
        apps[index][2] = values
    rows = [
        td(
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            rowspan=3,
            colspan=3,
        )
        + td("申请人情况", colspan=7),
        td("自然人", rowspan=2) + td("法人或其他组织", colspan=5) + td("总计", rowspan=2),
        "".join(td(c) for c in L.APPLICANTS[1:6]),
    ]
    outcome_rows = len(apps) - 3  # 予以公开 … 总计
    group_sizes = {"(三)不予公开": 8, "(四)无法提供": 3, "(五)不予处理": 5, "(六)其他处理": 3}
    for i, (label, group, values) in enumerate(apps):
        cells = "".join(td(v) for v in values)
        if i in (0, 1) or i == len(apps) - 1:
            rows.append(td(label, colspan=3) + cells)
            continue
        lead = td("三、本年度办理结果", rowspan=outcome_rows) if i == 2 else ""
        if group in group_sizes:
            rows.append(lead + td(group, rowspan=group_sizes[group]) + td(label) + cells)
        elif group is None and not label.startswith("(") and _in_group(apps, i):
            rows.append(lead + td(label) + cells)
        else:
            rows.append(lead + td(label, colspan=2) + cells)
    return '<table border="1">' + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def _in_group(apps: list, i: int) -> bool:
    """Whether row i sits under a group label given on an earlier row."""
    for label, group, _ in reversed(apps[:i]):
        if group:
            return group != "三、本年度办理结果"
        if label.startswith("("):
            return False
    return False


def appeals_table() -> str:
    rows = [
        td("行政复议", colspan=5) + td("行政诉讼", colspan=10),
        "".join(td(c, rowspan=2) for c in L.APPEALS_COLS)
        + td("未经复议直接起诉", colspan=5)
        + td("复议后起诉", colspan=5),
        "".join(td(c) for c in L.APPEALS_COLS * 2),
        "".join(td(v) for v in L.APPEALS),
    ]
    return '<table border="1">' + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def body(agency: str, year: int, template: str, edits: dict | None) -> str:
    received = (edits or {}).get(0, L.APPS_2021[0][2])[-1]
    p = lambda s: f"<p>{html.escape(s)}</p>"  # noqa: E731
    return "\n".join(
        [
            f"<h1>{agency}{year}年政府信息公开工作年度报告</h1>",
            p(
                f"本报告依据《中华人民共和国政府信息公开条例》编制。本报告中所列数据的统计期限自{year}年1月1日"
                f"至{year}年12月31日。"
            ),
            p("一、总体情况"),
            p(f"（一）主动公开情况。{year}年，我局主动公开政府信息共236条，其中规范性文件5件。"),
            p(f"（二）依申请公开情况。{year}年共收到政府信息公开申请{received}件，均已按时答复。"),
            p("二、主动公开政府信息情况"),
            proactive_table(template),
            p("三、收到和处理政府信息公开申请情况"),
            applications_table(template, edits),
            p("四、政府信息公开行政复议、行政诉讼情况"),
            appeals_table(),
            p("五、存在的主要问题及改进情况"),
            p("政务公开工作还存在公开内容不够全面的问题。下一步，我局将进一步规范公开流程。"),
            p("六、其他需要报告的事项"),
            p("本年度未收取信息处理费。"),
            p(agency),
            p(f"{year + 1}年1月20日"),
        ]
    )


def document_html(content: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>年度报告</title>'
        '<style>body{font-family:"WenQuanYi Zen Hei"}</style></head>'
        f"<body>{content}</body></html>"
    )


def portal_page(content: str, title: str) -> bytes:
    """A TRS-style article page, in GBK as many portals serve it, with navigation, metadata
    and a comment widget around the report body."""
    page = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta name="ArticleTitle" content="{html.escape(title)}"><title>{html.escape(title)}</title>
<style>.x{{color:red}}</style><script>var countPage = 3;</script></head>
<body><div class="header">
<ul class="nav"><li>首页</li><li>政务公开</li><li>政府信息公开年报</li></ul></div>
<div class="position">当前位置：首页 &gt; 政务公开 &gt; 年度报告</div>
<div class="article"><div class="info">发布时间：2099-01-01 来源：本站 浏览次数：1024</div>
<div class="TRS_Editor">{content}</div></div>
<div class="comment"><span>全部留言</span><span>评论</span><span>有用()</span></div>
<div class="footer">主办单位：某市人民政府办公室 网站标识码：1234567890 ICP备12345678号</div>
</body></html>"""
    return page.encode("gb18030")


def soffice(src: Path, fmt: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
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


def ofd(lines: list[list[str]]) -> bytes:
    """A minimal OFD (GB/T 33190): one page per 40 lines, one TextObject per cell."""
    import io

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


def grid_lines(content: str) -> list[list[str]]:
    """The document as lines of cells, merged cells written once, for the OFD writer."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(content, "html.parser")
    out: list[list[str]] = []
    for el in soup.find_all(["h1", "p", "tr"]):
        if el.name == "tr":
            out.append([c.get_text() for c in el.find_all("td")])
        elif not el.find_parent("table"):
            out.append([el.get_text()])
    return out


def png(width: int = 64, height: int = 32) -> bytes:
    """A grey PNG: what a scanned page or a table saved as a picture gives a parser."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def scan_pdf() -> bytes:
    """A two-page PDF of pictures only: no text layer, as a scanner makes."""
    import io

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    for _ in range(2):
        page = doc.new_page(595, 842)
        image = pdfium.PdfImage.new(doc)
        image.load_jpeg(io.BytesIO(JPEG), inline=False)
        image.set_matrix(pdfium.PdfMatrix().scale(500, 700).translate(40, 70))
        page.insert_obj(image)
        page.gen_content()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# A 1x1 grey JPEG, the smallest picture a scan page can hold.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b"
    "080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b510"
    "0002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1"
    "f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a6364656667"
    "68696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2"
    "c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00"
    "fbd3ffd9"
)


def single_cases() -> None:
    """Cases in one format only, beside the layout cases in tests/corpus/."""
    content = body("某县住房和城乡建设局", 2022, "2021", None)
    for n, table in enumerate(("proactive", "applications", "appeals")):
        start = content.index("<table")
        end = content.index("</table>", start) + len("</table>")
        content = content[:start] + f'<p><img src="{table}-{n}.png" alt=""></p>' + content[end:]
    (HERE / "tables-as-images.html").write_bytes(
        portal_page(content, "某县住房和城乡建设局2022年政府信息公开工作年度报告")
    )
    (HERE / "scan-no-text-layer.pdf").write_bytes(scan_pdf())
    (HERE / "scan-image.png").write_bytes(png())


def main() -> None:
    single_cases()
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (agency, year, template, edits) in CASES.items():
            content = body(agency, year, template, edits)
            title = f"{agency}{year}年政府信息公开工作年度报告"
            (OUT / f"{name}.html").write_bytes(portal_page(content, title))
            src = Path(tmp) / f"{name}.html"
            src.write_text(document_html(content), encoding="utf-8")
            for fmt, ext in (
                ("docx:MS Word 2007 XML", "docx"),
                ("doc:MS Word 97", "doc"),
                ("pdf:writer_pdf_Export", "pdf"),
            ):
                soffice(src, fmt, Path(tmp))
                shutil.copy(Path(tmp) / f"{name}.{ext}", OUT / f"{name}.{ext}")
            (OUT / f"{name}.ofd").write_bytes(ofd(grid_lines(content)))
            print("wrote", name)


if __name__ == "__main__":
    main()
