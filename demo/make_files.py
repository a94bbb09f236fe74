"""Writes demo/files/: the demo reports the portal serves as PDF and DOC, made from the
same figures and words as its pages by LibreOffice. Run after changing demo/figures.py or
demo/prose.py: ``python -m demo.make_files`` (needs soffice and a CJK font; Debian:
libreoffice-writer-nogui fonts-wqy-zenhei)."""

from __future__ import annotations

from demo.documents import soffice
from demo.portal import FILES, agencies, report_body

# (agency id, year, LibreOffice's --convert-to, file extension)
MADE = (
    ("ms-env", 2022, "pdf:writer_pdf_Export", "pdf"),
    ("xc-county", 2020, "doc:MS Word 97", "doc"),
)


def main() -> None:
    FILES.mkdir(exist_ok=True)
    for agency_id, year, fmt, ext in MADE:
        content = report_body(agencies()[agency_id][0], year)
        path = FILES / f"{agency_id}-{year}.{ext}"
        path.write_bytes(soffice(content, fmt))
        print("wrote", path)


if __name__ == "__main__":
    main()
