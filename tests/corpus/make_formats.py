"""Writes tests/corpus/formats/: the same reports as a portal page, DOCX, DOC, PDF and OFD.

Run from the repository root: ``python tests/corpus/make_formats.py``. It needs LibreOffice
(``soffice``) and a CJK font (Debian: libreoffice-writer-nogui fonts-wqy-zenhei) for DOCX,
DOC and PDF; the tests only read the files it wrote. Tables carry the template's merged
cells (rowspan/colspan), so every converter has to keep structure.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "formats"
sys.path.insert(0, str(HERE))

import make_layouts as L  # noqa: E402

from demo.documents import (  # noqa: E402
    Figures,
    appeals_table,
    applications_table,
    grid_lines,
    ofd,
    proactive_table,
    soffice,
)

CASES = {
    # name: (agency, year, template, edit of the applications rows or None)
    "merged-cells-2021": ("某市生态环境局", 2022, "2021", None),
    "merged-cells-2019": ("某县人民政府", 2020, "2019", None),
    "merged-cells-2021-outcome-sum-wrong": ("某区教育局", 2023, "2021", {2: [5, 2, 0, 1, 1, 0, 9]}),
}


def figures(template: str, edits: dict | None) -> Figures:
    """The layout cases' figures, with rows of the applications table replaced by index."""
    apps = [list(r) for r in (L.APPS_2021 if template == "2021" else L.APPS_2019)]
    for index, values in (edits or {}).items():
        apps[index][2] = values
    proactive = L.PROACTIVE_2021 if template == "2021" else L.PROACTIVE_2019
    return Figures(template, proactive, [tuple(r) for r in apps], L.APPEALS)


def body(agency: str, year: int, template: str, edits: dict | None) -> str:
    numbers = figures(template, edits)
    received = numbers.applications[0][2][-1]
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
            proactive_table(numbers.proactive),
            p("三、收到和处理政府信息公开申请情况"),
            applications_table(numbers.applications),
            p("四、政府信息公开行政复议、行政诉讼情况"),
            appeals_table(numbers.appeals),
            p("五、存在的主要问题及改进情况"),
            p("政务公开工作还存在公开内容不够全面的问题。下一步，我局将进一步规范公开流程。"),
            p("六、其他需要报告的事项"),
            p("本年度未收取信息处理费。"),
            p(agency),
            p(f"{year + 1}年1月20日"),
        ]
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
    for name, (agency, year, template, edits) in CASES.items():
        content = body(agency, year, template, edits)
        title = f"{agency}{year}年政府信息公开工作年度报告"
        (OUT / f"{name}.html").write_bytes(portal_page(content, title))
        for fmt, ext in (
            ("docx:MS Word 2007 XML", "docx"),
            ("doc:MS Word 97", "doc"),
            ("pdf:writer_pdf_Export", "pdf"),
        ):
            (OUT / f"{name}.{ext}").write_bytes(soffice(content, fmt))
        (OUT / f"{name}.ofd").write_bytes(ofd(grid_lines(content)))
        print("wrote", name)


if __name__ == "__main__":
    main()
