"""Write the dictionary the archive packs report text with (storage/packing.py): the
national template's own words — section headings, table, group, row and column labels —
which every report repeats, so each packed text need not carry them again.

The file is frozen once written: packed rows name it by number, and a changed dictionary
would unpack them wrong. A new one goes beside it under the next number.

Run from the repository root: ``python scripts/make_text_dictionary.py N``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import template  # noqa: E402

NUMERALS = "一二三四五六"


def words() -> list[str]:
    lines = ["政府信息公开工作年度报告", "《中华人民共和国政府信息公开条例》"]
    lines += [f"{n}、{s}" for n, s in zip(NUMERALS, template.SECTIONS, strict=False)]
    lines += [zh for zh, _ in template.TABLE_LABELS.values()]
    lines += [zh for zh, _ in template.GROUP_LABELS.values()]
    lines += [zh for zh, _ in template.ROW_LABELS.values()]
    lines += [zh for zh, _ in template.COLUMN_LABELS.values()]
    return list(dict.fromkeys(lines))


def main() -> None:
    number = int(sys.argv[1])
    out = ROOT / "storage" / f"text-{number}.zdict"
    if out.exists():
        sys.exit(f"{out} exists and is frozen: write the next number")
    out.write_bytes("\n".join(words()).encode("utf-8"))
    print(f"{out}: {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
